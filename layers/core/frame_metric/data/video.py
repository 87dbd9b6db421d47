"""The video item: status, progress and the analysis summary. Per-frame data lives in S3, not here."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection, KeysOnlyProjection
from pynamodb.models import Model

from frame_metric.data.sharding import sharded_key


class VideoStatus(StrEnum):
    UPLOADING = "uploading"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (VideoStatus.COMPLETED, VideoStatus.FAILED, VideoStatus.CANCELLED)


class MarkingMethod(StrEnum):
    ALGORITHM = "algorithm"
    MANUAL = "manual"
    HYBRID = "hybrid"


def frame_id(video_id: str, frame_number: int) -> str:
    """A stable id per frame, so review marks refer to frames without one item per frame."""
    return str(uuid.uuid5(uuid.UUID(video_id), f"frame/{frame_number}"))


def utcnow() -> datetime:
    return datetime.now(UTC)


class FrameMark(MapAttribute):
    frame_number = NumberAttribute()
    timestamp = NumberAttribute()
    score = NumberAttribute(null=True)
    image_key = UnicodeAttribute(null=True)


class ActionFrameMark(MapAttribute):
    frame_number = NumberAttribute()
    timestamp = NumberAttribute()
    source = UnicodeAttribute(null=True)  # operation only: touch_indicator | mark | manual


class ActionMark(MapAttribute):
    """One interaction of the recording (analysis/actions.py); reviewers may correct its frames."""

    index = NumberAttribute()
    operation = ActionFrameMark(null=True)
    response = ActionFrameMark(null=True)
    finish = ActionFrameMark(null=True)
    end = ActionFrameMark()
    confidence = NumberAttribute(null=True)
    needs_review = BooleanAttribute(default=False)
    label = UnicodeAttribute(null=True)


class IgnoredRegion(MapAttribute):
    x = NumberAttribute()
    y = NumberAttribute()
    w = NumberAttribute()
    h = NumberAttribute()
    reason = UnicodeAttribute()


class ByCreatedIndex(GlobalSecondaryIndex["Video"]):
    """Every video, newest first (the list endpoint without a status filter), over the shards
    "video#0".."video#7" (data/sharding.py). Keys only: progress writes never reach it."""

    class Meta:
        index_name = "by_created"
        projection = KeysOnlyProjection()

    listing = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class ByStatusIndex(GlobalSecondaryIndex["Video"]):
    """Videos of one status, newest first, over the shards "<status>#0".."<status>#7". Keys and the
    review filter's attributes only: progress writes never reach it."""

    class Meta:
        index_name = "by_status"
        projection = IncludeProjection(["needs_review", "reviewed_at"])

    status_shard = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class Video(Model):
    class Meta:
        table_name = "frame-metric-videos"
        region = "us-east-1"
        host: str | None = None

    video_id = UnicodeAttribute(hash_key=True)
    # Index partitions (data/sharding.py): "video#<shard>" and "<status>#<shard>", set from the id.
    listing = UnicodeAttribute(null=True)
    filename = UnicodeAttribute()
    status = UnicodeAttribute(default=VideoStatus.UPLOADING.value)
    status_shard = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute(default=utcnow)
    updated_at = UTCDateTimeAttribute(default=utcnow)
    s3_key = UnicodeAttribute(null=True)
    size_bytes = NumberAttribute(null=True)
    batch_id = UnicodeAttribute(null=True)

    execution_name = UnicodeAttribute(null=True)
    execution_arn = UnicodeAttribute(null=True)
    progress = NumberAttribute(default=0)
    current_step = UnicodeAttribute(default="queued")
    frames_analysed = NumberAttribute(default=0)
    # When a status read last asked Step Functions about this video (videos/service.py STATUS_RECHECK).
    checked_at = UTCDateTimeAttribute(null=True)
    # Since when an upload waits for capacity (pipeline/admission.py): set the first time the trigger
    # finds the pipeline full, while the video stays `uploading` with current_step "queued".
    queued_at = UTCDateTimeAttribute(null=True)
    error_message = UnicodeAttribute(null=True)

    duration = NumberAttribute(null=True)
    fps = NumberAttribute(null=True)
    width = NumberAttribute(null=True)
    height = NumberAttribute(null=True)
    frame_count = NumberAttribute(null=True)
    variable_frame_rate = BooleanAttribute(null=True)
    codec = UnicodeAttribute(null=True)

    first_frame = FrameMark(null=True)
    last_frame = FrameMark(null=True)
    first_candidates = ListAttribute(of=FrameMark, null=True)
    last_candidates = ListAttribute(of=FrameMark, null=True)
    ai_confidence = NumberAttribute(null=True)
    needs_review = BooleanAttribute(default=False)
    review_reasons = ListAttribute(null=True)
    ignored_regions = ListAttribute(of=IgnoredRegion, null=True)
    marking_method = UnicodeAttribute(default=MarkingMethod.ALGORITHM.value)
    analysis_key = UnicodeAttribute(null=True)
    # Every interaction (operation/response/finish/end), at most videos.stored_actions.STORED_ACTIONS;
    # the analysis JSON in S3 has them all.
    actions = ListAttribute(of=ActionMark, null=True)
    # The monitoring run this video is a recording of (monitor/runs.py links it): its actions take
    # the run's scenario steps (monitor.step_timings.linked_actions).
    linked_run_id = UnicodeAttribute(null=True)
    # Per-upload analysis options (JSON of videos.schemas.AnalysisOptionsRequest); none: the defaults.
    analysis_options = UnicodeAttribute(null=True)
    # Human review (frame_metric/review): who marked last, and a counter every mark bumps conditionally.
    reviewed_by = UnicodeAttribute(null=True)
    reviewed_at = UTCDateTimeAttribute(null=True)
    review_notes = UnicodeAttribute(null=True)
    review_version = NumberAttribute(default=0)

    by_created = ByCreatedIndex()
    by_status = ByStatusIndex()

    def __init__(self, hash_key: str | None = None, range_key: None = None, _user_instantiated: bool = True,
                 **attributes: object) -> None:
        super().__init__(hash_key, range_key, _user_instantiated, **attributes)
        if _user_instantiated and self.video_id:
            self.listing = self.listing or sharded_key("video", self.video_id)
            self.status_shard = self.status_shard or sharded_key(self.status, self.video_id)

    @staticmethod
    def status_actions(video_id: str, status: VideoStatus) -> list[Any]:
        """The update actions that move a video to `status`: the status and its index partition."""
        return [Video.status.set(status.value), Video.status_shard.set(sharded_key(status.value, video_id))]

    @property
    def shown_progress(self) -> int:
        """Percent done. While segments are analysed it follows frames_analysed (10..85 %), so a
        progress report is one small counter update and not a second write of the percentage."""
        progress = int(self.progress or 0)
        if self.current_step == "extracting_frames" and self.frame_count:
            share = min(1.0, float(self.frames_analysed or 0) / max(1.0, float(self.frame_count)))
            progress = max(progress, 10 + int(75 * share))
        return max(0, min(100, progress))

    @property
    def video_status(self) -> VideoStatus:
        return VideoStatus(self.status)

    @property
    def measured_duration(self) -> float | None:
        if self.first_frame is None or self.last_frame is None:
            return None
        return round(float(self.last_frame.timestamp) - float(self.first_frame.timestamp), 6)
