"""Keep a task's statistics true to its videos. Called when videos are added or removed, when the
pipeline completes or fails a video, when a reviewer re-marks one, and by calculate-stats.

Safe under retries and concurrency: a recomputation reads the task's stats_version *before* it reads the
videos and writes only over that version. A concurrent change to a video triggers its own recomputation,
which starts after the change; whichever of the two writes second either started after the first write
or loses its condition and reads again. So the last stored statistics always include the last change."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from pynamodb.exceptions import DoesNotExist, UpdateError

from frame_metric.data.connection import condition_failed
from frame_metric.data.tasks import TaskVideo, TimingTask
from frame_metric.data.video import Video, VideoStatus, utcnow
from frame_metric.tasks.statistics import TaskStatistics, VideoFacts, compute

log = logging.getLogger(__name__)
ATTEMPTS = 8
_FIELDS = [name for name in TaskStatistics.__dataclass_fields__ if name != "status"]


def task_links(task_id: str) -> list[TaskVideo]:
    return sorted(TaskVideo.query(task_id, consistent_read=True), key=lambda link: int(link.order))


def load_videos(video_ids: Iterable[str]) -> dict[str, Video]:
    wanted = list(dict.fromkeys(video_ids))
    if not wanted:
        return {}
    return {video.video_id: video for video in Video.batch_get(wanted, consistent_read=True)}


def facts(video: Video | None) -> VideoFacts:
    if video is None:  # deleted under the task: its timing is missing, as with a failed video
        return VideoFacts(VideoStatus.FAILED, None, None)
    frames = None if video.frame_count is None else int(video.frame_count)
    return VideoFacts(video.video_status, video.measured_duration, frames)


def _stored(task: TimingTask) -> TaskStatistics:
    values = {name: getattr(task, name) for name in _FIELDS}
    for name in ("total_videos", "completed_videos", "processing_videos", "failed_videos", "total_frames"):
        values[name] = int(values[name] or 0)
    return TaskStatistics(status=task.status, **values)  # type: ignore[arg-type]


def recompute(task_id: str) -> TimingTask | None:
    """Statistics and status of one task from its videos now; None when the task does not exist."""
    for _ in range(ATTEMPTS):
        try:
            task = TimingTask.get(task_id, consistent_read=True)
        except DoesNotExist:
            return None
        version = int(task.stats_version or 0)
        links = task_links(task_id)
        videos = load_videos(link.video_id for link in links)
        stats = compute([facts(videos.get(link.video_id)) for link in links])
        if stats == _stored(task):
            return task
        actions = [getattr(TimingTask, name).set(getattr(stats, name)) for name in _FIELDS]
        now = utcnow()
        actions += [TimingTask.status.set(stats.status.value), TimingTask.stats_version.set(version + 1),
                    TimingTask.stats_at.set(now), TimingTask.updated_at.set(now)]
        try:
            task.update(actions=actions, condition=TimingTask.stats_version == version)
        except UpdateError as exc:
            if condition_failed(exc):
                continue  # another recomputation wrote meanwhile: read again
            raise
        return task
    raise RuntimeError(f"statistics of task {task_id} kept changing under {ATTEMPTS} recomputations")


def tasks_containing(video_id: str) -> list[str]:
    return [link.task_id for link in TaskVideo.by_video.query(video_id)]


def recompute_for_video(video_id: str) -> list[str]:
    """Recompute every task that contains the video; returns their ids."""
    task_ids = tasks_containing(video_id)
    for task_id in task_ids:
        recompute(task_id)
    if task_ids:
        log.info("statistics of %d task(s) follow video %s", len(task_ids), video_id)
    return task_ids
