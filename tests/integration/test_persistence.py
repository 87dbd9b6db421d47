"""`frame-metric serve` keeps its data across restarts: stopped cleanly or killed, every video with its
frames is still there, and what was in flight ends completed or failed, never stuck."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import requests

from frame_metric.localcloud.cloud import free_port
from tests.integration.conftest import wait_finished
from tests.serve_process import ServeProcess


def _upload(url: str, path: Path) -> str:
    with path.open("rb") as handle:
        response = requests.post(f"{url}/api/v1/video/upload", files={"file": (path.name, handle, "video/mp4")},
                                 timeout=60)
    assert response.status_code == 200, response.text
    return response.json()["video_id"]


def _snapshot(url: str) -> dict[str, Any]:
    listed = requests.get(f"{url}/api/v1/video/list?limit=100", timeout=10).json()
    statuses = {v["video_id"]: requests.get(f"{url}/api/v1/video/{v['video_id']}/status", timeout=10).json()
                for v in listed}
    for status in statuses.values():
        for frame in status["frames"]:
            image = requests.get(frame["url"], timeout=10)
            assert image.status_code == 200 and image.content[:2] == b"\xff\xd8"
            frame.pop("url")  # presigned URLs differ per request
    return statuses


@pytest.mark.parametrize("stop", ["ctrl-c", "sigkill"])
def test_data_survives_a_restart(tmp_path: Path, recordings: dict[str, Any], stop: str) -> None:
    data = tmp_path / "data"
    first = ServeProcess(data, free_port()).start()
    try:
        video_ids = [_upload(first.url, recordings[name][0]) for name in ("launch", "vfr")]
        for video_id in video_ids:
            assert wait_finished(f"{first.url}/api/v1", video_id)["status"] == "completed"
        before = _snapshot(first.url)
    finally:
        if stop == "ctrl-c":
            assert first.interrupt() == 0
        else:
            first.kill()
    assert (data / "dynamodb").is_dir() and (data / "objects").is_dir()

    second = ServeProcess(data, free_port()).start()
    try:
        after = _snapshot(second.url)
        assert after == before
        assert set(video_ids) <= set(after)
        # The restarted service keeps working on the same data.
        third_video = _upload(second.url, recordings["launch"][0])
        assert wait_finished(f"{second.url}/api/v1", third_video)["status"] == "completed"
    finally:
        assert second.interrupt() == 0


def test_pipeline_interrupted_by_a_kill_ends_after_restart(tmp_path: Path, recordings: dict[str, Any]) -> None:
    recording = recordings["long"][0]
    data = tmp_path / "data"
    first = ServeProcess(data, free_port()).start()
    seen = ""
    try:
        video_id = _upload(first.url, recording)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            seen = requests.get(f"{first.url}/api/v1/video/{video_id}/progress", timeout=10).json()["status"]
            if seen != "uploading":
                break
            time.sleep(0.02)
    finally:
        first.kill()
    assert seen == "processing", f"the pipeline was not caught in flight ({seen})"

    second = ServeProcess(data, free_port()).start()
    try:
        status = wait_finished(f"{second.url}/api/v1", video_id, timeout=180)
        assert status["status"] == "completed", status
        assert status["progress"] == 100
    finally:
        assert second.interrupt() == 0


def test_a_data_dir_serves_one_process_at_a_time(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = ServeProcess(data, free_port()).start()
    try:
        second = ServeProcess(data, free_port())
        with pytest.raises(AssertionError, match="in use by another frame-metric serve"):
            second.start()
    finally:
        assert first.interrupt() == 0
