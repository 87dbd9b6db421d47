"""The video read path at scale: status and progress come from the video item (Step Functions is asked
only about a video silent for a minute, once a minute), lists read the sharded key-only indexes newest
first with skip/limit, and a throttled progress write never fails the work."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from pynamodb.exceptions import UpdateError

from frame_metric.data.sharding import SHARDS, shard_of
from frame_metric.data.video import Video, VideoStatus, utcnow
from frame_metric.pipeline.execution import Executions
from frame_metric.videos import records
from frame_metric.videos.service import STATUS_RECHECK, VideoService


class CountingExecutions(Executions):
    """The Step Functions boundary, counting DescribeExecution calls."""

    def __init__(self) -> None:
        self.described = 0

    def status(self, execution_arn: str) -> tuple[str, str | None]:
        self.described += 1
        return "RUNNING", None


def processing_video(video_id: str, silent_for: timedelta = timedelta(0)) -> Video:
    video = Video(video_id, filename="a.mp4", status=VideoStatus.PROCESSING.value,
                  execution_arn="arn:aws:states:us-east-1:123456789012:execution:m:x",
                  updated_at=utcnow() - silent_for, frame_count=100)
    video.status_shard = None  # derive it from the status set above
    video.save()
    return Video(video_id)


def test_polling_a_busy_video_reads_dynamodb_only(moto_stack: dict[str, Any]) -> None:
    executions = CountingExecutions()
    service = VideoService(executions=executions)
    processing_video("00000000-0000-4000-8000-000000000001")
    for _ in range(20):  # the CLI's 0.5 s polling for 10 s
        assert service.progress("00000000-0000-4000-8000-000000000001").status == VideoStatus.PROCESSING
    assert executions.described == 0


def test_a_silent_video_is_checked_once_per_period(moto_stack: dict[str, Any]) -> None:
    executions = CountingExecutions()
    service = VideoService(executions=executions)
    processing_video("00000000-0000-4000-8000-000000000002", silent_for=STATUS_RECHECK * 2)
    for _ in range(10):
        service.status("00000000-0000-4000-8000-000000000002")
    assert executions.described == 1


def test_progress_follows_the_frame_counter_in_one_small_write(moto_stack: dict[str, Any]) -> None:
    video_id = "00000000-0000-4000-8000-000000000003"
    processing_video(video_id)
    assert records.add_frames_analysed(video_id, 50, 100)
    video = records.get_video(video_id)
    assert video.current_step == "extracting_frames" and video.shown_progress == 10 + int(75 * 0.5)


def test_a_throttled_progress_write_is_dropped_not_raised(moto_stack: dict[str, Any],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    video_id = "00000000-0000-4000-8000-000000000004"
    processing_video(video_id)

    def throttled(self: Video, *args: Any, **kwargs: Any) -> None:
        refusal = {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}}
        raise UpdateError("throttled", cause=ClientError(refusal, "UpdateItem"))

    monkeypatch.setattr(Video, "update", throttled)
    assert records.add_frames_analysed(video_id, 10, 100) is False


def test_status_changes_move_the_index_partition(moto_stack: dict[str, Any]) -> None:
    video_id = "00000000-0000-4000-8000-000000000005"
    records.create_video(Video(video_id, filename="a.mp4"))
    assert records.get_video(video_id).status_shard == f"uploading#{shard_of(video_id)}"
    records.mark_processing(video_id, "n", "arn")
    assert records.get_video(video_id).status_shard == f"processing#{shard_of(video_id)}"
    records.mark_failed(video_id, "why")
    video = records.get_video(video_id)
    assert video.status_shard == f"failed#{shard_of(video_id)}" and video.listing == f"video#{shard_of(video_id)}"


def test_lists_are_newest_first_across_shards_with_skip_and_limit(moto_stack: dict[str, Any]) -> None:
    start = utcnow()
    ids = [f"00000000-0000-4000-8000-{n:012d}" for n in range(100, 130)]
    for n, video_id in enumerate(ids):
        records.create_video(Video(video_id, filename=f"{n}.mp4", created_at=start + timedelta(seconds=n)))
    assert len({shard_of(video_id) for video_id in ids}) == SHARDS, "the ids spread over every shard"
    for video_id in ids[::3]:
        records.mark_processing(video_id, "n", "arn")
    newest_first = list(reversed(ids))
    service = VideoService(executions=CountingExecutions())
    pages = [[v.video_id for v in service.list(skip=skip, limit=7)] for skip in range(0, 35, 7)]
    assert [video_id for page in pages for video_id in page] == newest_first
    processing = [v.video_id for v in service.list(status="processing", skip=2, limit=5)]
    assert processing == [video_id for video_id in newest_first if video_id in ids[::3]][2:7]
