"""S3 ObjectCreated (through SQS) -> check the upload and start its pipeline execution."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from frame_metric.data import bind_models
from frame_metric.observability import logger
from frame_metric.pipeline.trigger import handle_event


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    bind_models()
    outcomes = handle_event(event)
    for outcome in outcomes:
        logger.info("upload handled", extra={"video_id": outcome.video_id, "action": outcome.action})
    return {"outcomes": [asdict(outcome) for outcome in outcomes]}
