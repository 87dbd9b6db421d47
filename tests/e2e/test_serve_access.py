"""`frame-metric serve` does not open the data to the network by accident."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from frame_metric.localcloud.cloud import free_port
from tests.serve_process import BIN


def test_serve_refuses_a_network_interface_without_an_api_key(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "FRAME_METRIC_API_KEY"}
    started = time.monotonic()
    result = subprocess.run([str(BIN), "serve", "--host", "0.0.0.0", "--port", str(free_port()),
                             "--data-dir", str(tmp_path)], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode != 0
    assert "refusing to listen on 0.0.0.0 without an API key" in result.stderr + result.stdout
    assert time.monotonic() - started < 30  # refused before any store started
    assert not (tmp_path / "dynamodb").exists()
