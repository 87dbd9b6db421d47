"""A reviewer corrects one action's operation, response and finish frames.

Like first/last marks (review/service.py): one transaction writes the video's actions (conditional on
the review_version it read) and a history entry numbered by the new version, holding the action as it
was and as it became. A frame given is set, a frame given as null is cleared (response/finish null:
the app ignored the operation), a frame left out stays. A corrected operation's source is "manual".
"""

from __future__ import annotations

import itertools
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from frame_metric.data.review import ReviewEntry
from frame_metric.data.video import ActionFrameMark, ActionMark, Video, utcnow
from frame_metric.errors import Conflict, NotFound, ValidationFailed
from frame_metric.review.frames import FrameCatalog
from frame_metric.review.service import ATTEMPTS, ReviewService, _snapshot, commit_mark
from frame_metric.storage.s3 import ObjectStore
from frame_metric.videos.actions import ActionResponse, action_response

FrameId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
FRAMES = ("operation", "response", "finish")


class ActionMarkingRequest(BaseModel):
    operation_frame_id: FrameId | None = Field(None, description="left out: kept; null: cleared")
    response_frame_id: FrameId | None = None
    finish_frame_id: FrameId | None = None
    reviewer: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    review_notes: str | None = Field(None, max_length=2000)


class ActionMarkingResponse(BaseModel):
    video_id: str
    action: ActionResponse
    history_seq: int = Field(description="Number of this mark in GET /review/{video_id}/history")


def _copy(mark: ActionFrameMark | None) -> ActionFrameMark | None:
    if mark is None:
        return None
    return ActionFrameMark(frame_number=mark.frame_number, timestamp=mark.timestamp, source=mark.source)


def _corrected(action: ActionMark, catalog: FrameCatalog, request: ActionMarkingRequest, video_id: str) -> ActionMark:
    chosen: dict[str, ActionFrameMark | None] = {name: _copy(getattr(action, name)) for name in FRAMES}
    for name in FRAMES:
        field = f"{name}_frame_id"
        if field not in request.model_fields_set:
            continue
        wanted = getattr(request, field)
        if wanted is None:
            chosen[name] = None
            continue
        frame = catalog.by_id.get(wanted)
        if frame is None:
            raise ValidationFailed(f"{field}: {wanted} is not a frame of video {video_id}")
        chosen[name] = ActionFrameMark(frame_number=frame.frame_number, timestamp=frame.timestamp,
                                       source="manual" if name == "operation" else None)
    present = [(name, mark) for name in FRAMES if (mark := chosen[name]) is not None]
    for (a, x), (b, y) in itertools.pairwise(present):
        if float(y.timestamp) < float(x.timestamp):
            raise ValidationFailed(f"the {b} frame (#{int(y.frame_number)}) must not come before the "
                                   f"{a} frame (#{int(x.frame_number)})")
    if (chosen["response"] is None) != (chosen["finish"] is None):
        raise ValidationFailed("response and finish are both set or both null (an ignored operation)")
    return ActionMark(index=action.index, operation=chosen["operation"], response=chosen["response"],
                      finish=chosen["finish"], end=_copy(action.end), confidence=1.0, needs_review=False,
                      label=action.label)


def mark_action(video_id: str, index: int, request: ActionMarkingRequest,
                store: ObjectStore | None = None) -> ActionMarkingResponse:
    service = ReviewService()
    store = store or service.store
    catalog: FrameCatalog | None = None
    for _ in range(ATTEMPTS):
        video = service._completed(video_id)
        actions = list(video.actions or [])
        position = next((i for i, a in enumerate(actions) if int(a.index) == index), None)
        if position is None:
            raise NotFound(f"video {video_id} has no action {index}")
        catalog = FrameCatalog(video, store) if catalog is None else catalog
        if not catalog.frames:
            raise Conflict(f"video {video_id} has no frame table to review (it was analysed without one)")
        before = actions[position]
        after = _corrected(before, catalog, request, video_id)
        actions[position] = after
        seq = _commit(video, actions, index, before, after, request)
        if seq is not None:
            return ActionMarkingResponse(video_id=video_id, action=action_response(after), history_seq=seq)
    raise Conflict(f"video {video_id} kept changing under {ATTEMPTS} attempts to mark it; try again")


def _commit(video: Video, actions: list[ActionMark], index: int, before: ActionMark, after: ActionMark,
            request: ActionMarkingRequest) -> int | None:
    now = utcnow()
    snapshot = _snapshot(video)  # first/last do not change: before and after are the same
    entry = ReviewEntry(video.video_id, int(video.review_version or 0) + 1, reviewer=request.reviewer,
                        notes=request.review_notes or None, created_at=now, before=snapshot, after=snapshot,
                        action_index=index, action_before=before, action_after=after)
    return commit_mark(video, [Video.actions.set(actions), Video.reviewed_by.set(request.reviewer),
                               Video.reviewed_at.set(now), Video.updated_at.set(now)], entry)
