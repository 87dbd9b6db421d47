"""After a restart of the local cloud, what was in flight is resumed from the durable state."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from frame_metric.data import Video
from frame_metric.pipeline.recovery import has_interrupted, resume_interrupted


@pytest.fixture
def cloud_state(moto_stack: dict[str, Any]) -> dict[str, Any]:
    return moto_stack


def _video(video_id: str, status: str, key: str, **fields: Any) -> Video:
    video = Video(video_id, filename="clip.mp4", status=status, s3_key=key, **fields)
    video.save()
    return video


def test_lost_executions_restart_and_finished_uploads_start(
        cloud_state: dict[str, Any], sample_recording: tuple[Path, object]) -> None:
    s3, bucket = cloud_state["s3"], cloud_state["settings"].bucket
    data = sample_recording[0].read_bytes()
    lost_arn = cloud_state["machine"].replace(":stateMachine:", ":execution:") + ":gone"
    ids = ["11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222",
           "33333333-3333-4333-8333-333333333333", "44444444-4444-4444-8444-444444444444"]
    for video_id in ids[:3]:
        s3.put_object(Bucket=bucket, Key=f"uploads/{video_id}/clip.mp4", Body=data)
    _video(ids[0], "processing", f"uploads/{ids[0]}/clip.mp4", execution_arn=lost_arn, progress=40)
    _video(ids[1], "uploading", f"uploads/{ids[1]}/clip.mp4")  # the file arrived, its event was lost
    _video(ids[2], "completed", f"uploads/{ids[2]}/clip.mp4")
    _video(ids[3], "processing", f"uploads/{ids[3]}/clip.mp4", execution_arn=lost_arn)  # file gone too

    report = resume_interrupted(cloud_state["settings"])

    assert (report.restarted, report.triggered, report.failed) == (1, 1, 1)
    restarted = Video.get(ids[0])
    assert restarted.status == "processing" and restarted.progress == 0 and restarted.execution_arn != lost_arn
    assert Video.get(ids[1]).status == "processing"
    assert Video.get(ids[2]).status == "completed"
    failed = Video.get(ids[3])
    assert failed.status == "failed" and "restart" in failed.error_message
    executions = cloud_state["sfn"].list_executions(stateMachineArn=cloud_state["machine"])["executions"]
    assert len(executions) == 2
    # Running it again finds nothing more to do.
    again = resume_interrupted(cloud_state["settings"])
    assert (again.restarted, again.failed) == (0, 0)


def test_interrupted_work_is_seen_through_the_sharded_status_index(cloud_state: dict[str, Any]) -> None:
    # The status index is sharded (processing#0..7): asking it for the bare status finds nothing, so a
    # restart would not know to recover before the API answers.
    assert not has_interrupted()
    _video("55555555-5555-4555-8555-555555555555", "completed", "uploads/x/clip.mp4")
    assert not has_interrupted()
    _video("66666666-6666-4666-8666-666666666666", "uploading", "uploads/y/clip.mp4")
    assert has_interrupted()
