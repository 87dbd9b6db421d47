"""S3 ObjectCreated (through SQS) -> check the upload and start its pipeline execution, or, with no
capacity left (pipeline/admission.py), leave its message in the queue for a while."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from frame_metric.data import bind_models
from frame_metric.observability import logger
from frame_metric.pipeline.admission import defer_messages
from frame_metric.pipeline.trigger import deferred_messages, handle_event


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    bind_models()
    outcomes = handle_event(event)
    for outcome in outcomes:
        logger.info("upload handled", extra={"video_id": outcome.video_id, "action": outcome.action})
    # The event source's partial batch response (ReportBatchItemFailures): these messages are not
    # deleted; each was hidden for its recheck delay and comes back then.
    waiting = defer_messages(deferred_messages(event, outcomes))
    return {"outcomes": [asdict(outcome) for outcome in outcomes],
            "batchItemFailures": [{"itemIdentifier": message_id} for message_id in waiting]}
