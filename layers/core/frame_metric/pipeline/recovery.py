"""After the local cloud restarts, finish what was in flight: its Step Functions executions and queued
notifications lived in memory and are gone, while videos, tables and objects are on disk."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from frame_metric.data.sharding import newest_first
from frame_metric.data.video import Video, VideoStatus
from frame_metric.pipeline.execution import Executions, execution_name
from frame_metric.pipeline.trigger import ObjectCreated, handle_object_created
from frame_metric.settings import Settings, get_settings
from frame_metric.storage.s3 import ObjectMissing, ObjectStore
from frame_metric.videos import records

log = logging.getLogger(__name__)


@dataclass
class RecoveryReport:
    restarted: int = 0
    triggered: int = 0
    failed: int = 0


def has_interrupted() -> bool:
    """Whether any video is uploading or processing: only then has recovery anything to do."""
    return any(next(newest_first(Video.by_status, status.value, limit=1), None) is not None
               for status in (VideoStatus.PROCESSING, VideoStatus.UPLOADING))


def resume_interrupted(settings: Settings | None = None) -> RecoveryReport:
    settings = settings or get_settings()
    store, executions = ObjectStore(settings), Executions(settings)
    report = RecoveryReport()
    for video in records.active_videos(VideoStatus.PROCESSING):
        if video.execution_arn and executions.status(video.execution_arn)[0] not in ("MISSING",):
            continue  # its execution still exists: nothing was lost
        _restart(video, store, executions, report)
    for video in records.active_videos(VideoStatus.UPLOADING):
        if not video.s3_key:
            continue
        try:
            head = store.head(video.s3_key)
        except ObjectMissing:
            continue  # the upload never finished; the sweeper ends it when its URL expires
        created = ObjectCreated(settings.bucket, video.s3_key, int(head["ContentLength"]), head["ETag"].strip('"'))
        # Its queued notification died with the restart, so there is no line to wait in: start it.
        handle_object_created(created, settings, store, executions, capped=False)
        report.triggered += 1
    if report.restarted or report.triggered or report.failed:
        log.warning("recovered after restart: %s", report)
    return report


def _restart(video: Video, store: ObjectStore, executions: Executions, report: RecoveryReport) -> None:
    key = video.s3_key or ""
    try:
        store.head(key)
    except ObjectMissing:
        records.mark_failed(video.video_id, "interrupted by a restart, and its uploaded file is gone")
        report.failed += 1
        return
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    name = execution_name(video.video_id, store.bucket, key, f"restart-{stamp}")
    outcome = executions.start(name, {"video_id": video.video_id, "bucket": store.bucket, "key": key})
    records.update_if(video.video_id, [VideoStatus.PROCESSING.value], [
        Video.execution_name.set(name), Video.execution_arn.set(outcome.execution_arn),
        Video.progress.set(0), Video.current_step.set("queued"), Video.frames_analysed.set(0),
    ])
    report.restarted += 1
