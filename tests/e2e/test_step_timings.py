"""A recorded phone run (`frame-metric run --record`) gives per-step timings: the fake phone's
screenrecord returns a real recording of an app answering the taps and swipes it received (with
Android's "Show taps" indicator, its "Pointer location" crosshair, or nothing drawn), the pipeline
analyses it, the run's results time each step and the recording's actions carry the steps."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
import requests

from tests.e2e.test_runner_android import android_task, api, run_cli
from tests.serve_process import ServeProcess
from tests.unit.runner_android.fake_adb import FakeAdbServer, Phone

pytestmark = pytest.mark.e2e

SCRIPT = """\
- wait: 0.6
- tap: {x: 540, y: 1100}
- wait: 1.4
- swipe: {direction: up, duration_ms: 200}
- wait: 1.6
"""


def wait_analysed(serve: ServeProcess, video_ids: list[str], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    pending = set(video_ids)
    while pending and time.monotonic() < deadline:
        for video_id in list(pending):
            status = requests.get(f"{serve.url}/api/v1/video/{video_id}/status", timeout=10).json()
            assert status["status"] != "failed", status
            if status["status"] == "completed":
                pending.discard(video_id)
        time.sleep(0.3)
    assert not pending, f"videos {pending} not analysed in {timeout} s"


@pytest.mark.parametrize("touches", ["show_taps", "pointer_location", "none"])
def test_a_recorded_run_times_every_step(runner_serve: ServeProcess, tmp_path: Path, touches: str,
                                         request: pytest.FixtureRequest) -> None:
    device = Phone(package="com.example.app", screen_app=True, screen_touches=touches)
    server = FakeAdbServer(device)
    try:
        task_id = android_task(runner_serve, SCRIPT)
        runner = run_cli(runner_serve, server, task_id, tmp_path, "--record")
        out, err = runner.communicate(timeout=120)
    finally:
        server.close()
    assert runner.returncode == 0, out + err
    run_id = re.search(r"run (\S+): completed", out)
    assert run_id, out
    run = api(runner_serve, "GET", f"/runs/{run_id.group(1)}")
    wait_analysed(runner_serve, [v["video_id"] for v in run["videos"]])

    results = api(runner_serve, "GET", f"/runs/{run['run_id']}/results")
    timings = {t["step"]: t for t in results["step_timings"]}
    print("step timings:", json.dumps([(t["step"], t["response_time"], t["finish_time"]) for t in timings.values()]))
    assert list(timings) == ["step 2 tap", "step 4 swipe"], results["step_timings"]
    marks = {s["name"]: s["start"] for s in results["segments"]}
    for step, timing in timings.items():
        assert timing["operation"]["source"] == "mark"
        # the frame on screen at the step's start mark, at most one frame (30 fps) before it
        assert 0 <= marks[f"{step} start"] - timing["operation"]["t"] <= 1 / 30 + 1e-6
        # the app reacts 50-150 ms after the finger lands, and the finger lands after the mark
        # (adb's latency): response within a second, the animation finishing after it
        assert 0.03 < timing["response_time"] < 1.0, timing
        assert timing["finish_time"] > timing["response_time"], timing
        assert timing["response"]["t"] == pytest.approx(timing["operation"]["t"] + timing["response_time"], abs=1e-5)

    # compare shows per-step deltas; export carries the timings
    compared = requests.get(f"{runner_serve.url}/api/v1/monitor/runs/compare",
                            params={"a": run["run_id"], "b": run["run_id"]}, timeout=30).json()
    assert [s["step"] for s in compared["steps"]] == ["step 2 tap", "step 4 swipe"]
    assert all(s["response_time"]["delta"] == 0 for s in compared["steps"])

    # The recording's own actions carry the steps: labelled touches where Show taps drew the finger,
    # else the steps' marks as operations, timed as the run's step timings time them.
    (video,) = run["videos"]
    actions = requests.get(f"{runner_serve.url}/api/v1/video/{video['video_id']}/status", timeout=10).json()["actions"]
    assert [a["label"] for a in actions] == ["step 2 tap", "step 4 swipe"], actions
    for action in actions:
        timing = timings[action["label"]]
        if touches == "none":
            assert action["operation"]["source"] == "mark"
            for key in ("operation", "response", "finish"):
                assert action[key]["frame_number"] == timing[key]["frame_number"], (key, action, timing)
            assert action["response_time"] == timing["response_time"]
        else:
            assert action["operation"]["source"] == "touch_indicator"
            # the finger lands after the step's mark (adb's latency), before the app reacts
            assert timing["operation"]["frame_number"] <= action["operation"]["frame_number"]
            assert action["operation"]["frame_number"] <= timing["response"]["frame_number"]

    if touches == "none":  # the console's video page names each action by its step
        page = request.getfixturevalue("page")
        page.goto(f"{runner_serve.url}/console/#/videos/{video['video_id']}")
        page.wait_for_selector("#action-2 .action-label")
        assert page.text_content("#action-1 .action-label") == "step 2 tap"
        assert page.get_attribute("#action-strip .action-span >> nth=1", "title") == "action 2: step 4 swipe"
