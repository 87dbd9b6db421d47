"""One `frame-metric serve` shared by the runner's end-to-end modules (starting one takes seconds), and the
headless browser of the console tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from frame_metric.localcloud.cloud import free_port
from tests.e2e.console_browser import browser, page  # noqa: F401  (fixtures, found by name)
from tests.serve_process import ServeProcess


@pytest.fixture(scope="session")
def shared_serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    server = ServeProcess(tmp_path_factory.mktemp("runner-serve"), free_port()).start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def runner_serve(shared_serve: ServeProcess) -> ServeProcess:
    """The shared server, started again (same data, same port) if a test that kills it could not
    bring it back: one failed restart must not fail every test after it."""
    if shared_serve.process is None or shared_serve.process.poll() is not None:
        shared_serve.start()
    return shared_serve
