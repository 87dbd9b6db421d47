"""Interactive API docs: Swagger UI from the swagger-ui-bundle package, no CDN needed."""

from __future__ import annotations

import mimetypes
from pathlib import Path

import swagger_ui_bundle

ASSETS = Path(swagger_ui_bundle.swagger_ui_path)
ALLOWED = {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "index.css",
           "favicon-32x32.png", "favicon-16x16.png"}

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>frame-metric API</title>
<link rel="stylesheet" href="docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({{url: "openapi.json", dom_id: "#swagger-ui"}});</script>
</body></html>"""


def docs_page() -> str:
    # Relative URLs: the same page works at /docs locally and under an API Gateway stage prefix.
    return PAGE.replace("{{", "{").replace("}}", "}")


def asset(name: str) -> tuple[bytes, str] | None:
    if name not in ALLOWED:
        return None
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return (ASSETS / name).read_bytes(), content_type
