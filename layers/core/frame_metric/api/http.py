"""Request and response helpers shared by every route: JSON bodies, query values, and the spec's
`{"detail": ...}` errors with their status codes."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, TypeVar

from chalice import Response
from chalice.app import Request
from pydantic import BaseModel, ValidationError

from frame_metric.errors import BadRequest, FrameMetricError, ValidationFailed
from frame_metric.ids import MAX_ID_LENGTH, is_possible_id
from frame_metric.pipeline.transient import BUSY_DETAIL, BUSY_RETRY_AFTER_S, is_transient, log_busy

Model = TypeVar("Model", bound=BaseModel)
View = Callable[..., Response]


def json_response(value: Any, status: int = 200) -> Response:
    if isinstance(value, BaseModel):
        body = value.model_dump_json()
    elif isinstance(value, list) and all(isinstance(item, BaseModel) for item in value):
        body = "[" + ",".join(item.model_dump_json() for item in value) + "]"
    else:
        body = json.dumps(value, ensure_ascii=False, default=str)
    return Response(body=body, status_code=status, headers={"Content-Type": "application/json"})


def error_response(status: int, detail: str) -> Response:
    return json_response({"detail": detail}, status)


def guarded(view: View) -> View:
    """Every error the domain names becomes {"detail": ...} with its status code; a store throttled or
    unavailable (after the SDK's own retries) a 503 with Retry-After, which clients ask again after.
    Chalice turns any other exception into a 500 (and logs it, through the shared logger: app.py)
    before middleware could see it."""

    @functools.wraps(view)
    def run(*args: Any, **kwargs: Any) -> Response:
        # Path parameters (Chalice passes them by name) are ids or names: one that cannot be a key names
        # nothing (404), and must not reach a table, which would refuse it with a 500.
        for name, value in kwargs.items():
            if isinstance(value, str) and not is_possible_id(value):
                return error_response(404, f"no such {name.removesuffix('_id')}: {name} must be 1 to "
                                           f"{MAX_ID_LENGTH} printable characters")
        try:
            return view(*args, **kwargs)
        except FrameMetricError as exc:
            return error_response(exc.status_code, exc.detail)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors())
            return error_response(422, problems)
        except Exception as exc:
            if not is_transient(exc):
                raise
            log_busy(exc)
            response = error_response(503, BUSY_DETAIL)
            response.headers["Retry-After"] = str(BUSY_RETRY_AFTER_S)
            return response

    return run


# No paging value or count the API takes comes near this; bigger ones are refused, not overflowed.
QUERY_INT_LIMIT = 2**31 - 1


def query_int(request: Request, name: str, default: int) -> int:
    raw = (request.query_params or {}).get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationFailed(f"{name} must be an integer, got {raw[:40]!r}") from None
    if abs(value) > QUERY_INT_LIMIT:
        raise ValidationFailed(f"{name} is out of range (at most {QUERY_INT_LIMIT})")
    return value


def query_str(request: Request, name: str) -> str | None:
    return (request.query_params or {}).get(name) or None


def query_id(request: Request, name: str) -> str | None:
    """A query value that is an id or a name looked up by key (a creator): one that cannot be a key is
    refused (422) before it reaches a table."""
    value = query_str(request, name)
    if value is not None and not is_possible_id(value):
        raise ValidationFailed(f"{name} must be 1 to {MAX_ID_LENGTH} printable characters")
    return value


def json_body(request: Request, model: type[Model]) -> Model:
    raw = request.raw_body
    if not raw:
        raise BadRequest("the request needs a JSON body")
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        if any(e["type"] == "json_invalid" for e in exc.errors()):
            raise BadRequest("the request body is not valid JSON") from None
        raise
