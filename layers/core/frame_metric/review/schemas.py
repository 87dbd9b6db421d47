"""Request and response models of the review API (/api/v1/review), with the spec's names and fields."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from frame_metric.data.video import MarkingMethod, VideoStatus
from frame_metric.videos.actions import ActionResponse

FrameId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class Thumbnail(BaseModel):
    """Where a frame's thumbnail sits in its sprite sheet (a JPEG grid of consecutive frames)."""

    url: str
    x: int
    y: int
    width: int
    height: int


class FrameDetailResponse(BaseModel):
    id: str
    frame_number: int
    timestamp: float = Field(description="Presentation time, seconds")
    url: str | None = Field(description="Full-size image (stored for marks and top candidates), else null")
    frame_type: str = Field(description="first | last | middle")
    is_first_candidate: bool
    is_last_candidate: bool = False
    confidence_score: float | None
    brightness: float | None
    sharpness: float | None
    scene_change_score: float | None
    thumbnail: Thumbnail | None = None


class VideoReviewResponse(BaseModel):
    video_id: str
    filename: str
    status: VideoStatus
    total_frames: int | None
    extracted_frames: int
    marking_method: MarkingMethod
    ai_confidence: float | None
    marked_first_frame: FrameDetailResponse | None
    marked_last_frame: FrameDetailResponse | None
    first_candidates: list[FrameDetailResponse]
    last_candidates: list[FrameDetailResponse]
    all_frames: list[FrameDetailResponse] = Field(
        description="Every frame with its thumbnail; the pending list leaves it empty unless include_frames=true")
    needs_review: bool
    reviewed_by: str | None
    reviewed_at: datetime | None
    # Beyond the spec.
    duration: float | None = Field(None, description="last - first frame time, seconds")
    review_reasons: list[str] = []
    review_notes: str | None = None


class FrameMarkingRequest(BaseModel):
    first_frame_id: FrameId
    last_frame_id: FrameId
    reviewer: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    review_notes: str | None = Field(None, max_length=2000)


class FrameMarkingResponse(BaseModel):
    video_id: str
    status: str = "reviewed"
    message: str
    first_frame: FrameDetailResponse
    last_frame: FrameDetailResponse
    # Beyond the spec.
    marking_method: MarkingMethod
    duration: float
    history_seq: int = Field(description="Number of this mark in GET /review/{video_id}/history")
    tasks_updated: list[str] = Field(default_factory=list, description="Tasks whose statistics were recomputed")


class MarkState(BaseModel):
    first_frame_number: int | None
    first_timestamp: float | None
    last_frame_number: int | None
    last_timestamp: float | None
    duration: float | None
    marking_method: str | None


class ReviewHistoryEntry(BaseModel):
    seq: int
    video_id: str
    reviewer: str
    notes: str | None
    created_at: datetime
    before: MarkState
    after: MarkState
    # A correction of one action (POST /review/{video_id}/actions/{index}/mark); first/last unchanged then.
    action_index: int | None = None
    action_before: ActionResponse | None = None
    action_after: ActionResponse | None = None
