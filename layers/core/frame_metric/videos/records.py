"""State changes of a video item. Every change is conditional on the status it expects, so a late step
of a cancelled or failed execution can never overwrite the final state, and a retried step is harmless."""

from __future__ import annotations

import logging
from typing import Any

from pynamodb.exceptions import DoesNotExist, UpdateError

from frame_metric.data.connection import condition_failed, insert
from frame_metric.data.sharding import newest_first
from frame_metric.data.video import Video, VideoStatus, utcnow
from frame_metric.errors import NotFound

log = logging.getLogger(__name__)

ACTIVE = [VideoStatus.UPLOADING.value, VideoStatus.PROCESSING.value]


def get_video(video_id: str) -> Video:
    try:
        return Video.get(video_id, consistent_read=True)
    except DoesNotExist:
        raise NotFound(f"video {video_id} not found") from None


def find_video(video_id: str) -> Video | None:
    try:
        return Video.get(video_id, consistent_read=True)
    except DoesNotExist:
        return None


def active_videos(status: VideoStatus) -> list[Video]:
    """Every video of this status, read whole (the status index holds keys only), newest first."""
    keys = [key.video_id for key in newest_first(Video.by_status, status.value)]
    return [video for video in (find_video(video_id) for video_id in keys) if video is not None]


def create_video(video: Video) -> bool:
    """Insert a new item; False when one with this id exists already (a duplicate event)."""
    return insert(video, Video.video_id.does_not_exist())


def update_if(video_id: str, expected: list[str], actions: list[Any]) -> bool:
    """Apply `actions` only while the video's status is one of `expected`; False otherwise."""
    actions = [*actions, Video.updated_at.set(utcnow())]
    try:
        Video(video_id).update(actions=actions, condition=Video.status.is_in(*expected))
    except UpdateError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def mark_processing(video_id: str, execution_name: str, execution_arn: str) -> bool:
    return update_if(video_id, ACTIVE, [
        *Video.status_actions(video_id, VideoStatus.PROCESSING),
        Video.execution_name.set(execution_name),
        Video.execution_arn.set(execution_arn),
    ])


def mark_queued(video_id: str) -> bool:
    """An uploaded video the pipeline has no capacity for yet: it stays `uploading`, shows `queued`, and
    keeps the time it first waited (the sweeper's clock for it)."""
    return update_if(video_id, [VideoStatus.UPLOADING.value], [
        Video.current_step.set("queued"),
        Video.queued_at.set(Video.queued_at | utcnow()),
    ])


def set_step(video_id: str, step: str, progress: int) -> bool:
    return update_if(video_id, [VideoStatus.PROCESSING.value], [
        Video.current_step.set(step),
        Video.progress.set(max(0, min(100, progress))),
    ])


def add_frames_analysed(video_id: str, frames: int, frame_count: int) -> bool:
    """Count frames done across concurrent segments (Video.shown_progress maps them onto 10..85 %).

    One small update per report: the counter, the step and the time; no index holds any of them, so
    it costs one write unit. Best-effort: progress is for people watching, and a report that is
    throttled or fails is dropped (the next one carries the count on), never failing the segment.
    True when it was written."""
    if frames <= 0:
        return True
    try:
        Video(video_id).update(
            actions=[Video.frames_analysed.add(frames), Video.current_step.set("extracting_frames"),
                     Video.updated_at.set(utcnow())],
            condition=Video.status == VideoStatus.PROCESSING.value,
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            log.info("progress of video %s not recorded (%s): work goes on", video_id, exc.cause_response_code)
        return False
    return True


def note_checked(video_id: str) -> None:
    """Remember that the status read path just checked this video's execution (best-effort)."""
    try:
        Video(video_id).update(actions=[Video.checked_at.set(utcnow())], condition=Video.video_id.exists())
    except UpdateError as exc:
        log.info("checked_at of video %s not recorded: %s", video_id, exc)


def mark_failed(video_id: str, reason: str) -> bool:
    changed = update_if(video_id, ACTIVE, [
        *Video.status_actions(video_id, VideoStatus.FAILED),
        Video.current_step.set("failed"),
        Video.error_message.set(reason[:2000]),
    ])
    if changed:
        log.warning("video %s failed: %s", video_id, reason)
    return changed


def mark_cancelled(video_id: str) -> bool:
    return update_if(video_id, ACTIVE, [
        *Video.status_actions(video_id, VideoStatus.CANCELLED),
        Video.current_step.set("cancelled"),
    ])
