"""The CLI's client behind a throttling edge: idempotent requests are asked again after 429/503 (as
Retry-After says), others are not; the runner's run calls likewise (creating a run only after a 429);
a task export asks for the file's own type (API Gateway returns binary bodies as bytes only to a
client that accepts a binary media type)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from frame_metric.client import EXPORT_TYPES, ApiError, FrameMetricClient
from frame_metric.runner.api import MonitorApi


class Edge:
    def __init__(self) -> None:
        self.refuse: list[tuple[int, str | None]] = []  # (status, Retry-After) answers to give first
        self.seen: list[tuple[str, str, str]] = []  # method, path, Accept
        edge = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                edge.seen.append((self.command, self.path, self.headers.get("Accept", "")))
                if edge.refuse:
                    status, retry_after = edge.refuse.pop(0)
                    body = json.dumps({"detail": "too many requests"}).encode()
                    self.send_response(status)
                    if retry_after is not None:
                        self.send_header("Retry-After", retry_after)
                else:
                    body = json.dumps({"video_id": "v", "status": "processing"}).encode()
                    self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def edge() -> Iterator[Edge]:
    running = Edge()
    yield running
    running.server.shutdown()
    running.server.server_close()


def client(edge: Edge, waits: list[float]) -> FrameMetricClient:
    return FrameMetricClient(edge.url, timeout=5, api_key=None, sleep=waits.append)


def test_a_throttled_read_is_asked_again_as_retry_after_says(edge: Edge) -> None:
    edge.refuse = [(429, "2"), (503, None)]
    waits: list[float] = []
    assert client(edge, waits).status("v")["status"] == "processing"
    assert len(edge.seen) == 3 and waits[0] == 2.0 and 0 <= waits[1] <= 1.0


def test_a_request_that_is_not_idempotent_is_not_repeated(edge: Edge) -> None:
    edge.refuse = [(429, "1")]
    waits: list[float] = []
    with pytest.raises(ApiError) as refused:
        client(edge, waits).create_task("t")
    assert refused.value.status == 429 and refused.value.retry_after == 1.0
    assert len(edge.seen) == 1 and waits == []


def test_retries_end_with_the_refusal(edge: Edge) -> None:
    edge.refuse = [(429, None)] * 10
    waits: list[float] = []
    with pytest.raises(ApiError):
        client(edge, waits).progress("v")
    assert len(edge.seen) == 7 and len(waits) == 6  # the first try and six more


def test_an_upload_ticket_is_asked_again_after_a_busy_store(edge: Edge, tmp_path: Any) -> None:
    """1,000 uploads at once under throttling: a 503 for the ticket (the video's item not written) is
    asked again, not the end of the upload. (The edge's ticket has no upload_url: the PUT fails after.)"""
    clip = tmp_path / "a.mp4"
    clip.write_bytes(b"x" * 10)
    edge.refuse = [(503, "1"), (429, None)]
    waits: list[float] = []
    with pytest.raises(KeyError):
        client(edge, waits).upload(clip)
    assert [(method, path) for method, path, _ in edge.seen] == [("POST", "/api/v1/video/upload-url")] * 3
    assert waits[0] == 1.0


def test_the_runner_asks_a_run_action_again_after_a_busy_store(edge: Edge) -> None:
    """A 503 (the API's store throttled) on finish is asked again as Retry-After says: a repeated finish
    answers the finished run. Creating a run is not repeated after a 503: the run may have been stored."""
    waits: list[float] = []
    api = MonitorApi(edge.url, timeout=5, token="tok", api_key=None, sleep=waits.append)
    edge.refuse = [(503, "2"), (429, None)]
    assert api.finish("r")["status"] == "processing"
    assert len(edge.seen) == 3 and waits[0] == 2.0
    edge.refuse = [(503, "2")]
    with pytest.raises(ApiError) as refused:
        api.create_run("t")
    assert refused.value.status == 503 and len(edge.seen) == 4


def test_export_asks_for_the_files_type(edge: Edge) -> None:
    waits: list[float] = []
    for file_format in ("excel", "csv"):
        client(edge, waits).export_task("t", file_format)
    assert [accept for *_, accept in edge.seen] == [EXPORT_TYPES["excel"], EXPORT_TYPES["csv"]]
