"""Structured logs and metrics of the Lambda functions, with Powertools for AWS Lambda.

Logs are JSON lines carrying the video_id or run_id they are about (CloudWatch Logs Insights can
filter on them); metrics go out in CloudWatch's embedded metric format, one blob per invocation,
under the namespace of POWERTOOLS_METRICS_NAMESPACE (template.yaml Globals). Tracing is X-Ray's
active tracing of every function and the state machine (template.yaml), which needs no SDK here.
The local cloud turns metrics off (POWERTOOLS_METRICS_DISABLED): there is no CloudWatch to read them.

The domain's own loggers (`frame_metric.*`, stdlib logging) write through the same JSON handler in a
function's process on Lambda, so a warning from deep in a service carries the keys too. Not in the
local cloud: there every function shares the CLI's process, whose logs stay the CLI's."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
from collections.abc import Callable, Iterator
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
DOMAIN_LOGGER = "frame_metric"


def in_lambda() -> bool:
    """In a function's own process on AWS Lambda (which sets this variable before any import)."""
    return bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))


def route_domain_logs() -> None:
    """Send the `frame_metric.*` loggers' records through the Powertools logger's JSON handler (with its
    level), not up to the root logger: each line then carries the keys appended for the work at hand."""
    domain = logging.getLogger(DOMAIN_LOGGER)
    domain.handlers = list(logger.handlers)
    domain.setLevel(logger.log_level)
    domain.propagate = False  # Lambda's root handler would write each line a second time
    logger.append_keys(name="%(name)s")  # which module spoke (the formatter fills it in)


if in_lambda():
    route_domain_logs()


def tag(**keys: Any) -> None:
    """Log lines carry `keys` for the rest of this thread's unit of work: an API request (whose
    middleware clears them when it ends), e.g. the video_id an upload has just created."""
    logger.thread_safe_append_keys(**{key: value for key, value in keys.items() if value})


@contextlib.contextmanager
def tagged(**keys: Any) -> Iterator[None]:
    """Log lines written inside carry `keys` (video_id, run_id, ...); empty values are left out."""
    found = {key: value for key, value in keys.items() if value}
    logger.thread_safe_append_keys(**found)  # the local cloud runs handlers in threads
    try:
        yield
    finally:
        logger.thread_safe_remove_keys(list(found))


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
            found = {key: event.get(key) for key in keys} if isinstance(event, dict) else {}
            try:
                with tagged(**found):
                    return handler(event, context)
            finally:
                if metrics.metric_set:
                    metrics.flush_metrics()  # prints the EMF blob, unless POWERTOOLS_METRICS_DISABLED
                metrics.clear_metrics()  # flushing while disabled would keep them: never let them pile up

        return observed_handler

    return wrap
