"""What every answer of the API goes through: Chalice's own refusals in the API's `{"detail": ...}`
shape, CORS for the web console's origin only, and the request's log context.

Logs: every line written while a request is handled (here, in Chalice, in the domain) carries the
request id and the ids the path names (video_id, run_id, task_id, ...), or that a POST created, as
JSON keys of the shared Powertools logger. Levels, chosen for 1,000 runners x 2 batches a second
(docs/scale.md, Operations): a refusal (4xx) INFO with its reason, a busy store (503) WARNING, a bug
(500) ERROR with its traceback, each once; a successful change (POST/PUT/DELETE) INFO, except the
runners' samples and heartbeats; every other request DEBUG only.

CORS: template.yaml's ConsoleOrigin reaches the function as FRAME_METRIC_CORS_ORIGIN. API Gateway
answers the preflight (OPTIONS); the actual answer must name the origin too, and with a proxy
integration only the function can add it. No origin configured: no header, so pages of other sites
cannot read the API's answers.
"""

from __future__ import annotations

import json
import time
from typing import Any

from chalice import Chalice, Response
from chalice.app import Request

from frame_metric.observability import logger
from frame_metric.settings import get_settings

# Runner traffic: thousands a second at scale, logged at DEBUG only (the ingest function and
# SamplesIngested/BatchesRefused count it).
RUNNER_ROUTES = ("/runs/{run_id}/samples", "/runs/{run_id}/heartbeat")
CREATED_KEYS = ("video_id", "run_id", "batch_id")


def allowed_origin(request_origin: str | None, configured: str) -> str | None:
    if not configured or not request_origin:
        return None
    return configured if request_origin.rstrip("/") == configured.rstrip("/") else None


def _as_detail(response: Response) -> Response:
    """Chalice answers some requests itself (415 for a content type a route does not take, 405, and
    500 for an unhandled exception) with {"Code", "Message"}: the contract is {"detail": ...}."""
    body = response.body
    if isinstance(body, dict) and set(body) == {"Code", "Message"}:
        response.body = json.dumps({"detail": str(body["Message"])})
        response.headers["Content-Type"] = "application/json"
    return response


def request_keys(request: Request) -> dict[str, str]:
    """The request id (API Gateway's, else the Lambda invocation's) and the ids the path names."""
    keys = {name: value for name, value in (request.uri_params or {}).items() if name.endswith("_id") and value}
    request_id = request.context.get("requestId") or getattr(request.lambda_context, "aws_request_id", None)
    if request_id:
        keys["request_id"] = str(request_id)
    return keys


def _body(response: Response) -> Any:
    if isinstance(response.body, dict):
        return response.body
    try:
        return json.loads(response.body) if isinstance(response.body, str | bytes) else None
    except ValueError:
        return None


def created_keys(request: Request, response: Response) -> dict[str, str]:
    """The ids a successful POST created (an upload's video_id, a new run's run_id, a batch_id)."""
    if request.method != "POST" or response.status_code >= 300:
        return {}
    body = _body(response)
    return {key: str(body[key]) for key in CREATED_KEYS if isinstance(body, dict) and body.get(key)}


def log_outcome(request: Request, response: Response, seconds: float) -> None:
    status = response.status_code
    fields = {"method": request.method, "route": request.path, "status": status, "ms": round(seconds * 1000, 1)}
    if status >= 500:
        return  # logged where it happened: a 500 with its traceback (Chalice), a 503 by guarded()
    if status >= 400:
        body = _body(response)
        detail = body.get("detail") if isinstance(body, dict) else None
        logger.info("request refused", extra={**fields, "detail": detail})
    elif request.method in ("POST", "PUT", "PATCH", "DELETE") and not request.path.endswith(RUNNER_ROUTES):
        logger.info("request done", extra=fields)
    else:
        logger.debug("request done", extra=fields)


def add_api_middleware(app: Chalice) -> None:
    # Outermost (registered first): the keys are in place for everything below, the final answer logged.
    @app.middleware("http")
    def log_context(event: Request, get_response: Any) -> Response:
        began = time.perf_counter()
        logger.thread_safe_append_keys(**request_keys(event))
        try:
            response = get_response(event)
            logger.thread_safe_append_keys(**created_keys(event, response))
            log_outcome(event, response, time.perf_counter() - began)
            return response
        finally:
            logger.thread_safe_clear_keys()  # a request is the unit of work of its thread

    @app.middleware("http")
    def shape_and_cors(event: Any, get_response: Any) -> Response:
        try:
            response = _as_detail(get_response(event))
        except Exception:
            # A bug, not bad input: the trace goes to the log, the caller learns nothing inside.
            logger.exception("unhandled error in %s %s", event.method, event.path)
            response = Response(body=json.dumps({"detail": "internal error"}), status_code=500,
                                headers={"Content-Type": "application/json"})
        origin = allowed_origin(event.headers.get("origin"), get_settings().cors_origin)
        if origin is not None:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Vary"] = "Origin"
            # The console names export downloads after the server's file name.
            response.headers["Access-Control-Expose-Headers"] = "Content-Disposition,X-QR-Version,X-QR-Level"
        return response
