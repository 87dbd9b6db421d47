"""Scheduled: fail videos whose pipeline can no longer finish (timed out, aborted, lost)."""

from __future__ import annotations

from typing import Any

from frame_metric.data import bind_models
from frame_metric.pipeline.sweeper import sweep


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    bind_models()
    return {"ended": sweep()}
