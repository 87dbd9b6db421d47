"""Bad input gets the right 4xx with a clear detail, and nothing stored is lost or half-written."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from frame_metric.localcloud.cloud import LocalCloud
from tests.integration.conftest import upload, wait_finished


def all_videos(api: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while True:
        page = requests.get(f"{api}/video/list", params={"skip": len(found), "limit": 100}, timeout=10).json()
        found += page
        if len(page) < 100:
            return found


def objects(cloud: LocalCloud, prefix: str = "uploads/") -> int:
    s3 = cloud.client("s3")
    return s3.list_objects_v2(Bucket=cloud.settings.bucket, Prefix=prefix).get("KeyCount", 0)


def post_file(api: str, name: str, data: bytes) -> requests.Response:
    return requests.post(f"{api}/video/upload", files={"file": (name, data, "video/mp4")}, timeout=30)


@pytest.mark.parametrize(("name", "data", "code", "words"), [
    ("clip.mp4", b"", 400, "empty"),
    ("clip.mp4", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, 415, "not an MP4"),
    ("clip.mov", b"\x00\x00\x00\x18ftypqt  " + b"\x00" * 100, 400, ".mp4"),
    ("clip.mp4", b"GIF89a" * 40, 415, "ftyp"),
])
def test_bad_files_are_refused_and_nothing_is_stored(cloud: LocalCloud, api: str, name: str, data: bytes,
                                                      code: int, words: str) -> None:
    before_videos, before_objects = len(all_videos(api)), objects(cloud)
    response = post_file(api, name, data)
    assert response.status_code == code, response.text
    assert words in response.json()["detail"]
    assert len(all_videos(api)) == before_videos
    assert objects(cloud) == before_objects


def test_truncated_recording_is_refused(cloud: LocalCloud, api: str, recordings: dict[str, Any]) -> None:
    data = recordings["launch"][0].read_bytes()
    response = post_file(api, "cut.mp4", data[: len(data) * 2 // 3])
    assert response.status_code == 400
    assert "truncated" in response.json()["detail"] or "moov" in response.json()["detail"]


def test_missing_file_field(api: str) -> None:
    response = requests.post(f"{api}/video/upload", files={"other": ("a.mp4", b"x")}, timeout=10)
    assert response.status_code == 400 and "'file'" in response.json()["detail"]
    response = requests.post(f"{api}/video/upload", data=b"{}", headers={"Content-Type": "application/json"},
                             timeout=10)
    assert response.status_code in (400, 415)


def test_batch_limits_are_all_or_nothing(cloud: LocalCloud, api: str, recordings: dict[str, Any]) -> None:
    good = recordings["launch"][0].read_bytes()
    before = len(all_videos(api))
    six = [("files", (f"{i}.mp4", good, "video/mp4")) for i in range(6)]
    response = requests.post(f"{api}/video/batch-upload", files=six, timeout=60)
    assert response.status_code == 400 and "at most 5" in response.json()["detail"]
    mixed = [("files", ("good.mp4", good, "video/mp4")), ("files", ("bad.mp4", b"nope" * 10, "video/mp4"))]
    response = requests.post(f"{api}/video/batch-upload", files=mixed, timeout=60)
    assert response.status_code == 415 and "bad.mp4" in response.json()["detail"]
    assert len(all_videos(api)) == before
    response = requests.post(f"{api}/video/batch-upload", files=[("other", ("a.mp4", good))], timeout=60)
    assert response.status_code == 400


def test_batch_upload_processes_every_file(api: str, recordings: dict[str, Any]) -> None:
    files = [("files", (f"{name}.mp4", recordings[name][0].read_bytes(), "video/mp4")) for name in ("launch", "vfr")]
    response = requests.post(f"{api}/video/batch-upload", files=files, timeout=60)
    assert response.status_code == 200, response.text
    batch = response.json()
    assert batch["total_count"] == 2 and batch["batch_id"]
    for video in batch["videos"]:
        assert wait_finished(api, video["video_id"])["status"] == "completed"


def test_presign_checks_name_and_size(api: str) -> None:
    response = requests.post(f"{api}/video/upload-url", json={"filename": "big.mp4", "size": 600 * 1024 * 1024},
                             timeout=10)
    assert response.status_code == 413 and "500 MB" in response.json()["detail"]
    response = requests.post(f"{api}/video/upload-url", json={"filename": "a.avi", "size": 10}, timeout=10)
    assert response.status_code == 400
    response = requests.post(f"{api}/video/upload-url", json={"filename": "a.mp4"}, timeout=10)
    assert response.status_code == 422 and "size" in response.json()["detail"]
    response = requests.post(f"{api}/video/upload-url", data="{not json", timeout=10,
                             headers={"Content-Type": "application/json"})
    assert response.status_code == 400


def test_presigned_upload_of_a_non_mp4_ends_failed(api: str) -> None:
    ticket = requests.post(f"{api}/video/upload-url", json={"filename": "fake.mp4", "size": 64}, timeout=10).json()
    requests.put(ticket["upload_url"], data=b"not a video at all" * 4, headers=ticket["headers"], timeout=10)
    status = wait_finished(api, ticket["video_id"])
    assert status["status"] == "failed" and "ftyp" in status["error_message"]


@pytest.mark.parametrize("path", ["/video/00000000-0000-4000-8000-000000000000/status",
                                  "/video/00000000-0000-4000-8000-000000000000/progress", "/video/not-an-id/status"])
def test_unknown_videos_are_404(api: str, path: str) -> None:
    response = requests.get(f"{api}{path}", timeout=10)
    assert response.status_code == 404 and "not found" in response.json()["detail"]


def test_cancel_unknown_and_finished(api: str, recordings: dict[str, Any]) -> None:
    response = requests.post(f"{api}/video/00000000-0000-4000-8000-000000000000/cancel", timeout=10)
    assert response.status_code == 404
    video_id = upload(api, recordings["launch"][0])["video_id"]
    assert wait_finished(api, video_id)["status"] == "completed"
    response = requests.post(f"{api}/video/{video_id}/cancel", timeout=10)
    assert response.status_code == 409 and "completed" in response.json()["detail"]
    assert requests.get(f"{api}/video/{video_id}/status", timeout=10).json()["status"] == "completed"


@pytest.mark.parametrize(("query", "words"), [
    ("skip=-1", "skip"), ("limit=0", "limit"), ("limit=101", "limit"), ("limit=abc", "limit"),
    ("status=done", "status"),
])
def test_bad_paging_values_are_422(api: str, query: str, words: str) -> None:
    response = requests.get(f"{api}/video/list?{query}", timeout=10)
    assert response.status_code == 422 and words in response.json()["detail"]


def test_list_pages_and_filters(api: str, recordings: dict[str, Any]) -> None:
    ids = [upload(api, recordings["launch"][0], f"page-{i}.mp4")["video_id"] for i in range(3)]
    for video_id in ids:
        wait_finished(api, video_id)
    newest = requests.get(f"{api}/video/list", params={"limit": 2}, timeout=10).json()
    assert [v["video_id"] for v in newest] == ids[::-1][:2]
    nxt = requests.get(f"{api}/video/list", params={"skip": 2, "limit": 1}, timeout=10).json()
    assert [v["video_id"] for v in nxt] == [ids[0]]
    completed = requests.get(f"{api}/video/list", params={"status": "completed", "limit": 100}, timeout=10).json()
    assert set(ids) <= {v["video_id"] for v in completed}
    assert all(v["status"] == "completed" for v in completed)


def test_unknown_route_and_docs(cloud: LocalCloud) -> None:
    assert requests.get(f"{cloud.api_url}/docs", timeout=10).status_code == 200
    document = requests.get(f"{cloud.api_url}/openapi.json", timeout=10).json()
    assert "/api/v1/video/upload" in document["paths"]
    assert requests.get(f"{cloud.api_url}/", timeout=10).json()["status"] == "running"
