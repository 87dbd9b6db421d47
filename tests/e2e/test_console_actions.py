"""The console's actions card, in headless Chromium against `frame-metric serve`: a recording of three
interactions shows three actions on the timeline strip, each with its frames' thumbnails."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import requests

from frame_metric.samples.interactions import Interaction, generate_interactions
from tests.e2e.console_browser import screenshot
from tests.serve_process import ServeProcess

pytestmark = pytest.mark.e2e

SCRIPT = [
    Interaction(0.3, "tap", response=0.2, finish=0.3, x=0.4, y=0.45),
    Interaction(1.6, "swipe", response=0.08, finish=0.6, x=0.5, y=0.75),
    Interaction(3.4, "tap", ignored=True, x=0.6, y=0.3),
]


def test_the_video_page_lists_every_action_with_its_frames(page: Any, runner_serve: ServeProcess,
                                                            tmp_path: Path) -> None:
    path = tmp_path / "scenario.mp4"
    generate_interactions(path, SCRIPT, seconds=4.2)
    with path.open("rb") as handle:
        answer = requests.post(f"{runner_serve.url}/api/v1/video/upload",
                               files={"file": (path.name, handle, "video/mp4")}, timeout=60)
    assert answer.status_code == 200, answer.text
    video_id = answer.json()["video_id"]
    deadline = time.monotonic() + 90
    status_url = f"{runner_serve.url}/api/v1/video/{video_id}/status"
    while requests.get(status_url, timeout=10).json()["status"] != "completed":
        assert time.monotonic() < deadline, "the recording was not analysed in 90 s"
        time.sleep(0.5)

    page.goto(f"{runner_serve.url}/console/#/videos/{video_id}")
    page.wait_for_selector("#video-actions")
    assert page.locator("#action-strip .action-span").count() == 3
    assert page.locator("#action-strip .action-span.ignored").count() == 1
    assert page.locator(".action-row").count() == 3
    # thumbnails from the sprite sheets: three frames for each answered action, the operation of the ignored one
    page.wait_for_function("document.querySelectorAll('.action-frame .sprite').length === 7")
    assert "response" in page.text_content("#action-1") and "ms" in page.text_content("#action-1")
    assert "ignored" in page.text_content("#action-3")
    screenshot(page, "20-video-actions")
