"""The statistics of a task, from the videos it contains. Pure: no storage, so the maths is testable alone.

Durations are `last frame time - first frame time` in seconds, over completed videos that have both
marks. The spread is the sample standard deviation (n - 1): a task is a sample of repeated runs.
p90 interpolates linearly between closest ranks (the "inclusive" method, as Excel's PERCENTILE.INC).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from frame_metric.data.tasks import TaskStatus
from frame_metric.data.video import VideoStatus

DIGITS = 6
ACTIVE = {VideoStatus.UPLOADING, VideoStatus.PROCESSING}
ENDED_BADLY = {VideoStatus.FAILED, VideoStatus.CANCELLED}


@dataclass(frozen=True)
class VideoFacts:
    """What statistics need of one video of the task."""

    status: VideoStatus
    duration: float | None  # measured: last - first, seconds
    frame_count: int | None


@dataclass(frozen=True)
class TaskStatistics:
    status: TaskStatus
    total_videos: int
    completed_videos: int
    processing_videos: int
    failed_videos: int
    total_duration: float | None
    avg_duration: float | None
    min_duration: float | None
    max_duration: float | None
    median_duration: float | None
    p90_duration: float | None
    stddev_duration: float | None
    total_frames: int
    avg_frames_per_video: float | None


def percentile(values: Sequence[float], fraction: float) -> float:
    """Linear interpolation between closest ranks; one value is its own percentile."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def task_status(videos: Sequence[VideoFacts]) -> TaskStatus:
    """draft without videos; processing while any is; failed once any failed or was cancelled (its
    timing is missing); completed when every video is."""
    if not videos:
        return TaskStatus.DRAFT
    statuses = {video.status for video in videos}
    if statuses & ACTIVE:
        return TaskStatus.PROCESSING
    if statuses & ENDED_BADLY:
        return TaskStatus.FAILED
    return TaskStatus.COMPLETED


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, DIGITS)


def compute(videos: Sequence[VideoFacts]) -> TaskStatistics:
    completed = [video for video in videos if video.status == VideoStatus.COMPLETED]
    durations = [video.duration for video in completed if video.duration is not None]
    frames = [video.frame_count for video in completed if video.frame_count is not None]
    has = bool(durations)
    return TaskStatistics(
        status=task_status(videos),
        total_videos=len(videos),
        completed_videos=len(completed),
        processing_videos=sum(video.status in ACTIVE for video in videos),
        failed_videos=sum(video.status in ENDED_BADLY for video in videos),
        total_duration=_round(sum(durations)) if has else None,
        avg_duration=_round(statistics.fmean(durations)) if has else None,
        min_duration=_round(min(durations)) if has else None,
        max_duration=_round(max(durations)) if has else None,
        median_duration=_round(statistics.median(durations)) if has else None,
        p90_duration=_round(percentile(durations, 0.9)) if has else None,
        stddev_duration=_round(statistics.stdev(durations)) if len(durations) >= 2 else None,
        total_frames=sum(frames),
        avg_frames_per_video=_round(sum(frames) / len(frames)) if frames else None,
    )
