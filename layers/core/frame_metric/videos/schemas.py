"""Request and response models of the video API, with the spec's field names."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from frame_metric.data.video import VideoStatus
from frame_metric.videos.actions import ActionResponse


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


class IgnoreRegion(BaseModel):
    """A rectangle in fractions (0..1) of the frame, origin top-left: a clock, a floating ad, a watermark."""

    model_config = ConfigDict(extra="forbid")
    x: float = Field(ge=0, le=1)
    y: float = Field(ge=0, le=1)
    w: float = Field(gt=0, le=1)
    h: float = Field(gt=0, le=1)

    @model_validator(mode="after")
    def _inside_the_frame(self) -> IgnoreRegion:
        if self.x + self.w > 1.0 + 1e-9 or self.y + self.h > 1.0 + 1e-9:
            raise ValueError(f"region {self.x},{self.y},{self.w},{self.h} reaches outside the frame")
        return self


class AnalysisOptionsRequest(BaseModel):
    """What a user may tune per upload; the pipeline reads it as its AnalysisOptions."""

    model_config = ConfigDict(extra="forbid")
    ignore: list[IgnoreRegion] = Field(default_factory=list, max_length=20,
                                       description="regions whose changes never count")
    ignore_status_bar: bool = Field(True, description="leave the status bar (clock, icons) out")
    detect_always_changing: bool = Field(True, description="find and leave out regions that never settle")
    threshold_scale: float = Field(1.0, ge=0.25, le=4.0, description=">1: only larger changes count")
    touch_indicator: bool = Field(True, description="look for Android's Show-taps indicator or Pointer-location "
                                  "crosshair to start actions")
    quiet_period: float = Field(1.0, ge=0.1, le=60.0,
                                description="without touches, split actions where nothing changes this long (s)")

    @field_validator("ignore", mode="before")
    @classmethod
    def _regions_as_text(cls, value: Any) -> Any:
        # "X,Y,W,H" is what the CLI and a form field take; objects are the JSON form.
        if isinstance(value, list):
            return [_region_from_text(item) if isinstance(item, str) else item for item in value]
        return value


def _region_from_text(text: str) -> dict[str, float]:
    parts = [part.strip() for part in text.split(",")]
    try:
        x, y, w, h = (float(part) for part in parts)
    except ValueError:
        raise ValueError(f"region {text!r} must be four numbers X,Y,W,H (fractions of the frame)") from None
    return {"x": x, "y": y, "w": w, "h": h}


class IgnoredRegionResponse(BaseModel):
    x: float
    y: float
    w: float
    h: float
    reason: str


class PresignedUploadRequest(BaseModel):
    filename: str = Field(min_length=1, max_length=255)
    size: int = Field(gt=0, description="File size in bytes")
    content_type: str = "video/mp4"
    options: AnalysisOptionsRequest | None = Field(None, description="per-upload analysis options")


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
    analysis_options: AnalysisOptionsRequest | None = Field(None, description="the options given at upload")
    ignored_regions: list[IgnoredRegionResponse] = Field(
        default_factory=list, description="regions the analysis left out: status_bar, user or always_changing")
    actions: list[ActionResponse] = Field(
        default_factory=list, description="every interaction: operation, response, finish and end frames")


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
