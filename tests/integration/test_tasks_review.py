"""Tasks and review through real HTTP on the local cloud: every endpoint of /task and /review, the bad
input the issue names, statistics that follow a re-marked video, exports, and concurrent marks."""

from __future__ import annotations

import io
import math
import threading
import time
import uuid
from typing import Any
from urllib.parse import unquote

import pytest
import requests
from openpyxl import load_workbook
from PIL import Image

from frame_metric.data.video import Video
from frame_metric.localcloud.cloud import LocalCloud
from tests.integration.conftest import upload, wait_finished

UNKNOWN = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(scope="module")
def videos(cloud: LocalCloud, api: str, recordings: dict[str, Any]) -> list[dict[str, Any]]:
    """Two completed videos (30 fps and variable frame rate)."""
    uploaded = [upload(api, recordings[name][0], f"{name}.mp4") for name in ("launch", "vfr")]
    done = [wait_finished(api, item["video_id"]) for item in uploaded]
    assert all(video["status"] == "completed" for video in done), done
    return done


def refused(response: requests.Response, code: int, words: str) -> None:
    assert response.status_code == code, response.text
    assert words in response.json()["detail"], response.json()


def new_task(api: str, name: str = "启动耗时 任务", user: str = "zhangsan") -> dict[str, Any]:
    response = requests.post(f"{api}/task/create", json={"name": name, "description": "首尾帧", "created_by": user},
                             timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def stats(api: str, task_id: str) -> dict[str, Any]:
    response = requests.get(f"{api}/task/{task_id}/statistics", timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def test_task_lifecycle_and_statistics(api: str, videos: list[dict[str, Any]]) -> None:
    user = f"user-{uuid.uuid4().hex[:8]}"
    task = new_task(api, user=user)
    assert task["status"] == "draft" and task["total_videos"] == 0 and task["avg_duration"] is None
    assert task["created_by"] == user and task["name"] == "启动耗时 任务"
    listed = requests.get(f"{api}/task/list", params={"user": user}, timeout=10).json()
    assert [item["id"] for item in listed] == [task["id"]]
    assert task["id"] in [item["id"] for item in requests.get(f"{api}/task/list", timeout=10).json()]

    ids = [video["video_id"] for video in videos]
    added = requests.post(f"{api}/task/{task['id']}/videos",
                          json={"video_ids": [*ids, ids[0], UNKNOWN], "notes": "第一批"}, timeout=30).json()
    assert added["added_count"] == 2 and added["message"] == "成功添加 2 个视频到任务"
    assert added["failed_videos"] == [{"video_id": UNKNOWN, "reason": f"video {UNKNOWN} not found"}]
    again = requests.post(f"{api}/task/{task['id']}/videos", json={"video_ids": ids}, timeout=30).json()
    assert again["added_count"] == 0 and sorted(again["already_in_task"]) == sorted(ids)

    detail = requests.get(f"{api}/task/{task['id']}", timeout=10).json()
    assert detail["status"] == "completed" and [v["order"] for v in detail["videos"]] == [1, 2]
    assert [v["video_id"] for v in detail["videos"]] == ids
    for row, video in zip(detail["videos"], videos, strict=True):
        assert row["video_filename"] == video["filename"] and row["video_status"] == "completed"
        assert row["duration"] == pytest.approx(video["measured_duration"])
        assert row["first_frame_url"].startswith("http") and requests.get(row["first_frame_url"], timeout=10).ok
        assert row["notes"] == "第一批" and row["video_width"] == 360

    durations = sorted(video["measured_duration"] for video in videos)
    numbers = stats(api, task["id"])
    assert numbers["total_videos"] == 2 and numbers["completed_videos"] == 2 and numbers["failed_videos"] == 0
    assert numbers["avg_duration"] == pytest.approx(sum(durations) / 2, abs=1e-6)
    assert numbers["median_duration"] == pytest.approx(sum(durations) / 2, abs=1e-6)
    assert numbers["p90_duration"] == pytest.approx(durations[0] + 0.9 * (durations[1] - durations[0]), abs=1e-6)
    assert numbers["stddev_duration"] == pytest.approx(abs(durations[1] - durations[0]) / math.sqrt(2), abs=1e-6)
    assert numbers["min_duration"] == pytest.approx(durations[0]) and numbers["max_duration"] == pytest.approx(
        durations[1])
    assert numbers["total_frames"] == sum(video["frame_count"] for video in videos)
    assert numbers["avg_frames_per_video"] == pytest.approx(numbers["total_frames"] / 2)

    renamed = requests.put(f"{api}/task/{task['id']}", json={"name": "新名字"}, timeout=10).json()
    assert renamed["name"] == "新名字" and renamed["description"] == "首尾帧"
    removed = requests.delete(f"{api}/task/{task['id']}/videos/{ids[1]}", timeout=10)
    assert removed.json() == {"message": "视频已从任务中移除"}
    after = stats(api, task["id"])
    assert after["total_videos"] == 1 and after["avg_duration"] == pytest.approx(videos[0]["measured_duration"])
    assert after["stddev_duration"] is None  # one video has no spread
    recalculated = requests.post(f"{api}/task/{task['id']}/calculate-stats", timeout=10).json()
    assert recalculated["total_videos"] == 1 and recalculated["status"] == "completed"

    deleted = requests.delete(f"{api}/task/{task['id']}", timeout=10)
    assert deleted.json() == {"message": "任务删除成功"}
    assert requests.get(f"{api}/task/{task['id']}", timeout=10).status_code == 404
    assert requests.get(f"{api}/video/{ids[0]}/status", timeout=10).status_code == 200  # videos stay


def test_task_bad_input(api: str, videos: list[dict[str, Any]]) -> None:
    for method, path in [("get", ""), ("put", ""), ("delete", ""), ("post", "/videos"),
                         ("delete", f"/videos/{videos[0]['video_id']}"), ("post", "/calculate-stats"),
                         ("get", "/statistics"), ("get", "/export")]:
        body = {"name": "x"} if method == "put" else {"video_ids": ["a"]} if path == "/videos" else None
        refused(requests.request(method, f"{api}/task/{UNKNOWN}{path}", json=body, timeout=10), 404, "not found")
    for name in ("", "   "):
        refused(requests.post(f"{api}/task/create", json={"name": name}, timeout=10), 422, "name")
    refused(requests.post(f"{api}/task/create", json={}, timeout=10), 422, "name")
    refused(requests.post(f"{api}/task/create", data=b"{nope", timeout=10), 400, "JSON")
    task = new_task(api)
    refused(requests.put(f"{api}/task/{task['id']}", json={"name": " "}, timeout=10), 422, "name")
    refused(requests.put(f"{api}/task/{task['id']}", json={}, timeout=10), 422, "name and/or description")
    for params, words in [({"skip": -1}, "skip"), ({"limit": 0}, "limit"), ({"limit": 101}, "limit"),
                          ({"skip": "x"}, "integer")]:
        refused(requests.get(f"{api}/task/list", params=params, timeout=10), 422, words)
    assert requests.get(f"{api}/task/list", params={"skip": 100000}, timeout=10).json() == []
    refused(requests.post(f"{api}/task/{task['id']}/videos", json={"video_ids": []}, timeout=10), 422, "video_ids")
    refused(requests.delete(f"{api}/task/{task['id']}/videos/{videos[0]['video_id']}", timeout=10), 404,
            "is not in task")
    refused(requests.get(f"{api}/task/{task['id']}/export", params={"format": "pdf"}, timeout=10), 422, "excel")
    assert stats(api, task["id"])["total_videos"] == 0  # nothing above changed the task


def test_exports(api: str, videos: list[dict[str, Any]]) -> None:
    task = new_task(api, name='性能/测试:"一"')
    empty = requests.get(f"{api}/task/{task['id']}/export", params={"format": "excel"}, timeout=10)
    assert empty.status_code == 200
    sheet = load_workbook(io.BytesIO(empty.content))["Timing"]
    assert sheet.max_row == 1 and sheet["K1"].value == "Duration (ms)"

    requests.post(f"{api}/task/{task['id']}/videos", json={"video_ids": [v["video_id"] for v in videos]}, timeout=30)
    response = requests.get(f"{api}/task/{task['id']}/export", timeout=10)
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="_timing_data_') or 'filename="task_timing_data_' in disposition
    real = unquote(disposition.split("filename*=UTF-8''", 1)[1])
    assert real.startswith("性能_测试_一_timing_data_") and real.endswith(".xlsx")
    book = load_workbook(io.BytesIO(response.content))
    timing = book["Timing"]
    assert timing.max_row == 3 and timing["E2"].value == videos[0]["video_id"]
    assert timing["K2"].value == pytest.approx(videos[0]["measured_duration"] * 1000, abs=1e-3)
    assert timing["L2"].value == pytest.approx(videos[0]["measured_duration"], abs=1e-6)
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Total videos"] == 2 and summary["Task name"] == '性能/测试:"一"'

    csv_response = requests.get(f"{api}/task/{task['id']}/export", params={"format": "csv"}, timeout=10)
    assert csv_response.content.startswith(b"\xef\xbb\xbf")
    lines = csv_response.content.decode("utf-8-sig").splitlines()
    assert lines[1].startswith('"性能/测试:""一"""') and lines[3] == ""  # then the actions section:
    assert lines[4].startswith("Order,Video filename,Video ID,Action") and len(lines) == 5 + 2  # one per video
    assert "filename*=UTF-8''" in csv_response.headers["Content-Disposition"]


def frames_of(api: str, video_id: str) -> dict[str, Any]:
    response = requests.get(f"{api}/review/{video_id}", timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def test_review_data(api: str, videos: list[dict[str, Any]]) -> None:
    data = frames_of(api, videos[0]["video_id"])
    assert data["extracted_frames"] == data["total_frames"] == videos[0]["frame_count"] == len(data["all_frames"])
    assert data["marking_method"] in ("algorithm", "manual", "hybrid")
    first = data["marked_first_frame"]
    assert first["frame_type"] == "first" and first["url"].startswith("http") and first["is_first_candidate"]
    middle = data["all_frames"][len(data["all_frames"]) // 2]
    assert middle["thumbnail"]["url"].startswith("http") and middle["thumbnail"]["width"] > 0
    assert {"brightness", "sharpness", "scene_change_score"} <= set(middle)
    assert data["first_candidates"] and data["first_candidates"][0]["is_first_candidate"]
    refused(requests.get(f"{api}/review/{UNKNOWN}", timeout=10), 404, "not found")
    refused(requests.get(f"{api}/review/{UNKNOWN}/history", timeout=10), 404, "not found")
    refused(requests.get(f"{api}/review/pending", params={"limit": 500}, timeout=10), 422, "limit")


def test_marking_updates_video_history_tasks_and_pending(api: str, videos: list[dict[str, Any]]) -> None:
    video_id, other_id = videos[1]["video_id"], videos[0]["video_id"]
    Video(video_id).update(actions=[Video.needs_review.set(True)])  # as the pipeline flags a doubtful result
    pending = requests.get(f"{api}/review/pending", params={"limit": 100}, timeout=30).json()
    assert video_id in [item["video_id"] for item in pending] and all(not i["all_frames"] for i in pending)

    task = new_task(api)
    requests.post(f"{api}/task/{task['id']}/videos", json={"video_ids": [video_id]}, timeout=30)
    data = frames_of(api, video_id)
    frames = data["all_frames"]
    ai_first = data["marked_first_frame"]
    last = frames[-2]
    foreign = frames_of(api, other_id)["all_frames"][3]["id"]
    mark = {"first_frame_id": ai_first["id"], "last_frame_id": last["id"], "reviewer": "lisi", "review_notes": "尾帧"}

    url = f"{api}/review/{video_id}/mark"
    refused(requests.post(url, json={**mark, "last_frame_id": foreign}, timeout=10), 422, "not a frame of video")
    refused(requests.post(url, json={**mark, "first_frame_id": last["id"], "last_frame_id": ai_first["id"]},
                          timeout=10), 422, "must come after")
    refused(requests.post(url, json={**mark, "reviewer": "  "}, timeout=10), 422, "reviewer")
    refused(requests.post(f"{api}/review/{UNKNOWN}/mark", json=mark, timeout=10), 404, "not found")
    assert requests.get(f"{api}/review/{video_id}/history", timeout=10).json() == []  # nothing written

    marked = requests.post(url, json=mark, timeout=30)
    assert marked.status_code == 200, marked.text
    result = marked.json()
    assert result["status"] == "reviewed" and result["marking_method"] == "hybrid"
    assert result["last_frame"]["frame_type"] == "last" and task["id"] in result["tasks_updated"]
    expected = round(last["timestamp"] - ai_first["timestamp"], 6)
    assert result["duration"] == pytest.approx(expected)
    assert stats(api, task["id"])["avg_duration"] == pytest.approx(expected)
    status = requests.get(f"{api}/video/{video_id}/status", timeout=10).json()
    assert status["marking_method"] == "hybrid" and status["measured_duration"] == pytest.approx(expected)
    history = requests.get(f"{api}/review/{video_id}/history", timeout=10).json()
    assert history[-1]["reviewer"] == "lisi" and history[-1]["notes"] == "尾帧"
    assert history[-1]["after"]["last_frame_number"] == last["frame_number"]
    assert history[-1]["before"]["marking_method"] == "algorithm"
    pending = requests.get(f"{api}/review/pending", params={"limit": 100}, timeout=30).json()
    assert video_id not in [item["video_id"] for item in pending]


def test_concurrent_marks_later_wins_and_history_keeps_both(api: str, videos: list[dict[str, Any]]) -> None:
    video_id = videos[0]["video_id"]
    frames = frames_of(api, video_id)["all_frames"]
    before = len(requests.get(f"{api}/review/{video_id}/history", timeout=10).json())
    choices = [(frames[1], frames[-1]), (frames[2], frames[-3])]
    answers: list[requests.Response] = []
    gate = threading.Barrier(len(choices))

    def mark(first: dict[str, Any], last: dict[str, Any], reviewer: str) -> None:
        gate.wait()
        answers.append(requests.post(f"{api}/review/{video_id}/mark", json={
            "first_frame_id": first["id"], "last_frame_id": last["id"], "reviewer": reviewer}, timeout=60))

    threads = [threading.Thread(target=mark, args=(*pair, f"r{i}")) for i, pair in enumerate(choices)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [answer.status_code for answer in answers] == [200, 200], [a.text for a in answers]
    history = requests.get(f"{api}/review/{video_id}/history", timeout=10).json()
    assert len(history) == before + 2
    earlier, later = history[-2], history[-1]
    assert later["before"] == earlier["after"]  # the later mark applied on top of the earlier one
    status = requests.get(f"{api}/video/{video_id}/status", timeout=10).json()
    marks = {frame["type"]: frame["frame_number"] for frame in status["frames"]}
    assert marks == {"first": later["after"]["first_frame_number"], "last": later["after"]["last_frame_number"]}
    assert status["marking_method"] == "manual"


def test_a_hand_picked_frame_gets_its_full_size_image(api: str, videos: list[dict[str, Any]]) -> None:
    """The pipeline stores pictures of its own picks only; a frame chosen by hand gets one shortly after the
    mark (FrameImagesFunction, invoked asynchronously), and the task detail links it."""
    video_id = videos[0]["video_id"]
    data = frames_of(api, video_id)
    stored = {int(f["frame_number"]) for f in data["all_frames"] if f["url"]}
    first, last = [f for f in data["all_frames"] if int(f["frame_number"]) not in stored][1:3]
    task = new_task(api, name="hand-picked frames")
    requests.post(f"{api}/task/{task['id']}/videos", json={"video_ids": [video_id]}, timeout=30)
    marked = requests.post(f"{api}/review/{video_id}/mark", timeout=30, json={
        "first_frame_id": first["id"], "last_frame_id": last["id"], "reviewer": "wangwu"})
    assert marked.status_code == 200, marked.text

    deadline, links = time.monotonic() + 60, {}
    while time.monotonic() < deadline:
        entry = requests.get(f"{api}/task/{task['id']}", timeout=10).json()["videos"][0]
        links = {"first": entry["first_frame_url"], "last": entry["last_frame_url"]}
        if all(links.values()):
            break
        time.sleep(0.3)
    assert all(links.values()), links
    for url in links.values():
        image = requests.get(url, timeout=10)
        assert image.status_code == 200 and image.content[:3] == b"\xff\xd8\xff"  # a JPEG
        assert Image.open(io.BytesIO(image.content)).size == (videos[0]["width"], videos[0]["height"])
    review = frames_of(api, video_id)
    assert review["marked_first_frame"]["frame_number"] == first["frame_number"]
    assert review["marked_first_frame"]["url"] and review["marked_last_frame"]["url"]
