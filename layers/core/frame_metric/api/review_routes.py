"""Routes of the review API (mounted at /api/v1/review): pending videos, review data, marks, history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice import Blueprint, Response

from frame_metric.api.http import View, guarded, json_body, json_response, query_int, query_str
from frame_metric.data import bind_models
from frame_metric.errors import ValidationFailed
from frame_metric.review.actions import ActionMarkingRequest, mark_action
from frame_metric.review.schemas import FrameMarkingRequest
from frame_metric.review.service import ReviewService
from frame_metric.settings import per_settings


@per_settings
def service() -> ReviewService:
    bind_models()
    return ReviewService()


def review_blueprint() -> Blueprint:
    """A new blueprint per app (see monitor_config_blueprint: Chalice consumes a blueprint's routes)."""
    bp = Blueprint(__name__)

    def route(path: str, **options: Any) -> Callable[[View], View]:
        return lambda view: bp.route(path, **options)(guarded(view))

    @route("/pending")
    def pending() -> Response:
        request = bp.current_request
        include = (query_str(request, "include_frames") or "false").lower()
        if include not in ("true", "false"):
            raise ValidationFailed("include_frames must be true or false")
        return json_response(service().pending(query_int(request, "skip", 0), query_int(request, "limit", 20),
                                               include == "true"))

    @route("/{video_id}")
    def review_data(video_id: str) -> Response:
        return json_response(service().review(video_id))

    @route("/{video_id}/mark", methods=["POST"])
    def mark(video_id: str) -> Response:
        return json_response(service().mark(video_id, json_body(bp.current_request, FrameMarkingRequest)))

    @route("/{video_id}/actions/{index}/mark", methods=["POST"])
    def mark_one_action(video_id: str, index: str) -> Response:
        if not index.isdigit() or int(index) < 1:
            raise ValidationFailed(f"action index must be a positive integer, got {index!r}")
        request = json_body(bp.current_request, ActionMarkingRequest)
        return json_response(mark_action(video_id, int(index), request, service().store))

    @route("/{video_id}/history")
    def history(video_id: str) -> Response:
        return json_response(service().history(video_id))

    return bp
