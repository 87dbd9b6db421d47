"""A video's interactions (analysis "actions") between the analysis JSON, the video item and the API."""

from __future__ import annotations

from pydantic import BaseModel, Field

from frame_metric.data.video import ActionFrameMark, ActionMark, Video


class ActionFrameResponse(BaseModel):
    frame_number: int
    timestamp: float = Field(description="presentation time, seconds")
    source: str | None = Field(None, description="operation only: touch_indicator | mark | manual")


class ActionResponse(BaseModel):
    index: int = Field(description="1-based, in time order")
    operation: ActionFrameResponse | None = Field(description="the user's touch; null when unknown")
    response: ActionFrameResponse | None = Field(description="first visible GUI reaction; null: ignored")
    finish: ActionFrameResponse | None = Field(description="last visible GUI change of the interaction")
    end: ActionFrameResponse = Field(description="the frame before the next operation, or the last frame")
    response_time: float | None = Field(description="response - operation, seconds")
    finish_time: float | None = Field(description="finish - operation, seconds")
    confidence: float | None
    needs_review: bool
    label: str | None


def _frame(mark: ActionFrameMark | None) -> ActionFrameResponse | None:
    if mark is None:
        return None
    return ActionFrameResponse(frame_number=int(mark.frame_number), timestamp=float(mark.timestamp), source=mark.source)


def _since(later: ActionFrameMark | None, operation: ActionFrameMark | None) -> float | None:
    if later is None or operation is None:
        return None
    return round(float(later.timestamp) - float(operation.timestamp), 6)


def action_response(mark: ActionMark) -> ActionResponse:
    return ActionResponse(
        index=int(mark.index), operation=_frame(mark.operation), response=_frame(mark.response),
        finish=_frame(mark.finish), end=_frame(mark.end),  # type: ignore[arg-type]
        response_time=_since(mark.response, mark.operation), finish_time=_since(mark.finish, mark.operation),
        confidence=None if mark.confidence is None else float(mark.confidence),
        needs_review=bool(mark.needs_review), label=mark.label,
    )


def video_actions(video: Video) -> list[ActionResponse]:
    return [action_response(mark) for mark in video.actions or []]
