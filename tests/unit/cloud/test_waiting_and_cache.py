"""Issue 20: the download cache shared by a video's steps never answers a replaced object with an old
file, and a long poll on a video's progress answers when it changes, not after a fixed sleep."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from frame_metric.data import Video
from frame_metric.errors import ValidationFailed
from frame_metric.storage.s3 import ObjectStore
from frame_metric.videos import waiting
from frame_metric.videos.service import VideoService


@pytest.fixture
def store(moto_stack: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> ObjectStore:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    return ObjectStore(moto_stack["settings"])


def test_a_replaced_object_is_downloaded_again(moto_stack: dict[str, Any], store: ObjectStore) -> None:
    s3, key = moto_stack["s3"], "uploads/a/clip.mp4"
    s3.put_object(Bucket=store.bucket, Key=key, Body=b"first recording")
    first = store.local_copy(key)
    assert store.local_copy(key) == first  # the next step of the execution reuses it
    s3.put_object(Bucket=store.bucket, Key=key, Body=b"second recording")
    second = store.local_copy(key)
    assert second != first and second.read_bytes() == b"second recording"


def test_versions_of_a_versioned_bucket_are_told_apart(moto_stack: dict[str, Any], store: ObjectStore) -> None:
    s3, key = moto_stack["s3"], "uploads/b/clip.mp4"
    s3.put_bucket_versioning(Bucket=store.bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=store.bucket, Key=key, Body=b"same bytes")
    first = store.local_copy(key)
    s3.put_object(Bucket=store.bucket, Key=key, Body=b"same bytes")  # same ETag, a new version
    assert store.local_copy(key) != first


def _processing_video(video_id: str) -> None:
    Video(video_id, filename="clip.mp4", status="processing", progress=40, current_step="extracting_frames").save()


def test_a_long_poll_answers_when_the_progress_changes(moto_stack: dict[str, Any]) -> None:
    video_id = "5a0c7f3e-1111-4e8f-a1b2-c3d4e5f60718"
    _processing_video(video_id)
    service = VideoService(moto_stack["settings"])
    seen = service.progress(video_id)
    token = waiting.progress_token(seen.status.value, seen.progress, seen.current_step)

    def finish() -> None:
        time.sleep(0.6)
        Video(video_id).update(actions=[Video.status.set("completed"), Video.progress.set(100)])

    threading.Thread(target=finish).start()
    started = time.monotonic()
    answer = service.progress(video_id, wait=10, since=token)
    waited = time.monotonic() - started
    assert answer.status.value == "completed" and answer.progress == 100
    assert 0.5 <= waited < 0.6 + 5 * waiting.READ_INTERVAL + 1.0  # woke on the change, not after 10 s


def test_a_long_poll_without_change_ends_after_its_wait(moto_stack: dict[str, Any]) -> None:
    video_id = "5a0c7f3e-2222-4e8f-a1b2-c3d4e5f60718"
    _processing_video(video_id)
    service = VideoService(moto_stack["settings"])
    token = waiting.progress_token("processing", 40, "extracting_frames")
    started = time.monotonic()
    assert service.progress(video_id, wait=1, since=token).progress == 40
    assert time.monotonic() - started >= 1.0
    started = time.monotonic()
    assert service.progress(video_id, wait=1, since="completed/100/completed").progress == 40  # differs: at once
    assert time.monotonic() - started < 0.5
    with pytest.raises(ValidationFailed, match="wait must be between"):
        service.progress(video_id, wait=waiting.MAX_WAIT_SECONDS + 1, since=token)
