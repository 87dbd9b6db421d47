"""Which failures are worth a retry. The state machine retries `TransientError` with backoff and sends
every other error to MarkFailed, so a throttled DynamoDB write retries and a corrupt video fails once."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError, ReadTimeoutError
from pynamodb.exceptions import PynamoDBException

from frame_metric.data import bind_models
from frame_metric.observability import logger

RETRYABLE_CODES = {
    "Throttling", "ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded",
    "TransactionConflictException", "InternalError", "InternalServerError", "InternalFailure",
    "ServiceUnavailable", "SlowDown", "RequestTimeout", "RequestTimeoutException",
}
Step = Callable[[dict[str, Any]], dict[str, Any]]
# An HTTP request whose store stayed throttled after the SDK's own retries is answered 503 with this
# Retry-After (the runner and the CLI ask again), never a 500 or a Lambda error.
BUSY_RETRY_AFTER_S = 2
BUSY_DETAIL = "the service is busy (storage throttled): try again shortly"


class TransientError(Exception):
    """A failure that a later attempt may not meet (throttling, a 5xx, a dropped connection)."""


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, EndpointConnectionError | ConnectionClosedError | ReadTimeoutError | ConnectionError):
        return True
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        return error.get("Code") in RETRYABLE_CODES or status >= 500
    if isinstance(exc, PynamoDBException):
        return exc.cause_response_code in RETRYABLE_CODES or (exc.cause is not None and is_transient(exc.cause))
    return False


def log_busy(exc: BaseException) -> None:
    """Once per 503: a warning (the caller asks again), with the store's error code."""
    logger.warning("store busy: answered 503", extra={
        "error": f"{type(exc).__name__}: {exc}"[:500], "error_code": getattr(exc, "cause_response_code", None)})


def step_handler(step: Step) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """A Lambda handler for a pipeline step: bind the tables, run, name transient failures."""

    @functools.wraps(step)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        bind_models()
        try:
            return step(event)
        except Exception as exc:
            if is_transient(exc):
                raise TransientError(f"{type(exc).__name__}: {exc}") from exc
            raise

    return handler
