"""The built console (console/dist) served by `frame-metric serve` at /console/, from the API's own
origin so that the browser needs no CORS. In the cloud the same files are a static site instead."""

from __future__ import annotations

import json
import mimetypes
import os
from dataclasses import dataclass
from pathlib import Path

PREFIX = "/console"
# Served locally instead of any config.json a deploy left in dist/: an empty apiUrl means "this origin",
# and uploads go through the API (multipart) since the bucket's endpoint is another origin here.
LOCAL_CONFIG = json.dumps({"apiUrl": "", "uploads": "multipart"}).encode()
NOT_BUILT = """<!doctype html><html lang="en"><meta charset="utf-8"><title>console not built</title>
<body style="font-family: system-ui; margin: 40px"><h1>The console is not built</h1>
<p>Build it from the project folder with <code>make console</code> (needs Node.js 20+), then reload.
Looked in <code>{where}</code>.</p></body></html>"""


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes
    location: str | None = None


def console_dir(project_root: Path) -> Path:
    configured = os.environ.get("FRAME_METRIC_CONSOLE_DIR")
    return Path(configured).expanduser() if configured else project_root / "console" / "dist"


def is_console_path(path: str) -> bool:
    bare = path.split("?", 1)[0]
    return bare == PREFIX or bare.startswith(PREFIX + "/")


def serve(dist: Path, path: str) -> Reply:
    """The reply for a GET of `path` (which is_console_path accepted)."""
    bare = path.split("?", 1)[0]
    if bare == PREFIX:  # relative asset URLs need the trailing slash
        return Reply(301, "text/plain", b"", location=PREFIX + "/")
    relative = bare[len(PREFIX) + 1:] or "index.html"
    if relative == "config.json":
        return Reply(200, "application/json", LOCAL_CONFIG)
    if not (dist / "index.html").is_file():
        return Reply(503, "text/html; charset=utf-8", NOT_BUILT.format(where=dist).encode())
    root = dist.resolve()
    target = (root / relative).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        return Reply(404, "application/json", json.dumps({"detail": f"no such console file: {relative}"}).encode())
    content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    if content_type.startswith("text/") or content_type in ("application/javascript", "application/json"):
        content_type += "; charset=utf-8"
    return Reply(200, content_type, target.read_bytes())
