"""Routes of the task API (mounted at /api/v1/task): tasks of videos, statistics, export."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice import Blueprint, Response

from frame_metric.api.http import View, guarded, json_body, json_response, query_id, query_int, query_str
from frame_metric.data import bind_models
from frame_metric.data.video import utcnow
from frame_metric.errors import ValidationFailed
from frame_metric.settings import per_settings
from frame_metric.spreadsheet import CSV, XLSX
from frame_metric.tasks import export
from frame_metric.tasks.schemas import TaskCreate, TaskUpdate, VideoAddToTask
from frame_metric.tasks.service import TaskService


@per_settings
def service() -> TaskService:
    bind_models()
    return TaskService()


def task_blueprint() -> Blueprint:
    """A new blueprint per app (see monitor_config_blueprint: Chalice consumes a blueprint's routes)."""
    bp = Blueprint(__name__)

    def route(path: str, **options: Any) -> Callable[[View], View]:
        return lambda view: bp.route(path, **options)(guarded(view))

    @route("/create", methods=["POST"])
    def create_task() -> Response:
        return json_response(service().create(json_body(bp.current_request, TaskCreate)))

    @route("/list")
    def list_tasks() -> Response:
        request = bp.current_request
        return json_response(service().list(query_id(request, "user"), query_int(request, "skip", 0),
                                            query_int(request, "limit", 20)))

    @route("/{task_id}")
    def get_task(task_id: str) -> Response:
        return json_response(service().detail(task_id))

    @route("/{task_id}", methods=["PUT"])
    def update_task(task_id: str) -> Response:
        return json_response(service().update(task_id, json_body(bp.current_request, TaskUpdate)))

    @route("/{task_id}", methods=["DELETE"])
    def delete_task(task_id: str) -> Response:
        return json_response(service().delete(task_id))

    @route("/{task_id}/videos", methods=["POST"])
    def add_videos(task_id: str) -> Response:
        return json_response(service().add_videos(task_id, json_body(bp.current_request, VideoAddToTask)))

    @route("/{task_id}/videos/{video_id}", methods=["DELETE"])
    def remove_video(task_id: str, video_id: str) -> Response:
        return json_response(service().remove_video(task_id, video_id))

    @route("/{task_id}/calculate-stats", methods=["POST"])
    def calculate_stats(task_id: str) -> Response:
        return json_response(service().calculate_stats(task_id))

    @route("/{task_id}/statistics")
    def statistics(task_id: str) -> Response:
        return json_response(service().statistics(task_id))

    @route("/{task_id}/export")
    def export_task(task_id: str) -> Response:
        kind = query_str(bp.current_request, "format") or "excel"
        if kind not in export.FORMATS:
            raise ValidationFailed(f"format must be excel or csv, got {kind!r}")
        task = service().detail(task_id)
        now = utcnow()
        if kind == "csv":
            body: str | bytes = export.to_csv(task)
            content_type, extension = CSV, "csv"
        else:
            body, content_type, extension = export.to_excel(task, now), XLSX, "xlsx"
        disposition = export.content_disposition(task.name, extension, now)
        return Response(body=body, headers={"Content-Type": content_type, "Content-Disposition": disposition})

    return bp
