"""Request and response models of the video API, with the spec's field names."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from frame_metric.data.video import VideoStatus


class VideoUploadResponse(BaseModel):
    video_id: str
    task_id: str | None = Field(None, description="Name of the pipeline execution that processes the video")
    status: VideoStatus
    message: str


class BatchUploadResponse(BaseModel):
    batch_id: str
    total_count: int
    videos: list[VideoUploadResponse]
    message: str


class PresignedUploadRequest(BaseModel):
    filename: str = Field(min_length=1, max_length=255)
    size: int = Field(gt=0, description="File size in bytes")
    content_type: str = "video/mp4"


class PresignedUploadResponse(BaseModel):
    video_id: str
    task_id: str
    upload_url: str
    method: str = "PUT"
    headers: dict[str, str]
    expires_in: int
    status: VideoStatus
    message: str


class FrameResponse(BaseModel):
    id: str
    type: str = Field(description="first | last | middle")
    url: str | None
    timestamp: float
    frame_number: int
    confidence_score: float | None = None


class VideoStatusResponse(BaseModel):
    video_id: str
    filename: str
    status: VideoStatus
    duration: float | None = Field(None, description="Length of the recording, seconds")
    fps: float | None
    width: int | None
    height: int | None
    task_id: str | None
    error_message: str | None
    frames: list[FrameResponse]
    progress: int
    current_step: str
    created_at: datetime
    # Beyond the spec: the measurement itself, so one call answers "how long did it take".
    measured_duration: float | None = Field(None, description="last frame time - first frame time, seconds")
    frame_count: int | None = None
    variable_frame_rate: bool | None = None
    ai_confidence: float | None = None
    needs_review: bool = False
    review_reasons: list[str] = []
    marking_method: str | None = None


class TaskProgress(BaseModel):
    video_id: str
    task_id: str | None
    status: VideoStatus
    progress: int
    current_step: str
    error_message: str | None


class CancelTaskResponse(BaseModel):
    video_id: str
    task_id: str | None
    status: VideoStatus
    message: str
