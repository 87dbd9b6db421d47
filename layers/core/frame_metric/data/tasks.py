"""Timing tasks: a named group of completed videos with statistics kept up to date, and the links
between tasks and videos (one item per link, with a GSI from a video to the tasks that contain it)."""

from __future__ import annotations

from enum import StrEnum

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from frame_metric.data.video import utcnow


class TaskStatus(StrEnum):
    DRAFT = "draft"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


class _TasksByCreated(GlobalSecondaryIndex["TimingTask"]):
    class Meta:
        index_name = "by_created"
        projection = AllProjection()

    listing = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class _TasksByCreator(GlobalSecondaryIndex["TimingTask"]):
    class Meta:
        index_name = "by_creator"
        projection = AllProjection()

    created_by = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class TimingTask(Model):
    class Meta:
        table_name = "frame-metric-timing-tasks"
        region = "us-east-1"
        host: str | None = None

    task_id = UnicodeAttribute(hash_key=True)
    listing = UnicodeAttribute(default="task")  # constant partition of by_created (tasks number hundreds)
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    created_by = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default=TaskStatus.DRAFT.value)
    created_at = UTCDateTimeAttribute(default=utcnow)
    updated_at = UTCDateTimeAttribute(default=utcnow)
    # Hands out each added video's `order`; only grows, so orders stay unique after removals.
    next_order = NumberAttribute(default=0)
    # Bumped by every statistics write: a recomputation writes only over the version it started from.
    stats_version = NumberAttribute(default=0)
    stats_at = UTCDateTimeAttribute(null=True)

    total_videos = NumberAttribute(default=0)
    completed_videos = NumberAttribute(default=0)
    processing_videos = NumberAttribute(default=0)
    failed_videos = NumberAttribute(default=0)
    total_duration = NumberAttribute(null=True)
    avg_duration = NumberAttribute(null=True)
    min_duration = NumberAttribute(null=True)
    max_duration = NumberAttribute(null=True)
    median_duration = NumberAttribute(null=True)
    p90_duration = NumberAttribute(null=True)
    stddev_duration = NumberAttribute(null=True)
    total_frames = NumberAttribute(default=0)
    avg_frames_per_video = NumberAttribute(null=True)

    by_created = _TasksByCreated()
    by_creator = _TasksByCreator()


class _LinksByVideo(GlobalSecondaryIndex["TaskVideo"]):
    """Which tasks contain a video: statistics follow the video when it completes, fails or is re-marked."""

    class Meta:
        index_name = "by_video"
        projection = KeysOnlyProjection()

    video_id = UnicodeAttribute(hash_key=True)
    task_id = UnicodeAttribute(range_key=True)


class TaskVideo(Model):
    class Meta:
        table_name = "frame-metric-task-videos"
        region = "us-east-1"
        host: str | None = None

    task_id = UnicodeAttribute(hash_key=True)
    video_id = UnicodeAttribute(range_key=True)
    link_id = UnicodeAttribute()
    order = NumberAttribute()
    notes = UnicodeAttribute(null=True)
    added_at = UTCDateTimeAttribute(default=utcnow)

    by_video = _LinksByVideo()
