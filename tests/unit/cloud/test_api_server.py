"""The local API server as a client meets it: kept-alive connections answer at once, unknown paths
and methods in the API's {"detail": ...} shape."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Iterator

import pytest
import requests

from frame_metric.localcloud.cloud import api_server
from tests.unit.cloud.handlers import load_module


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    server = api_server(load_module("ApiFunction").app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server.server_address[1]}"
    server.server.shutdown()
    server.server.server_close()
    thread.join(timeout=5)


def test_kept_alive_connection_pays_no_delayed_ack(base_url: str) -> None:
    # Headers and body went out in two sends; with Nagle on, each request waited ~40 ms for the
    # client's delayed ACK. 20 sequential calls on one connection: the median stays far below that.
    with requests.Session() as session:
        session.get(f"{base_url}/health", timeout=5)
        times = []
        for _ in range(20):
            start = time.perf_counter()
            assert session.get(f"{base_url}/health", timeout=5).status_code == 200
            times.append(time.perf_counter() - start)
    assert statistics.median(times) < 0.020, [round(t * 1000, 1) for t in times]


@pytest.mark.parametrize("path", ["/nope", "/api/v1/nope?x=1", "/api/v1/video/abc/nope"])
def test_unknown_path_is_404_naming_it(base_url: str, path: str) -> None:
    answer = requests.get(f"{base_url}{path}", timeout=5)
    assert answer.status_code == 404
    assert answer.json() == {"detail": f"no such endpoint: GET {path.split('?')[0]}"}


def test_wrong_method_is_405_in_detail_shape(base_url: str) -> None:
    answer = requests.delete(f"{base_url}/health", timeout=5)
    assert answer.status_code == 405
    assert "DELETE" in answer.json()["detail"]
