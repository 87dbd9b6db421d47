"""Run a Chalice app behind one API Gateway proxy route ({proxy+}).

Chalice dispatches on `requestContext.resourcePath`, which a proxy integration sets to "/{proxy+}".
template.yaml is hand-written (Chalice cannot package S3 events or state machines), so the API function
restores the route the request means before Chalice sees it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from chalice import Chalice
from chalice.local import RouteMatcher

LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]


def proxy_handler(app: Chalice) -> LambdaHandler:
    matcher: RouteMatcher | None = None

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        nonlocal matcher
        if matcher is None:  # routes are all registered once the module has loaded
            matcher = RouteMatcher(list(app.routes))
        context_info = event.setdefault("requestContext", {})
        if context_info.get("resourcePath") in app.routes:
            return app(event, context)
        path = event.get("path") or "/"
        try:
            match = matcher.match_route(path)
        except ValueError:
            return {"statusCode": 404, "headers": {"Content-Type": "application/json"},
                    "body": json.dumps({"detail": f"no such endpoint: {event.get('httpMethod', 'GET')} {path}"})}
        context_info["resourcePath"] = match.route
        event["pathParameters"] = {name: unquote(value) for name, value in match.captured.items()} or None
        return app(event, context)

    return handler
