"""Which failures are worth a retry. The state machine retries `TransientError` with backoff and sends
every other error to MarkFailed, so a throttled DynamoDB write retries and a corrupt video fails once."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError, ReadTimeoutError
from pynamodb.exceptions import PynamoDBException

from frame_metric.data import bind_models

RETRYABLE_CODES = {
    "Throttling", "ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded",
    "TransactionConflictException", "InternalError", "InternalServerError", "InternalFailure",
    "ServiceUnavailable", "SlowDown", "RequestTimeout", "RequestTimeoutException",
}
Step = Callable[[dict[str, Any]], dict[str, Any]]


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
