"""The pipeline's last steps, without the decoder: Finalize (the result) and MarkFailed (the reason)."""

from __future__ import annotations

from typing import Any

from frame_metric.observability import VIDEOS_COMPLETED, VIDEOS_FAILED, count, logger, observed
from frame_metric.pipeline import outcome
from frame_metric.pipeline.transient import step_handler

_finalize = step_handler(outcome.finalize)
_fail = step_handler(outcome.fail)


@observed("video_id")
def finalize(event: dict[str, Any], context: Any) -> dict[str, Any]:
    result = _finalize(event, context)
    if result["status"] == "completed":
        count(VIDEOS_COMPLETED)
        logger.info("video completed")
    return result


@observed("video_id")
def fail(event: dict[str, Any], context: Any) -> dict[str, Any]:
    result = _fail(event, context)
    if result["status"] == "failed":
        count(VIDEOS_FAILED)
        logger.warning("video failed", extra={"reason": result["reason"]})
    return result
