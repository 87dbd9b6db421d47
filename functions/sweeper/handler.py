"""Scheduled: fail videos whose pipeline can no longer finish (timed out, aborted, lost)."""

from __future__ import annotations

import logging
from typing import Any

from frame_metric.data import bind_models
from frame_metric.monitor.runs import fail_silent_runs
from frame_metric.observability import logger
from frame_metric.pipeline.sweeper import sweep

log = logging.getLogger(__name__)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    bind_models()
    ended = sweep()
    # Monitoring runs whose runner went silent are failed by the same schedule; a problem there must
    # not stop the videos' sweep (done above), so it is logged and reported, not raised.
    try:
        runs_failed: int | str = fail_silent_runs()
    except Exception as exc:
        log.exception("failing silent monitoring runs failed")
        runs_failed = f"error: {type(exc).__name__}"
    logger.info("swept", extra={"videos_ended": ended, "runs_failed": runs_failed})
    return {"ended": ended, "runs_failed": runs_failed}
