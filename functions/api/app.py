"""The HTTP API (API Gateway + Lambda via Chalice). Routes parse the request and call the domain."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from chalice import Chalice, Response
from pydantic import ValidationError

from frame_metric import __version__
from frame_metric.api.docs import asset, docs_page, redoc_page
from frame_metric.api.http import View, error_response, guarded, json_body, json_response, query_int, query_str
from frame_metric.api.middleware import add_api_middleware
from frame_metric.api.monitor_config_routes import monitor_config_blueprint
from frame_metric.api.monitor_run_routes import monitor_runs_blueprint
from frame_metric.api.multipart import parse_form
from frame_metric.api.openapi import openapi_document
from frame_metric.api.proxy import proxy_handler
from frame_metric.api.qr_routes import qr_blueprint
from frame_metric.api.review_routes import review_blueprint
from frame_metric.api.task_routes import task_blueprint
from frame_metric.data import bind_models
from frame_metric.errors import BadRequest
from frame_metric.observability import logger
from frame_metric.settings import per_settings
from frame_metric.videos.schemas import AnalysisOptionsRequest, PresignedUploadRequest
from frame_metric.videos.service import IncomingFile, VideoService

app = Chalice(app_name="frame-metric", configure_logs=False)
app.log = logging.getLogger(logger.name)  # Chalice's own lines (a 500's traceback) as JSON with the request's keys
app.api.binary_types.append("multipart/form-data")
app.api.binary_types.append("video/mp4")
API = "/api/v1"
app.register_blueprint(monitor_config_blueprint(), url_prefix=f"{API}/monitor")
app.register_blueprint(monitor_runs_blueprint(), url_prefix=f"{API}/monitor")
app.api.binary_types.append("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")  # run export
app.register_blueprint(task_blueprint(), url_prefix=f"{API}/task")
app.register_blueprint(review_blueprint(), url_prefix=f"{API}/review")
app.register_blueprint(qr_blueprint(), url_prefix=f"{API}/qr")  # answers image/png, image/gif (binary by default)
add_api_middleware(app)  # {"detail": ...} for Chalice's own refusals; CORS for the console's origin only


@per_settings
def videos() -> VideoService:
    bind_models()
    return VideoService()


def route(path: str, **options: Any) -> Callable[[View], View]:
    return lambda view: app.route(path, **options)(guarded(view))


def _form(max_files: int) -> Any:
    request = app.current_request
    service = videos()
    return parse_form(request.headers.get("content-type"), request.raw_body,
                      service.settings.max_video_bytes, max_files)


# -- system -------------------------------------------------------------------------------------

@route("/")
def root() -> Response:
    return json_response({"name": "frame-metric", "version": __version__, "status": "running", "docs": "/docs"})


@route("/health")
def health() -> Response:
    return json_response({"status": "healthy", "version": __version__})


@route("/openapi.json")
def openapi() -> Response:
    return json_response(openapi_document())


@route("/docs")
def docs() -> Response:
    return Response(body=docs_page(), headers={"Content-Type": "text/html; charset=utf-8"})


@route("/redoc")
def redoc() -> Response:
    return Response(body=redoc_page(), headers={"Content-Type": "text/html; charset=utf-8"})


@route("/docs/{name}")
def docs_asset(name: str) -> Response:
    found = asset(name)
    if found is None:
        return error_response(404, f"no such documentation asset: {name}")
    data, content_type = found
    return Response(body=data.decode("utf-8"), headers={"Content-Type": content_type})


# -- videos -------------------------------------------------------------------------------------

def _options(form: Any) -> AnalysisOptionsRequest | None:
    """The optional form field `options`: JSON of the per-upload analysis options."""
    raw = form.fields.get("options", "").strip()
    if not raw:
        return None
    try:
        return AnalysisOptionsRequest.model_validate_json(raw)
    except ValidationError as exc:
        if any(e["type"] == "json_invalid" for e in exc.errors()):
            raise BadRequest("the form field 'options' is not valid JSON") from None
        raise

@route(f"{API}/video/upload", methods=["POST"], content_types=["multipart/form-data"])
def upload_video() -> Response:
    with _form(max_files=1) as form:
        files = form.files_named("file")
        if not files:
            raise BadRequest("no file was sent: use the multipart form field 'file'")
        item = files[0]
        return json_response(videos().upload(IncomingFile(item.filename, item.path, item.size), _options(form)))


@route(f"{API}/video/batch-upload", methods=["POST"], content_types=["multipart/form-data"])
def batch_upload_videos() -> Response:
    service = videos()
    with _form(max_files=service.settings.max_batch_files) as form:
        files = [IncomingFile(f.filename, f.path, f.size) for f in form.files_named("files", "files[]")]
        return json_response(service.batch_upload(files, _options(form)))


@route(f"{API}/video/upload-url", methods=["POST"])
def presigned_upload() -> Response:
    return json_response(videos().presign_upload(json_body(app.current_request, PresignedUploadRequest)))


@route(f"{API}/video/list")
def list_videos() -> Response:
    request = app.current_request
    return json_response(videos().list(query_int(request, "skip", 0), query_int(request, "limit", 20),
                                       query_str(request, "status")))


@route(f"{API}/video/{{video_id}}/status")
def video_status(video_id: str) -> Response:
    return json_response(videos().status(video_id))


@route(f"{API}/video/{{video_id}}/progress")
def video_progress(video_id: str) -> Response:
    request = app.current_request  # ?wait=S&since=TOKEN: a long poll (frame_metric/videos/waiting.py)
    return json_response(videos().progress(video_id, query_int(request, "wait", 0), query_str(request, "since")))


@route(f"{API}/video/{{video_id}}/cancel", methods=["POST"])
def cancel_video(video_id: str) -> Response:
    return json_response(videos().cancel(video_id))


# The Lambda entry point (template.yaml Handler: app.handler): one proxy route in front of the routes.
handler = proxy_handler(app)
