"""The analysis JSON's actions as the video item stores them. No pydantic here: the pipeline
function, which writes them, ships only the core layer and the analysis libraries."""

from __future__ import annotations

from typing import Any

from frame_metric.data.video import ActionFrameMark, ActionMark

# A DynamoDB item holds at most 400 KB; an action takes ~300 bytes. Longer recordings keep the
# first STORED_ACTIONS in the item, all of them in the analysis JSON in S3.
STORED_ACTIONS = 500


def _frame_mark(value: dict[str, Any] | None) -> ActionFrameMark | None:
    if value is None:
        return None
    return ActionFrameMark(frame_number=int(value["frame_number"]), timestamp=float(value["timestamp"]),
                           source=value.get("source"))


def action_marks(actions: list[dict[str, Any]]) -> list[ActionMark]:
    """The analysis JSON's actions as the video item stores them."""
    return [
        ActionMark(index=int(a["index"]), operation=_frame_mark(a["operation"]), response=_frame_mark(a["response"]),
                   finish=_frame_mark(a["finish"]), end=_frame_mark(a["end"]), confidence=a.get("confidence"),
                   needs_review=bool(a.get("needs_review")), label=a.get("label"))
        for a in actions[:STORED_ACTIONS]
    ]
