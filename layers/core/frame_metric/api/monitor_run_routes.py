"""HTTP routes of monitoring runs (registered under /api/v1/monitor).

POST .../samples goes to the ingest function (template.yaml IngestFunction: API Gateway and the local
cloud route it there, before {proxy+}). The API serves the same domain call too, so the app is whole
on its own (chalice.test.Client, a stack with only the proxy route) and the two cannot drift apart."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice import Blueprint, Response

from frame_metric.api.http import View, guarded, json_body, json_response, query_id, query_int, query_str
from frame_metric.data import bind_models
from frame_metric.errors import ValidationFailed
from frame_metric.monitor import export, live, tokens
from frame_metric.monitor.ingest import ingest
from frame_metric.monitor.run_schemas import CreateRunRequest, FailRunRequest, LinkVideoRequest, StartRunRequest
from frame_metric.monitor.runs import RunService, load_samples
from frame_metric.settings import per_settings


@per_settings
def service() -> RunService:
    bind_models()
    return RunService()


def monitor_runs_blueprint() -> Blueprint:
    """A new blueprint per app. (Chalice pops `methods` from a blueprint's stored route options when
    it registers them, so one blueprint registered with a second app -- app.py loaded again, as the
    handler tests do -- would turn every route into GET.)"""
    runs_bp = Blueprint(__name__)

    def route(path: str, **options: Any) -> Callable[[View], View]:
        return lambda view: runs_bp.route(path, **options)(guarded(view))

    def _token() -> str | None:
        return tokens.bearer(runs_bp.current_request.headers.get("authorization"))

    def _body(model: Any) -> Any:
        # Runner actions may come without a body: every field of these requests is optional.
        request = runs_bp.current_request
        return json_body(request, model) if request.raw_body else model()

    @route("/tasks/{task_id}/runs", methods=["POST"])
    def create_run(task_id: str) -> Response:
        return json_response(service().create(task_id, _body(CreateRunRequest)), 201)

    @route("/tasks/{task_id}/runs")
    def list_runs(task_id: str) -> Response:
        request = runs_bp.current_request
        return json_response(service().list_for_task(task_id, query_int(request, "skip", 0),
                                                     query_int(request, "limit", 20)))

    @route("/runs/compare")
    def compare_runs() -> Response:
        request = runs_bp.current_request
        return json_response(service().compare(query_id(request, "a"), query_id(request, "b")))

    @route("/runs/{run_id}")
    def get_run(run_id: str) -> Response:
        return json_response(service().get(run_id))

    @route("/runs/{run_id}/start", methods=["POST"])
    def start_run(run_id: str) -> Response:
        return json_response(service().start(run_id, _token(), _body(StartRunRequest)))

    @route("/runs/{run_id}/heartbeat", methods=["POST"])
    def heartbeat_run(run_id: str) -> Response:
        return json_response(service().heartbeat(run_id, _token()))

    @route("/runs/{run_id}/finish", methods=["POST"])
    def finish_run(run_id: str) -> Response:
        return json_response(service().finish(run_id, _token()))

    @route("/runs/{run_id}/fail", methods=["POST"])
    def fail_run(run_id: str) -> Response:
        token = _token()
        request = json_body(runs_bp.current_request, FailRunRequest)
        return json_response(service().fail(run_id, token, request.reason))

    @route("/runs/{run_id}/cancel", methods=["POST"])
    def cancel_run(run_id: str) -> Response:
        return json_response(service().cancel(run_id, _token()))

    @route("/runs/{run_id}/samples", methods=["POST"])
    def ingest_samples(run_id: str) -> Response:
        service()  # models bound
        return json_response(ingest(run_id, _token(), runs_bp.current_request.raw_body or b""))

    @route("/runs/{run_id}/samples")
    def live_samples(run_id: str) -> Response:
        request = runs_bp.current_request
        since = query_int(request, "since", 0)
        max_points = query_int(request, "max_points", live.DEFAULT_POINTS)
        if since < 0 or not 10 <= max_points <= live.MAX_POINTS:
            raise ValidationFailed(f"since must be >= 0 and max_points 10-{live.MAX_POINTS}")
        service().run(run_id)  # 404 for an unknown run
        return json_response(live.live_view(run_id, since, max_points))

    @route("/runs/{run_id}/results")
    def run_results(run_id: str) -> Response:
        return json_response(service().results(run_id))

    @route("/runs/{run_id}/export")
    def export_run(run_id: str) -> Response:
        kind = query_str(runs_bp.current_request, "format") or "csv"
        if kind not in ("csv", "excel"):
            raise ValidationFailed(f"format must be csv or excel, got {kind!r}")
        result = service().results(run_id)
        samples, marks = load_samples(run_id)
        if kind == "csv":
            return Response(body=export.to_csv(result, samples, marks), headers={
                "Content-Type": "text/csv; charset=utf-8",
                "Content-Disposition": f'attachment; filename="run-{run_id}.csv"'})
        return Response(body=export.to_excel(result, samples, marks), headers={
            "Content-Type": export.XLSX, "Content-Disposition": f'attachment; filename="run-{run_id}.xlsx"'})

    @route("/runs/{run_id}/video", methods=["PUT"])
    def link_video(run_id: str) -> Response:
        return json_response(service().link_video(run_id, json_body(runs_bp.current_request, LinkVideoRequest)))

    @route("/runs/{run_id}/videos", methods=["POST"])
    def add_video(run_id: str) -> Response:
        return json_response(service().add_video(run_id, json_body(runs_bp.current_request, LinkVideoRequest)))

    return runs_bp
