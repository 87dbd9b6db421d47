"""Request and response models of the task API (/api/v1/task), with the spec's names and fields.
Durations are seconds everywhere in the API; the export carries both ms and s."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, model_validator

from frame_metric.data.tasks import TaskStatus
from frame_metric.data.video import VideoStatus
from frame_metric.ids import EntityId
from frame_metric.videos.actions import ActionResponse

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
User = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
MAX_VIDEOS_PER_REQUEST = 100


class TaskCreate(BaseModel):
    name: Name
    description: str | None = Field(None, max_length=2000)
    created_by: User | None = None


class TaskUpdate(BaseModel):
    name: Name | None = None
    description: str | None = Field(None, max_length=2000)

    @model_validator(mode="after")
    def _something(self) -> TaskUpdate:
        if not self.model_fields_set:
            raise ValueError("send name and/or description")
        if "name" in self.model_fields_set and self.name is None:
            raise ValueError("name cannot be null")
        return self


class TaskResponse(BaseModel):
    id: str
    name: str
    description: str | None
    status: TaskStatus
    total_videos: int
    completed_videos: int
    failed_videos: int
    total_duration: float | None = Field(description="Sum of the measured durations, seconds")
    avg_duration: float | None
    min_duration: float | None
    max_duration: float | None
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    # Beyond the spec: the rest of the statistics, kept with the task.
    processing_videos: int = 0
    median_duration: float | None = None
    p90_duration: float | None = None
    stddev_duration: float | None = Field(None, description="Sample standard deviation (n-1); null below 2 videos")
    total_frames: int = 0
    avg_frames_per_video: float | None = None


class TaskVideoResponse(BaseModel):
    id: str = Field(description="Id of the task-video link")
    video_id: str
    order: int
    duration: float | None = Field(description="last_frame_time - first_frame_time, seconds")
    first_frame_time: float | None
    last_frame_time: float | None
    notes: str | None
    added_at: datetime
    video_filename: str | None
    video_status: VideoStatus | None = Field(description="null when the video itself was deleted")
    video_width: int | None
    video_height: int | None
    first_frame_url: str | None
    last_frame_url: str | None
    # Beyond the spec: what the export and a reviewer also need.
    first_frame_number: int | None = None
    last_frame_number: int | None = None
    video_duration: float | None = Field(None, description="Length of the recording, seconds")
    fps: float | None = None
    frame_count: int | None = None
    marking_method: str | None = None
    actions: list[ActionResponse] = Field(default_factory=list, description="the video's interactions")


class TaskDetailResponse(TaskResponse):
    videos: list[TaskVideoResponse]


class VideoAddToTask(BaseModel):
    video_ids: list[EntityId] = Field(
        min_length=1, max_length=MAX_VIDEOS_PER_REQUEST)
    notes: str | None = Field(None, max_length=2000)


class FailedVideo(BaseModel):
    video_id: str
    reason: str


class VideoAddResponse(BaseModel):
    message: str
    added_count: int
    failed_videos: list[FailedVideo]
    already_in_task: list[str] = Field(default_factory=list, description="Sent again; not added twice")


class MessageResponse(BaseModel):
    message: str


class TaskStatsResponse(BaseModel):
    task_id: str
    task_name: str
    total_videos: int
    completed_videos: int
    processing_videos: int
    failed_videos: int
    total_duration: float | None
    avg_duration: float | None
    min_duration: float | None
    max_duration: float | None
    total_frames: int
    avg_frames_per_video: float | None
    # Beyond the spec.
    status: TaskStatus
    median_duration: float | None = None
    p90_duration: float | None = None
    stddev_duration: float | None = None
    actions: list[ActionIndexStats] = Field(
        default_factory=list, description="per action index across the videos, when they have as many actions")
    actions_note: str | None = Field(None, description="why there are no per-action statistics")


class TimeStats(BaseModel):
    count: int
    avg: float | None
    median: float | None
    p90: float | None


class ActionIndexStats(BaseModel):
    index: int = Field(description="1-based action index, the same in every video")
    label: str | None = Field(None, description="the scenario step's name, when every video's action at this "
                              "index has the same one (recordings linked to monitoring runs)")
    videos: int
    response_time: TimeStats = Field(description="seconds")
    finish_time: TimeStats = Field(description="seconds")
