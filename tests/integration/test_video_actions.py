"""A multi-interaction recording through the whole pipeline: the status lists every action."""

from __future__ import annotations

import io
import json
from pathlib import Path

import requests
from openpyxl import load_workbook

from frame_metric.data.video import frame_id
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

    # a reviewer corrects action 1's response (one frame later) and says action 3 did get a reaction
    video_id = status["video_id"]
    first = actions[0]
    later = first["response"]["frame_number"] + 1
    url = f"{api}/review/{video_id}/actions"
    marked = requests.post(f"{url}/1/mark", json={"response_frame_id": frame_id(video_id, later),
                                                  "reviewer": "li"}, timeout=30)
    assert marked.status_code == 200, marked.text
    assert marked.json()["action"]["response"]["frame_number"] == later
    reacted = actions[2]["end"]["frame_number"]
    answer = requests.post(f"{url}/3/mark", json={"response_frame_id": frame_id(video_id, reacted - 1),
                                                  "finish_frame_id": frame_id(video_id, reacted),
                                                  "reviewer": "li"}, timeout=30)
    assert answer.status_code == 200, answer.text
    after = requests.get(f"{api}/video/{video_id}/status", timeout=10).json()["actions"]
    assert after[0]["response"]["frame_number"] == later and after[0]["operation"] == first["operation"]
    assert after[0]["needs_review"] is False and after[2]["finish"]["frame_number"] == reacted
    assert after[1] == actions[1]
    history = requests.get(f"{api}/review/{video_id}/history", timeout=10).json()
    assert [(h["action_index"], h["action_before"]["response"]) for h in history] == [
        (1, first["response"]), (3, None)]
    assert history[0]["action_after"]["response"]["frame_number"] == later

    # refused: a finish before the response, an action that does not exist, a frame of another video
    backwards = requests.post(f"{url}/1/mark", json={"finish_frame_id": frame_id(video_id, 0), "reviewer": "li"},
                              timeout=30)
    assert backwards.status_code == 422 and "must not come before" in backwards.json()["detail"]
    missing = requests.post(f"{url}/9/mark", json={"reviewer": "li"}, timeout=30)
    assert missing.status_code == 404 and "no action 9" in missing.json()["detail"]
    stranger = requests.post(f"{url}/1/mark", json={"response_frame_id": "nope", "reviewer": "li"}, timeout=30)
    assert stranger.status_code == 422 and "not a frame" in stranger.json()["detail"]
    assert requests.get(f"{api}/video/{video_id}/status", timeout=10).json()["actions"] == after


def test_a_bad_quiet_period_is_refused(api: str, tmp_path: Path) -> None:
    path = tmp_path / "still.mp4"
    generate_interactions(path, [], seconds=0.5)
    with path.open("rb") as handle:
        refused = requests.post(f"{api}/video/upload", files={"file": (path.name, handle, "video/mp4")},
                                data={"options": json.dumps({"quiet_period": 0})}, timeout=60)
    assert refused.status_code == 422 and "quiet_period" in refused.json()["detail"]


def test_task_statistics_per_action_and_the_actions_sheet(api: str, tmp_path: Path) -> None:
    path = tmp_path / "two-taps.mp4"
    script = [Interaction(0.3, "tap", response=0.1, finish=0.3, x=0.4, y=0.45),
              Interaction(1.7, "tap", response=0.3, finish=0.5, x=0.6, y=0.35)]
    truth = generate_interactions(path, script, seconds=3.0)
    ids = []
    for name in ("run-1.mp4", "run-2.mp4"):
        with path.open("rb") as handle:
            answer = requests.post(f"{api}/video/upload", files={"file": (name, handle, "video/mp4")}, timeout=60)
        assert answer.status_code == 200, answer.text
        ids.append(answer.json()["video_id"])
    for video_id in ids:
        assert wait_finished(api, video_id)["status"] == "completed"
    task = requests.post(f"{api}/task/create", json={"name": "two taps"}, timeout=10).json()
    requests.post(f"{api}/task/{task['id']}/videos", json={"video_ids": ids}, timeout=30).raise_for_status()

    stats = requests.get(f"{api}/task/{task['id']}/statistics", timeout=10).json()
    assert stats["actions_note"] is None and [a["index"] for a in stats["actions"]] == [1, 2]
    second = stats["actions"][1]
    assert second["videos"] == 2 and second["response_time"]["count"] == 2
    expected = truth.actions[1].response.timestamp - truth.actions[1].operation.timestamp
    assert abs(second["response_time"]["median"] - expected) <= 1 / 30 + 1e-6
    assert second["response_time"]["avg"] == second["response_time"]["p90"]  # the same recording twice

    excel = requests.get(f"{api}/task/{task['id']}/export", params={"format": "excel"}, timeout=30)
    book = load_workbook(io.BytesIO(excel.content))
    assert book.sheetnames[-1] == "Actions" and book["Actions"].max_row == 1 + 2 * 2
    text = requests.get(f"{api}/task/{task['id']}/export", params={"format": "csv"}, timeout=30).text
    assert text.count("\n") >= 1 + 2 + 2 + 4 and "Response time (ms)" in text
