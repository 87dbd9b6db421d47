"""Structured logs and metrics of the Lambda functions, with Powertools for AWS Lambda.

Logs are JSON lines carrying the video_id or run_id they are about (CloudWatch Logs Insights can
filter on them); metrics go out in CloudWatch's embedded metric format, one blob per invocation,
under the namespace of POWERTOOLS_METRICS_NAMESPACE (template.yaml Globals). Tracing is X-Ray's
active tracing of every function and the state machine (template.yaml), which needs no SDK here.
The local cloud turns metrics off (POWERTOOLS_METRICS_DISABLED): there is no CloudWatch to read them."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "frame-metric")
NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "FrameMetric")

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)

# Metric names the dashboard and docs/scale.md refer to.
VIDEOS_COMPLETED = "VideosCompleted"
VIDEOS_FAILED = "VideosFailed"
ANALYSIS_SECONDS_PER_VIDEO_SECOND = "AnalysisSecondsPerVideoSecond"
SAMPLES_INGESTED = "SamplesIngested"
BATCHES_REFUSED = "BatchesRefused"

Handler = Callable[[dict[str, Any], Any], Any]


def count(name: str, value: float = 1) -> None:
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def ratio(name: str, value: float) -> None:
    metrics.add_metric(name=name, unit=MetricUnit.NoUnit, value=value)


def observed(*keys: str) -> Callable[[Handler], Handler]:
    """A Lambda handler whose log lines carry the event's `keys` (video_id, run_id) and whose metrics
    are flushed when it returns (an invocation that recorded none prints nothing)."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def observed_handler(event: dict[str, Any], context: Any) -> Any:
            found = {key: event[key] for key in keys if isinstance(event, dict) and event.get(key)}
            logger.thread_safe_append_keys(**found)  # the local cloud runs handlers in threads
            try:
                return handler(event, context)
            finally:
                logger.thread_safe_remove_keys(list(found))
                if metrics.metric_set:
                    metrics.flush_metrics()  # prints the EMF blob, unless POWERTOOLS_METRICS_DISABLED
                metrics.clear_metrics()  # flushing while disabled would keep them: never let them pile up

        return observed_handler

    return wrap
