"""POST /api/v1/monitor/runs/{run_id}/samples: a batch of monitoring samples (API Gateway proxy event)."""

from __future__ import annotations

import base64
import json
from typing import Any

from frame_metric.data import bind_models
from frame_metric.errors import FrameMetricError
from frame_metric.monitor import tokens
from frame_metric.monitor.ingest import ingest
from frame_metric.observability import BATCHES_REFUSED, SAMPLES_INGESTED, count, logger, observed
from frame_metric.pipeline.transient import BUSY_DETAIL, BUSY_RETRY_AFTER_S, is_transient, log_busy

_bound = False


def _response(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> dict[str, Any]:
    return {"statusCode": status, "headers": {"Content-Type": "application/json", **(headers or {})},
            "body": json.dumps(body, ensure_ascii=False)}


@observed()
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    global _bound
    if not _bound:  # once per container: binding drops cached connections
        bind_models()
        _bound = True
    run_id = (event.get("pathParameters") or {}).get("run_id") or ""
    # This invocation's keys (each invocation sets both again: nothing stale survives into the next).
    logger.thread_safe_append_keys(run_id=run_id, request_id=(event.get("requestContext") or {}).get("requestId"))
    headers = {name.lower(): value for name, value in (event.get("headers") or {}).items()}
    raw = event.get("body") or ""
    body = base64.b64decode(raw) if event.get("isBase64Encoded") else raw.encode()
    try:
        stored = ingest(run_id, tokens.bearer(headers.get("authorization")), body)
    except FrameMetricError as exc:
        count(BATCHES_REFUSED)
        logger.info("batch refused", extra={"status": exc.status_code, "detail": exc.detail})
        return _response(exc.status_code, {"detail": exc.detail})
    except Exception as exc:
        if not is_transient(exc):
            raise
        # The runner spools the batch and resends it (stored once by its seq): no Lambda error, no 502.
        log_busy(exc)
        return _response(503, {"detail": BUSY_DETAIL}, {"Retry-After": str(BUSY_RETRY_AFTER_S)})
    if stored.get("stored"):
        count(SAMPLES_INGESTED, int(stored.get("samples") or 0))
    return _response(200, stored)
