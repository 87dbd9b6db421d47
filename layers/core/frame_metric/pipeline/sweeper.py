"""Ends what the state machine lost: no video stays `processing` or `uploading` forever.

Catch already fails a video whose step raised. This covers the rest: an execution that timed out, was
aborted or vanished (a restarted local cloud), and uploads whose file never arrived. It runs on a
schedule in the cloud, periodically in the local cloud, and for one video whenever its status is read.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from frame_metric.data.video import Video, VideoStatus, utcnow
from frame_metric.pipeline.execution import Executions
from frame_metric.settings import Settings, get_settings
from frame_metric.videos import records

log = logging.getLogger(__name__)
_ENDED = {"FAILED": "the pipeline failed", "TIMED_OUT": "the pipeline timed out",
          "ABORTED": "the pipeline was stopped", "MISSING": "the pipeline execution no longer exists"}


def reconcile(video: Video, settings: Settings | None = None, executions: Executions | None = None) -> bool:
    """Fail this video if its processing can no longer finish. True when it changed."""
    settings = settings or get_settings()
    now = utcnow()
    if video.video_status == VideoStatus.UPLOADING and video.queued_at is not None:
        # Uploaded, waiting in the upload queue for capacity (pipeline/admission.py): its file came, so
        # the upload deadline does not apply; it may wait as long as an execution may run.
        waited = now - video.queued_at
        if waited > timedelta(seconds=settings.pipeline_timeout_seconds):
            return records.mark_failed(
                video.video_id, f"waited {int(waited.total_seconds())} s for pipeline capacity, over the "
                f"{settings.pipeline_timeout_seconds} s limit: too many videos in flight")
        return False
    if video.video_status == VideoStatus.UPLOADING:
        # A presigned URL outlives its expiry by nothing: past it (plus slack) no file can come.
        deadline = video.created_at + timedelta(seconds=settings.presign_seconds + 300)
        if now > deadline:
            return records.mark_failed(video.video_id, "the upload never completed")
        return False
    if video.video_status != VideoStatus.PROCESSING:
        return False
    if video.execution_arn:
        executions = executions or Executions(settings)
        status, cause = executions.status(video.execution_arn)
        if status in _ENDED:
            reason = _ENDED[status] + (f": {cause}" if cause else "")
            return records.mark_failed(video.video_id, reason)
        if status == "SUCCEEDED":
            # Finalize ran (or the video would not be processing): a stale read; nothing to do.
            return False
    stale_after = timedelta(seconds=settings.pipeline_timeout_seconds + 60)
    if now - video.updated_at > stale_after:
        if video.execution_arn:
            (executions or Executions(settings)).stop(video.execution_arn, "no progress within the timeout")
        return records.mark_failed(
            video.video_id, f"no progress for {settings.pipeline_timeout_seconds} s: processing timed out"
        )
    return False


def sweep(settings: Settings | None = None) -> int:
    """Reconcile every active video; returns how many were ended."""
    settings = settings or get_settings()
    executions = Executions(settings)
    ended = 0
    for status in (VideoStatus.PROCESSING, VideoStatus.UPLOADING):
        for video in records.active_videos(status):
            try:
                ended += reconcile(video, settings, executions)
            except Exception:  # one bad item must not stop the sweep of the others
                log.exception("reconciling video %s failed", video.video_id)
    return ended
