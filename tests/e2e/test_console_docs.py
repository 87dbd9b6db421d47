"""The API's documentation pages in the browser: Swagger UI at /docs and ReDoc at /redoc render the
OpenAPI 3.1 document (its operations, not an error), with nothing loaded from outside this server
(a request the page policy blocks never leaves the browser: only finished ones count)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pytest

from tests.e2e.console_browser import screenshot
from tests.serve_process import ServeProcess

pytestmark = pytest.mark.e2e


def _outside_requests(page: Any, serve: ServeProcess) -> list[str]:
    own = urlparse(serve.url).netloc
    outside: list[str] = []
    page.on("requestfinished", lambda request: None if urlparse(request.url).netloc in ("", own)
            or request.url.startswith(("data:", "blob:")) else outside.append(request.url))
    return outside


def test_swagger_ui_renders_the_operations(page: Any, runner_serve: ServeProcess) -> None:
    outside = _outside_requests(page, runner_serve)
    page.goto(f"{runner_serve.url}/docs")
    page.wait_for_selector(".opblock-summary-path")
    paths = page.locator(".opblock-summary-path").all_text_contents()
    assert any("/api/v1/video/upload" in path for path in paths), paths[:5]
    assert any("/api/v1/qr/simple" in path for path in paths)
    assert "Unable to render" not in page.content()
    screenshot(page, "docs-swagger")
    assert outside == []


def test_redoc_renders_the_operations(page: Any, runner_serve: ServeProcess) -> None:
    outside = _outside_requests(page, runner_serve)
    page.goto(f"{runner_serve.url}/redoc")
    page.wait_for_selector("h2:has-text('Upload one .mp4 and start processing')")
    assert page.locator("h2:has-text('Health check')").count() == 1
    assert "Something went wrong" not in page.content()
    screenshot(page, "docs-redoc")
    assert outside == []
