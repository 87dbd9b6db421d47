"""One `frame-metric serve` shared by the runner's end-to-end modules (starting one takes seconds)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from frame_metric.localcloud.cloud import free_port
from tests.serve_process import ServeProcess


@pytest.fixture(scope="session")
def runner_serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    server = ServeProcess(tmp_path_factory.mktemp("runner-serve"), free_port()).start()
    try:
        yield server
    finally:
        server.kill()
