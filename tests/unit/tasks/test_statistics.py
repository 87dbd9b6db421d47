"""The statistics maths of a task: counts, duration summary, median, p90, spread, frames, status."""

from __future__ import annotations

import math

import pytest

from frame_metric.data.tasks import TaskStatus
from frame_metric.data.video import VideoStatus
from frame_metric.tasks.statistics import VideoFacts, compute, percentile

DONE = VideoStatus.COMPLETED


def test_empty_task_is_a_draft_with_no_durations() -> None:
    stats = compute([])
    assert stats.status == TaskStatus.DRAFT and stats.total_videos == 0 and stats.total_frames == 0
    assert stats.avg_duration is None and stats.median_duration is None and stats.p90_duration is None
    assert stats.stddev_duration is None and stats.avg_frames_per_video is None


def test_duration_summary() -> None:
    durations = [1.2, 5.8, 2.0, 3.0, 4.0]
    stats = compute([VideoFacts(DONE, d, 100 + i) for i, d in enumerate(durations)])
    assert stats.status == TaskStatus.COMPLETED and stats.completed_videos == 5
    assert stats.total_duration == pytest.approx(16.0) and stats.avg_duration == pytest.approx(3.2)
    assert stats.min_duration == 1.2 and stats.max_duration == 5.8
    assert stats.median_duration == 3.0
    # sorted 1.2 2 3 4 5.8: rank 0.9 * 4 = 3.6 -> 4 + 0.6 * 1.8
    assert stats.p90_duration == pytest.approx(5.08)
    mean = 3.2
    assert stats.stddev_duration == pytest.approx(math.sqrt(sum((d - mean) ** 2 for d in durations) / 4), abs=1e-6)
    assert stats.total_frames == 510 and stats.avg_frames_per_video == pytest.approx(102.0)


def test_even_count_median_and_single_video() -> None:
    assert compute([VideoFacts(DONE, d, None) for d in (1.0, 2.0, 3.0, 10.0)]).median_duration == 2.5
    one = compute([VideoFacts(DONE, 0.5, 30)])
    assert one.median_duration == one.p90_duration == one.avg_duration == 0.5
    assert one.stddev_duration is None  # a sample of one has no spread


def test_counts_and_status_follow_the_videos() -> None:
    mixed = [VideoFacts(DONE, 1.0, 10), VideoFacts(VideoStatus.PROCESSING, None, None),
             VideoFacts(VideoStatus.FAILED, None, None), VideoFacts(DONE, None, 12)]
    stats = compute(mixed)
    assert (stats.total_videos, stats.completed_videos, stats.processing_videos, stats.failed_videos) == (4, 2, 1, 1)
    assert stats.status == TaskStatus.PROCESSING
    assert stats.avg_duration == 1.0  # a completed video without both marks has no duration
    assert stats.total_frames == 22 and stats.avg_frames_per_video == 11.0
    assert compute(mixed[:1] + mixed[2:]).status == TaskStatus.FAILED
    assert compute([VideoFacts(VideoStatus.CANCELLED, None, None)]).status == TaskStatus.FAILED


def test_percentile_interpolates_and_refuses_nothing() -> None:
    assert percentile([3.0, 1.0, 2.0], 0.5) == 2.0
    assert percentile([1.0, 2.0], 0.9) == pytest.approx(1.9)
    assert percentile([7.0], 0.9) == 7.0
    with pytest.raises(ValueError):
        percentile([], 0.9)
