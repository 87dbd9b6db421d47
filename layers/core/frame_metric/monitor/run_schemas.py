"""Request bodies of the run routes (pydantic: only the API function imports this)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from frame_metric.ids import EntityId


class CreateRunRequest(BaseModel):
    created_by: str | None = Field(default=None, max_length=200)
    # How long the runner may stay silent before the run is failed (its own heartbeat period x a few).
    heartbeat_timeout_s: int | None = Field(default=None, ge=1, le=3600)


class StartRunRequest(BaseModel):
    clock_origin: float | None = None  # the runner's monotonic clock at sample time 0


class FailRunRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class LinkVideoRequest(BaseModel):
    video_id: EntityId
    offset_s: float = Field(default=0.0, ge=-86400, le=86400)  # run time at the recording's t=0


class SampleIn(BaseModel):
    t: float  # seconds since the run started, on the runner's clock
    metric: str  # a name of the metric catalog
    value: float


class MarkIn(BaseModel):
    t: float
    name: str = Field(min_length=1, max_length=200)


class SampleBatchRequest(BaseModel):
    """The ingest body, for the API document (ingest checks it by hand: it is on the hot path)."""

    seq: int = Field(ge=0)
    samples: list[SampleIn] = Field(default_factory=list, max_length=500)
    marks: list[MarkIn] = Field(default_factory=list, max_length=100)
