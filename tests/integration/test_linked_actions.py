"""A recording linked to a monitoring run after its analysis completed takes the run's scenario steps
as its actions (operations at the steps' marks, labels the steps' names), over real HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from frame_metric.data.video import frame_id
from frame_metric.samples.interactions import Interaction, generate_interactions
from tests.integration.conftest import wait_finished
from tests.integration.test_monitor_runs import batch, new_run, send, task  # noqa: F401 - task: a fixture

OFFSET = 3.0  # the recording starts 3 s into the run


def _link(api: str, run_id: str, video_id: str) -> None:
    linked = requests.post(f"{api}/monitor/runs/{run_id}/videos", json={"video_id": video_id, "offset_s": OFFSET},
                           timeout=30)
    assert linked.status_code == 200, linked.text


@pytest.mark.parametrize("linked", ["after_analysis", "before_analysis"])
def test_a_linked_recording_without_touches_takes_the_steps(api: str, task: str, tmp_path: Path,  # noqa: F811
                                                            linked: str) -> None:
    """Linked after its analysis: the link applies the steps; before: the pipeline's Finalize does."""
    path = tmp_path / "no_touches.mp4"
    script = [Interaction(0.5, "tap", response=0.2, finish=0.3, x=0.4, y=0.45),
              Interaction(2.0, "tap", response=0.1, finish=0.4, x=0.5, y=0.3)]
    generate_interactions(path, script, seconds=3.5, show_taps=False)
    run_id, token = new_run(api, task)
    marks = [{"t": OFFSET + 0.45, "name": "step 2 tap start"}, {"t": OFFSET + 0.5, "name": "step 2 tap end"},
             {"t": OFFSET + 1.0, "name": "step 3 wait start"},
             {"t": OFFSET + 1.95, "name": "step 4 tap start"}, {"t": OFFSET + 2.0, "name": "step 4 tap end"}]
    assert send(api, run_id, token, batch(0, marks=marks)).status_code == 200
    with path.open("rb") as handle:
        accepted = requests.post(f"{api}/video/upload", files={"file": (path.name, handle, "video/mp4")}, timeout=60)
    assert accepted.status_code == 200, accepted.text
    video_id = accepted.json()["video_id"]
    if linked == "before_analysis":
        _link(api, run_id, video_id)  # within milliseconds of the upload: its analysis takes seconds
    status = wait_finished(api, video_id)
    assert status["status"] == "completed", status
    if linked == "after_analysis":
        assert all(a["operation"] is None and a["label"] is None for a in status["actions"])  # quiet periods
        _link(api, run_id, video_id)

    actions = requests.get(f"{api}/video/{video_id}/status", timeout=10).json()["actions"]
    timings = requests.get(f"{api}/monitor/runs/{run_id}/results", timeout=30).json()["step_timings"]
    assert [a["label"] for a in actions] == [t["step"] for t in timings] == ["step 2 tap", "step 4 tap"]
    for action, timing in zip(actions, timings, strict=True):
        assert action["operation"]["source"] == "mark"
        for key in ("operation", "response", "finish"):
            assert action[key]["frame_number"] == timing[key]["frame_number"], (key, action, timing)
        assert action["response_time"] == timing["response_time"] and action["finish_time"] == timing["finish_time"]
    # the frame on screen at the mark (0.45 s: frame 13 at 30 fps); the app reacts at 0.7 s (frame 21)
    assert actions[0]["operation"]["frame_number"] == 13 and abs(actions[0]["response"]["frame_number"] - 21) <= 1
    assert actions[0]["end"]["frame_number"] == actions[1]["operation"]["frame_number"] - 1


    # a reviewer's correction stays: linking the recording again (a retried request) changes nothing
    later = actions[0]["response"]["frame_number"] + 1
    marked = requests.post(f"{api}/review/{video_id}/actions/1/mark",
                           json={"response_frame_id": frame_id(video_id, later), "reviewer": "li"}, timeout=30)
    assert marked.status_code == 200, marked.text
    _link(api, run_id, video_id)
    kept = requests.get(f"{api}/video/{video_id}/status", timeout=10).json()["actions"]
    assert kept[0]["response"]["frame_number"] == later and kept[0]["label"] == "step 2 tap"
    assert kept[1] == actions[1]
