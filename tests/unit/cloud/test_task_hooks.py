"""The pipeline's last steps keep the statistics of the tasks that contain the video: finalize and fail
recompute them, retried steps change nothing more."""

from __future__ import annotations

import uuid
from typing import Any

from frame_metric.data.tasks import TaskVideo, TimingTask
from frame_metric.data.video import Video, VideoStatus
from frame_metric.pipeline import outcome
from frame_metric.storage.s3 import ObjectStore
from frame_metric.tasks.recompute import recompute


def _video_in_task(task_id: str, order: int) -> str:
    video_id = str(uuid.uuid4())
    Video(video_id, filename=f"{order}.mp4", status=VideoStatus.PROCESSING.value, frame_count=90).save()
    TaskVideo(task_id, video_id, link_id=str(uuid.uuid4()), order=order).save()
    return video_id


def test_finalize_and_fail_update_the_task(moto_stack: dict[str, Any]) -> None:
    task_id = str(uuid.uuid4())
    TimingTask(task_id, name="hooks").save()
    done, broken = _video_in_task(task_id, 1), _video_in_task(task_id, 2)
    recompute(task_id)
    task = TimingTask.get(task_id)
    assert task.status == "processing" and task.processing_videos == 2

    key = f"videos/{done}/analysis.json"
    ObjectStore().put_json(key, {
        "first_frame": {"frame_number": 15, "timestamp": 0.5, "score": 0.9},
        "last_frame": {"frame_number": 60, "timestamp": 2.0, "score": 0.8},
        "first_candidates": [], "last_candidates": [], "confidence": 0.9, "needs_review": False})
    for _ in range(2):  # a retried Finalize is harmless
        outcome.finalize({"video_id": done, "analysis_key": key})
    task = TimingTask.get(task_id)
    assert task.completed_videos == 1 and task.processing_videos == 1 and task.avg_duration == 1.5
    assert task.status == "processing" and task.total_frames == 90

    version = TimingTask.get(task_id).stats_version
    outcome.fail({"video_id": broken, "error": {"Error": "States.Timeout"}})
    task = TimingTask.get(task_id)
    assert task.status == "failed" and task.failed_videos == 1 and task.stats_version == version + 1
    outcome.fail({"video_id": broken, "error": {"Error": "States.Timeout"}})
    assert TimingTask.get(task_id).stats_version == version + 1  # nothing changed, nothing written
