"""CORS for a console served from another origin (a static site next to the API). Off unless
FRAME_METRIC_CONSOLE_ORIGINS names the console's origins (comma-separated, or "*"): the local
`frame-metric serve` hands out the console from the API's own origin and needs none."""

from __future__ import annotations

import os
from typing import Any

from frame_metric.api.proxy import LambdaHandler

ALLOWED_METHODS = "GET,POST,PUT,DELETE,OPTIONS"
ALLOWED_HEADERS = "Content-Type,Authorization"


def configured_origins() -> list[str]:
    raw = os.environ.get("FRAME_METRIC_CONSOLE_ORIGINS", "")
    return [origin.strip().rstrip("/") for origin in raw.split(",") if origin.strip()]


def allowed_origin(request_origin: str | None, origins: list[str]) -> str | None:
    """The Access-Control-Allow-Origin value for this request, or None when it gets no CORS headers."""
    if not request_origin or not origins:
        return None
    if "*" in origins:
        return "*"
    return request_origin if request_origin.rstrip("/") in origins else None


def _origin(event: dict[str, Any]) -> str | None:
    headers = event.get("headers") or {}
    return next((value for name, value in headers.items() if name.lower() == "origin"), None)


def with_cors(handler: LambdaHandler) -> LambdaHandler:
    """Answer preflights and add the CORS headers to every answer for an allowed origin."""

    def wrapped(event: dict[str, Any], context: Any) -> dict[str, Any]:
        origin = allowed_origin(_origin(event), configured_origins())
        if origin is None:
            return handler(event, context)
        headers = {"Access-Control-Allow-Origin": origin, "Vary": "Origin",
                   "Access-Control-Expose-Headers": "Content-Disposition"}
        if event.get("httpMethod") == "OPTIONS":
            return {"statusCode": 204, "body": "", "headers": {
                **headers, "Access-Control-Allow-Methods": ALLOWED_METHODS,
                "Access-Control-Allow-Headers": ALLOWED_HEADERS, "Access-Control-Max-Age": "3600"}}
        response = handler(event, context)
        response["headers"] = {**(response.get("headers") or {}), **headers}
        return response

    return wrapped
