"""What the video API does: accept uploads, report status and progress, list, cancel."""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from frame_metric.data.sharding import newest_first, page
from frame_metric.data.video import FrameMark, Video, VideoStatus, frame_id, utcnow
from frame_metric.errors import BadRequest, Conflict, PayloadTooLarge, ValidationFailed
from frame_metric.observability import tag
from frame_metric.pipeline.execution import Executions, registered_execution_name
from frame_metric.pipeline.sweeper import reconcile
from frame_metric.settings import Settings, get_settings
from frame_metric.storage.keys import VideoKeys
from frame_metric.storage.s3 import ObjectStore
from frame_metric.videos import records, waiting
from frame_metric.videos.actions import video_actions
from frame_metric.videos.container import inspect_mp4_file
from frame_metric.videos.schemas import (
    AnalysisOptionsRequest,
    BatchUploadResponse,
    CancelTaskResponse,
    FrameResponse,
    IgnoredRegionResponse,
    PresignedUploadRequest,
    PresignedUploadResponse,
    TaskProgress,
    VideoStatusResponse,
    VideoUploadResponse,
)

log = logging.getLogger(__name__)
ALLOWED_EXTENSIONS = (".mp4",)
MAX_PAGE = 100
# Status reads come from the video item. Only an unfinished video that has been silent this long
# (no step, no progress) is checked against its Step Functions execution, and then at most once per
# period (checked_at): a CLI polling every 0.5 s costs DynamoDB reads, not DescribeExecution calls,
# which have a low account-wide rate limit. The sweeper checks every active video anyway.
STATUS_RECHECK = timedelta(seconds=60)


@dataclass(frozen=True)
class IncomingFile:
    filename: str
    path: Path
    size: int


def _progress_of(video: Video) -> TaskProgress:
    return TaskProgress(video_id=video.video_id, task_id=video.execution_name, status=video.video_status,
                        progress=video.shown_progress, current_step=video.current_step,
                        error_message=video.error_message)


def _token(progress: TaskProgress) -> str:
    return waiting.progress_token(progress.status.value, progress.progress, progress.current_step)


class VideoService:
    def __init__(self, settings: Settings | None = None, store: ObjectStore | None = None,
                 executions: Executions | None = None) -> None:
        self.settings = settings or get_settings()
        self.store = store or ObjectStore(self.settings)
        self._executions = executions

    @property
    def executions(self) -> Executions:
        if self._executions is None:
            self._executions = Executions(self.settings)
        return self._executions

    # -- uploads -------------------------------------------------------------------------------

    def check_name_and_size(self, filename: str, size: int) -> None:
        if not filename or not filename.strip():
            raise BadRequest("the file has no name")
        if not filename.lower().endswith(ALLOWED_EXTENSIONS):
            raise BadRequest(f"{filename}: only .mp4 files are accepted")
        if size <= 0:
            raise BadRequest(f"{filename} is empty")
        if size > self.settings.max_video_bytes:
            limit_mb = self.settings.max_video_bytes // (1024 * 1024)
            raise PayloadTooLarge(f"{filename} is {size} bytes, over the {limit_mb} MB limit")

    def check_file(self, incoming: IncomingFile) -> None:
        self.check_name_and_size(incoming.filename, incoming.size)
        inspect_mp4_file(incoming.path, incoming.filename)

    def _store(self, incoming: IncomingFile, batch_id: str | None,
               options: AnalysisOptionsRequest | None) -> VideoUploadResponse:
        video_id = str(uuid.uuid4())
        tag(video_id=video_id)  # what this request logs from here on is about it
        key = VideoKeys(video_id).upload(self.settings.upload_prefix, incoming.filename)
        # The item exists before the object, so the upload trigger finds it when the event comes.
        task_id = registered_execution_name(video_id, self.settings.bucket, key)
        video = Video(video_id, filename=incoming.filename, s3_key=key, size_bytes=incoming.size,
                      batch_id=batch_id, execution_name=task_id, analysis_options=_options_json(options))
        records.create_video(video)
        try:
            with incoming.path.open("rb") as handle:
                self.store.upload_file(key, handle)
        except Exception:
            video.delete()  # nothing half-written: no item without its file
            raise
        return VideoUploadResponse(video_id=video_id, task_id=task_id, status=VideoStatus.UPLOADING,
                                   message="视频上传成功，开始处理")

    def upload(self, incoming: IncomingFile, options: AnalysisOptionsRequest | None = None) -> VideoUploadResponse:
        self.check_file(incoming)
        return self._store(incoming, None, options)

    def batch_upload(self, files: list[IncomingFile],
                     options: AnalysisOptionsRequest | None = None) -> BatchUploadResponse:
        if not files:
            raise BadRequest("no files were sent (form field 'files')")
        if len(files) > self.settings.max_batch_files:
            raise BadRequest(f"{len(files)} files sent; at most {self.settings.max_batch_files} per batch")
        for incoming in files:  # all or nothing: check every file before storing any
            self.check_file(incoming)
        batch_id = str(uuid.uuid4())
        videos = [self._store(incoming, batch_id, options) for incoming in files]
        for video in videos:
            video.message = "上传成功"
        return BatchUploadResponse(batch_id=batch_id, total_count=len(videos), videos=videos,
                                   message="批量上传完成")

    def presign_upload(self, request: PresignedUploadRequest) -> PresignedUploadResponse:
        self.check_name_and_size(request.filename, request.size)
        video_id = str(uuid.uuid4())
        key = VideoKeys(video_id).upload(self.settings.upload_prefix, request.filename)
        task_id = registered_execution_name(video_id, self.settings.bucket, key)
        records.create_video(Video(video_id, filename=request.filename, s3_key=key, size_bytes=request.size,
                                   execution_name=task_id, analysis_options=_options_json(request.options)))
        content_type = "video/mp4"
        return PresignedUploadResponse(
            video_id=video_id, task_id=task_id, upload_url=self.store.presigned_put(key, content_type),
            headers={"Content-Type": content_type}, expires_in=self.settings.presign_seconds,
            status=VideoStatus.UPLOADING, message="PUT the file to upload_url; processing starts when it arrives",
        )

    # -- reading -------------------------------------------------------------------------------

    def _current(self, video_id: str) -> Video:
        video = records.get_video(video_id)
        if video.video_status.finished:
            return video
        last_seen = max(video.updated_at, video.checked_at or video.updated_at)
        if utcnow() - last_seen < STATUS_RECHECK:
            return video
        records.note_checked(video_id)
        if reconcile(video, self.settings, self._executions):
            video = records.get_video(video_id)
        return video

    def status(self, video_id: str) -> VideoStatusResponse:
        return self.to_status(self._current(video_id))

    def progress(self, video_id: str, wait: float = 0, since: str | None = None) -> TaskProgress:
        """With `since` (the token of the progress last seen, waiting.progress_token) and `wait`
        seconds: answer once the progress differs from it, or when the wait is over (a long poll)."""
        if not 0 <= wait <= waiting.MAX_WAIT_SECONDS:
            raise ValidationFailed(f"wait must be between 0 and {waiting.MAX_WAIT_SECONDS} seconds")
        current = _progress_of(self._current(video_id))
        deadline = time.monotonic() + wait
        while (since is not None and _token(current) == since and not current.status.finished
               and time.monotonic() < deadline):
            time.sleep(waiting.READ_INTERVAL)
            current = _progress_of(records.get_video(video_id))  # one GetItem; checked in full per request
        return current

    def list(self, skip: int = 0, limit: int = 20, status: str | None = None) -> list[VideoStatusResponse]:
        if skip < 0:
            raise ValidationFailed("skip must be 0 or more")
        if not 1 <= limit <= MAX_PAGE:
            raise ValidationFailed(f"limit must be between 1 and {MAX_PAGE}")
        if status is not None:
            try:
                wanted = VideoStatus(status)
            except ValueError:
                allowed = ", ".join(s.value for s in VideoStatus)
                raise ValidationFailed(f"status must be one of {allowed}") from None
            keys = newest_first(Video.by_status, wanted.value)
        else:
            keys = newest_first(Video.by_created, "video")
        return [self.to_status(video) for video in page(Video, keys, "video_id", skip, limit)]

    def cancel(self, video_id: str) -> CancelTaskResponse:
        video = records.get_video(video_id)
        if video.video_status.finished:
            raise Conflict(f"video {video_id} is already {video.status}; only uploading or processing "
                           "videos can be cancelled")
        if not records.mark_cancelled(video_id):
            current = records.get_video(video_id)
            raise Conflict(f"video {video_id} is already {current.status}; it can no longer be cancelled")
        if video.execution_arn:
            self.executions.stop(video.execution_arn, "cancelled by the user")
        return CancelTaskResponse(video_id=video_id, task_id=video.execution_name,
                                  status=VideoStatus.CANCELLED, message="任务已取消")

    # -- shaping -------------------------------------------------------------------------------

    def _frame(self, video: Video, mark: FrameMark, kind: str) -> FrameResponse:
        number = int(mark.frame_number)
        return FrameResponse(
            id=frame_id(video.video_id, number), type=kind, timestamp=float(mark.timestamp),
            frame_number=number, confidence_score=None if mark.score is None else float(mark.score),
            url=self.store.presigned_get(mark.image_key) if mark.image_key else None,
        )

    def to_status(self, video: Video) -> VideoStatusResponse:
        frames = [self._frame(video, mark, kind)
                  for mark, kind in ((video.first_frame, "first"), (video.last_frame, "last")) if mark]
        return VideoStatusResponse(
            video_id=video.video_id, filename=video.filename, status=video.video_status,
            duration=video.duration, fps=video.fps,
            width=None if video.width is None else int(video.width),
            height=None if video.height is None else int(video.height),
            task_id=video.execution_name, error_message=video.error_message, frames=frames,
            progress=video.shown_progress, current_step=video.current_step, created_at=video.created_at,
            measured_duration=video.measured_duration,
            frame_count=None if video.frame_count is None else int(video.frame_count),
            variable_frame_rate=video.variable_frame_rate, ai_confidence=video.ai_confidence,
            needs_review=bool(video.needs_review), review_reasons=list(video.review_reasons or []),
            marking_method=video.marking_method,
            analysis_options=(AnalysisOptionsRequest.model_validate_json(video.analysis_options)
                              if video.analysis_options else None),
            ignored_regions=[IgnoredRegionResponse(x=r.x, y=r.y, w=r.w, h=r.h, reason=r.reason)
                             for r in video.ignored_regions or []],
            actions=video_actions(video),
        )


def _options_json(options: AnalysisOptionsRequest | None) -> str | None:
    # Only what differs from the defaults is kept, so an upload without options stays without.
    if options is None:
        return None
    chosen = options.model_dump(exclude_defaults=True)
    return json.dumps(chosen, sort_keys=True) if chosen else None
