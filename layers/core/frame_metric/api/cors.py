"""CORS for the web console's origin only (template.yaml ConsoleOrigin -> FRAME_METRIC_CORS_ORIGIN).

API Gateway answers the preflight (OPTIONS); the actual answer must name the origin too, and with a
proxy integration only the function can add it. No origin configured: no header, so browsers on any
other site cannot read the API's answers.
"""

from __future__ import annotations

from typing import Any

from chalice import Chalice, Response

from frame_metric.settings import get_settings


def allowed_origin(request_origin: str | None, configured: str) -> str | None:
    if not configured or not request_origin:
        return None
    return configured if request_origin.rstrip("/") == configured.rstrip("/") else None


def add_console_cors(app: Chalice) -> None:
    @app.middleware("http")
    def console_cors(event: Any, get_response: Any) -> Response:
        response: Response = get_response(event)
        origin = allowed_origin(event.headers.get("origin"), get_settings().cors_origin)
        if origin is not None:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Vary"] = "Origin"
        return response
