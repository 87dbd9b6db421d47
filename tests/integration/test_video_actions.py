"""A multi-interaction recording through the whole pipeline: the status lists every action."""

from __future__ import annotations

import json
from pathlib import Path

import requests

from frame_metric.samples.interactions import Interaction, generate_interactions
from tests.integration.conftest import wait_finished

SCRIPT = [
    Interaction(0.3, "tap", response=0.2, finish=0.3, x=0.4, y=0.45),
    Interaction(1.6, "swipe", response=0.08, finish=0.6, x=0.5, y=0.75),
    Interaction(3.4, "tap", ignored=True, x=0.6, y=0.3),
]


def test_status_lists_every_action(api: str, tmp_path: Path) -> None:
    path = tmp_path / "scenario.mp4"
    truth = generate_interactions(path, SCRIPT, seconds=4.2)
    with path.open("rb") as handle:
        accepted = requests.post(f"{api}/video/upload", files={"file": (path.name, handle, "video/mp4")},
                                 data={"options": json.dumps({"quiet_period": 1.5})}, timeout=60)
    assert accepted.status_code == 200, accepted.text
    status = wait_finished(api, accepted.json()["video_id"])
    assert status["status"] == "completed", status
    assert status["analysis_options"]["quiet_period"] == 1.5
    actions = status["actions"]
    assert [a["index"] for a in actions] == [1, 2, 3]
    for got, want in zip(actions, truth.actions, strict=True):
        assert got["operation"]["source"] == "touch_indicator"
        assert abs(got["operation"]["frame_number"] - want.operation.frame_number) <= 1
        assert abs(got["end"]["frame_number"] - want.end.frame_number) <= 1
        if want.response is None:
            assert got["response"] is None and got["finish"] is None and got["response_time"] is None
        else:
            assert abs(got["response"]["frame_number"] - want.response.frame_number) <= 1
            assert abs(got["finish"]["frame_number"] - want.finish.frame_number) <= 1
            assert got["response_time"] == round(got["response"]["timestamp"] - got["operation"]["timestamp"], 6)


def test_a_bad_quiet_period_is_refused(api: str, tmp_path: Path) -> None:
    path = tmp_path / "still.mp4"
    generate_interactions(path, [], seconds=0.5)
    with path.open("rb") as handle:
        refused = requests.post(f"{api}/video/upload", files={"file": (path.name, handle, "video/mp4")},
                                data={"options": json.dumps({"quiet_period": 0})}, timeout=60)
    assert refused.status_code == 422 and "quiet_period" in refused.json()["detail"]
