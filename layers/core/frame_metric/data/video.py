"""The video item: status, progress and the analysis summary. Per-frame data lives in S3, not here."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model


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
    """Every video, newest first: the list endpoint without a status filter."""

    class Meta:
        index_name = "by_created"
        projection = AllProjection()

    listing = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class ByStatusIndex(GlobalSecondaryIndex["Video"]):
    class Meta:
        index_name = "by_status"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class Video(Model):
    class Meta:
        table_name = "frame-metric-videos"
        region = "us-east-1"
        host: str | None = None

    video_id = UnicodeAttribute(hash_key=True)
    # Constant partition of the by_created index: video volumes here are thousands, not millions.
    listing = UnicodeAttribute(default="video")
    filename = UnicodeAttribute()
    status = UnicodeAttribute(default=VideoStatus.UPLOADING.value)
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
    # Per-upload analysis options (JSON of videos.schemas.AnalysisOptionsRequest); none: the defaults.
    analysis_options = UnicodeAttribute(null=True)
    # Human review (frame_metric/review): who marked last, and a counter every mark bumps conditionally.
    reviewed_by = UnicodeAttribute(null=True)
    reviewed_at = UTCDateTimeAttribute(null=True)
    review_notes = UnicodeAttribute(null=True)
    review_version = NumberAttribute(default=0)

    by_created = ByCreatedIndex()
    by_status = ByStatusIndex()

    @property
    def video_status(self) -> VideoStatus:
        return VideoStatus(self.status)

    @property
    def measured_duration(self) -> float | None:
        if self.first_frame is None or self.last_frame is None:
            return None
        return round(float(self.last_frame.timestamp) - float(self.first_frame.timestamp), 6)
