"""The HTTP API (API Gateway + Lambda via Chalice). Routes parse the request and call the domain."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from chalice import Chalice, Response
from frame_metric import __version__
from frame_metric.api.docs import asset, docs_page
from frame_metric.api.multipart import parse_form
from frame_metric.api.openapi import openapi_document
from frame_metric.api.proxy import proxy_handler
from frame_metric.data import bind_models
from frame_metric.errors import BadRequest, FrameMetricError, ValidationFailed
from frame_metric.videos.schemas import PresignedUploadRequest
from frame_metric.videos.service import IncomingFile, VideoService
from pydantic import BaseModel, ValidationError

app = Chalice(app_name="frame-metric")
app.api.binary_types.append("multipart/form-data")
app.api.binary_types.append("video/mp4")
API = "/api/v1"


@lru_cache(maxsize=1)
def videos() -> VideoService:
    bind_models()
    return VideoService()


def _json(value: Any, status: int = 200) -> Response:
    if isinstance(value, BaseModel):
        body = value.model_dump_json()
    elif isinstance(value, list):
        body = "[" + ",".join(item.model_dump_json() for item in value) + "]"
    else:
        body = json.dumps(value, ensure_ascii=False)
    return Response(body=body, status_code=status, headers={"Content-Type": "application/json"})


def _error(status: int, detail: str) -> Response:
    return _json({"detail": detail}, status)


def route(path: str, **options: Any) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """app.route, with every error the domain names turned into the spec's {"detail": ...} and its
    status code (Chalice turns any other exception into a 500 before middleware could see it)."""

    def decorate(view: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Response:
            try:
                return view(*args, **kwargs)
            except FrameMetricError as exc:
                return _error(exc.status_code, exc.detail)
            except ValidationError as exc:
                problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}"
                                     for e in exc.errors())
                return _error(422, problems)

        return app.route(path, **options)(guarded)

    return decorate


def _query_int(name: str, default: int) -> int:
    raw = (app.current_request.query_params or {}).get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValidationFailed(f"{name} must be an integer, got {raw!r}") from None


def _json_body(model: type[BaseModel]) -> Any:
    raw = app.current_request.raw_body
    if not raw:
        raise BadRequest("the request needs a JSON body")
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        if any(e["type"] == "json_invalid" for e in exc.errors()):
            raise BadRequest("the request body is not valid JSON") from None
        raise


def _form(max_files: int) -> Any:
    request = app.current_request
    service = videos()
    return parse_form(request.headers.get("content-type"), request.raw_body,
                      service.settings.max_video_bytes, max_files)


# -- system -------------------------------------------------------------------------------------

@route("/")
def root() -> Response:
    return _json({"name": "frame-metric", "version": __version__, "status": "running", "docs": "/docs"})


@route("/health")
def health() -> Response:
    return _json({"status": "healthy", "version": __version__})


@route("/openapi.json")
def openapi() -> Response:
    return _json(openapi_document())


@route("/docs")
def docs() -> Response:
    return Response(body=docs_page(), headers={"Content-Type": "text/html; charset=utf-8"})


@route("/docs/{name}")
def docs_asset(name: str) -> Response:
    found = asset(name)
    if found is None:
        return _error(404, f"no such documentation asset: {name}")
    data, content_type = found
    if content_type.startswith("image/"):
        return Response(body=data, headers={"Content-Type": content_type})
    return Response(body=data.decode("utf-8"), headers={"Content-Type": content_type})


# -- videos -------------------------------------------------------------------------------------

@route(f"{API}/video/upload", methods=["POST"], content_types=["multipart/form-data"])
def upload_video() -> Response:
    with _form(max_files=1) as form:
        files = form.files_named("file")
        if not files:
            raise BadRequest("no file was sent: use the multipart form field 'file'")
        item = files[0]
        return _json(videos().upload(IncomingFile(item.filename, item.path, item.size)))


@route(f"{API}/video/batch-upload", methods=["POST"], content_types=["multipart/form-data"])
def batch_upload_videos() -> Response:
    service = videos()
    with _form(max_files=service.settings.max_batch_files) as form:
        files = [IncomingFile(f.filename, f.path, f.size) for f in form.files_named("files", "files[]")]
        return _json(service.batch_upload(files))


@route(f"{API}/video/upload-url", methods=["POST"])
def presigned_upload() -> Response:
    return _json(videos().presign_upload(_json_body(PresignedUploadRequest)))


@route(f"{API}/video/list")
def list_videos() -> Response:
    status = (app.current_request.query_params or {}).get("status") or None
    return _json(videos().list(_query_int("skip", 0), _query_int("limit", 20), status))


@route(f"{API}/video/{{video_id}}/status")
def video_status(video_id: str) -> Response:
    return _json(videos().status(video_id))


@route(f"{API}/video/{{video_id}}/progress")
def video_progress(video_id: str) -> Response:
    return _json(videos().progress(video_id))


@route(f"{API}/video/{{video_id}}/cancel", methods=["POST"])
def cancel_video(video_id: str) -> Response:
    return _json(videos().cancel(video_id))


# The Lambda entry point (template.yaml Handler: app.handler): one proxy route in front of the routes.
handler = proxy_handler(app)
