"""Interactive API docs, offline: Swagger UI at /docs and ReDoc at /redoc, both reading /openapi.json.

Their assets come from npm (swagger-ui-dist, redoc's standalone bundle: package.json) and are copied
into docs_assets/ next to this module by `make install` (the Makefile's docs-assets target), so they
travel with the package into the core layer (~3 MB); no page loads anything from a CDN.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

ASSETS = Path(__file__).with_name("docs_assets")
# What the Makefile copies, and all that is served: (npm package, file).
FILES = {
    "swagger-ui.css": "swagger-ui-dist",
    "swagger-ui-bundle.js": "swagger-ui-dist",
    "redoc.standalone.js": "redoc/bundles",
}

# Relative URLs: the same pages work at /docs locally and under an API Gateway stage prefix. The policy
# keeps the pages to this server: ReDoc's attribution would fetch its logo from Redocly's CDN.
POLICY = ("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'; img-src 'self' data:; "
          "style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; worker-src 'self' blob:\">")
SWAGGER_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>frame-metric API</title>POLICY
<link rel="stylesheet" href="docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({url: "openapi.json", dom_id: "#swagger-ui"});</script>
</body></html>"""

REDOC_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>frame-metric API (ReDoc)</title>
<meta name="viewport" content="width=device-width, initial-scale=1">POLICY
<style>body { margin: 0 } a[href*="redocly.com"] { display: none }</style></head>
<body><div id="redoc"></div>
<script src="docs/redoc.standalone.js"></script>
<script>Redoc.init("openapi.json", {}, document.getElementById("redoc"));</script>
</body></html>"""

MISSING = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>frame-metric API</title></head>
<body><p>The documentation pages' assets are not installed: run <code>make install</code> (it copies them
from npm into {folder}). The document itself is at <a href="openapi.json">openapi.json</a>.</p></body></html>"""


def _page(html: str) -> str:
    if all((ASSETS / name).is_file() for name in FILES):
        return html.replace("POLICY", POLICY)
    return MISSING.format(folder=ASSETS)


def docs_page() -> str:
    return _page(SWAGGER_PAGE)


def redoc_page() -> str:
    return _page(REDOC_PAGE)


def asset(name: str) -> tuple[bytes, str] | None:
    if name not in FILES or not (ASSETS / name).is_file():
        return None
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return (ASSETS / name).read_bytes(), content_type
