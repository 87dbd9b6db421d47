"""Several recordings linked to one run (the segments of a screen recording), over real HTTP, next to
the single-recording link older clients use."""

from __future__ import annotations

import uuid

import pytest
import requests

from frame_metric.data.video import FrameMark, Video
from tests.integration.test_monitor_runs import new_run, task  # noqa: F401 - the fixture is used by name


def stored_video(first_s: float, last_s: float) -> str:
    video = Video(str(uuid.uuid4()), filename="segment.mp4", status="completed",
                  first_frame=FrameMark(frame_number=0, timestamp=first_s),
                  last_frame=FrameMark(frame_number=30, timestamp=last_s))
    video.save()
    return video.video_id


def test_segments_are_linked_in_order_with_their_offsets(api: str, task: str) -> None:  # noqa: F811
    run_id, _ = new_run(api, task)
    first, second, third = stored_video(0.0, 169.9), stored_video(0.0, 169.9), stored_video(0.1, 42.0)
    url = f"{api}/monitor/runs/{run_id}/videos"
    for video_id, offset in ((second, 170.4), (first, 0.2), (third, 340.7), (second, 170.5)):  # out of order, a retry
        answer = requests.post(url, json={"video_id": video_id, "offset_s": offset}, timeout=10)
        assert answer.status_code == 200, answer.text
    run = requests.get(f"{api}/monitor/runs/{run_id}", timeout=10).json()
    assert [(v["video_id"], v["offset_s"]) for v in run["videos"]] == [(first, 0.2), (second, 170.5), (third, 340.7)]
    assert run["videos"][2]["first_frame_t"] == pytest.approx(340.8) and run["videos"][2]["last_frame_t"] == 382.7
    assert run["video_id"] == first and run["video"]["offset_s"] == 0.2  # the single-video field: the first
    results = requests.get(f"{api}/monitor/runs/{run_id}/results", timeout=10).json()
    assert [v["video_id"] for v in results["videos"]] == [first, second, third]
    listed = requests.get(f"{api}/monitor/tasks/{task}/runs", timeout=10).json()
    assert [v["video_id"] for v in listed[0]["videos"]] == [first, second, third]

    missing = requests.post(url, json={"video_id": "nope", "offset_s": 1}, timeout=10)
    assert missing.status_code == 404 and "video nope not found" in missing.json()["detail"]
    bad = requests.post(url, json={"video_id": first, "offset_s": "soon"}, timeout=10)
    assert bad.status_code == 422 and "offset_s" in bad.json()["detail"]
    assert len(requests.get(f"{api}/monitor/runs/{run_id}", timeout=10).json()["videos"]) == 3  # unchanged

    # the single-recording link still means "this is the run's recording"
    only = requests.put(f"{api}/monitor/runs/{run_id}/video", json={"video_id": third, "offset_s": 5.0}, timeout=10)
    assert only.status_code == 200
    assert [(v["video_id"], v["offset_s"]) for v in only.json()["videos"]] == [(third, 5.0)]
