"""One embedded local cloud for the integration tests: real HTTP, real S3/SQS/DynamoDB/Step Functions
API calls against moto's server, our handlers run by the local Lambda runtime."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from frame_metric.localcloud.cloud import LocalCloud, LocalCloudOptions
from frame_metric.samples import GroundTruth, generate_app_launch

# Small segments so every upload goes through the Map over several segments.
SEGMENT_FRAMES = 40


@pytest.fixture(scope="session")
def cloud() -> Iterator[LocalCloud]:
    options = LocalCloudOptions(api_port=0, sweep_interval=2.0,
                                environment={"FRAME_METRIC_SEGMENT_FRAMES": str(SEGMENT_FRAMES)})
    with LocalCloud(options) as running:
        yield running


@pytest.fixture(scope="session")
def api(cloud: LocalCloud) -> str:
    return f"{cloud.api_url}/api/v1"


@pytest.fixture(scope="session")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, GroundTruth]]:
    folder = tmp_path_factory.mktemp("cloud-recordings")
    made = {}
    for name, options in {
        "launch": {"fps": 30.0, "seconds": 3.0},
        "vfr": {"fps": 60.0, "seconds": 2.5, "variable_frame_rate": True},
        "long": {"fps": 30.0, "seconds": 12.0, "tap_at": 2.0, "load_seconds": 3.0},
    }.items():
        path = folder / f"{name}.mp4"
        made[name] = (path, generate_app_launch(path, width=360, height=800, **options))
    return made


def wait_finished(api: str, video_id: str, timeout: float = 120.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    seen_steps: list[str] = []
    while time.monotonic() < deadline:
        progress = requests.get(f"{api}/video/{video_id}/progress", timeout=10).json()
        if not seen_steps or seen_steps[-1] != progress["current_step"]:
            seen_steps.append(progress["current_step"])
        if progress["status"] in ("completed", "failed", "cancelled"):
            status = requests.get(f"{api}/video/{video_id}/status", timeout=10).json()
            status["_steps_seen"] = seen_steps
            return status
        time.sleep(0.2)
    raise AssertionError(f"video {video_id} did not finish in {timeout} s; steps seen {seen_steps}")


def upload(api: str, path: Path, name: str | None = None) -> dict[str, Any]:
    with path.open("rb") as handle:
        response = requests.post(f"{api}/video/upload", files={"file": (name or path.name, handle, "video/mp4")},
                                 timeout=60)
    assert response.status_code == 200, response.text
    return response.json()
