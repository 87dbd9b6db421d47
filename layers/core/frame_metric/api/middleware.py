"""What every answer of the API goes through: Chalice's own refusals in the API's `{"detail": ...}`
shape, and CORS for the web console's origin only.

CORS: template.yaml's ConsoleOrigin reaches the function as FRAME_METRIC_CORS_ORIGIN. API Gateway
answers the preflight (OPTIONS); the actual answer must name the origin too, and with a proxy
integration only the function can add it. No origin configured: no header, so pages of other sites
cannot read the API's answers.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from chalice import Chalice, Response

from frame_metric.settings import get_settings

log = logging.getLogger(__name__)


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


def add_api_middleware(app: Chalice) -> None:
    @app.middleware("http")
    def shape_and_cors(event: Any, get_response: Any) -> Response:
        try:
            response = _as_detail(get_response(event))
        except Exception:
            # A bug, not bad input: the trace goes to the log, the caller learns nothing inside.
            log.exception("unhandled error in %s %s", event.method, event.path)
            response = Response(body=json.dumps({"detail": "internal error"}), status_code=500,
                                headers={"Content-Type": "application/json"})
        origin = allowed_origin(event.headers.get("origin"), get_settings().cors_origin)
        if origin is not None:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Vary"] = "Origin"
            # The console names export downloads after the server's file name.
            response.headers["Access-Control-Expose-Headers"] = "Content-Disposition,X-QR-Version,X-QR-Level"
        return response
