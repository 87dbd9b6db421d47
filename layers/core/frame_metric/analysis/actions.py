"""Split a recording into interactions and time each one: operation, response, finish, end.

Works on merged per-frame arrays only (no video): each frame's change strength r (from
boundaries.py; r >= 1 is a visible GUI change, the touch indicator already left out) and its touch
row (touch.py). The MobileGUIPerf definitions:

* operation: the first frame of a touch (the indicator appears), or a scenario mark's frame;
* response: the first frame of the interaction with a visible GUI change;
* finish: the last frame of the interaction with a visible GUI change (stable after it);
* end: the frame before the next operation, or the last frame.

Without touches, interactions are bursts of change separated by at least `quiet_period` seconds
without any visible change; their operation is unknown (null).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from frame_metric.analysis.touch import GAP_FRAMES

TOUCH_GAP_FRAMES = GAP_FRAMES  # a touch missed in this many frames in a row is still the same touch
TOUCH_GAP_SECONDS = 0.1
SETTLED_SECONDS = 0.5  # stillness after finish below which the finish is a guess
REVIEW_BELOW = 0.6


@dataclass(frozen=True)
class ActionFrame:
    frame_number: int
    timestamp: float
    source: str | None = None  # operation only: "touch_indicator" | "mark"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"frame_number": self.frame_number, "timestamp": self.timestamp}
        if self.source is not None:
            out["source"] = self.source
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ActionFrame:
        return cls(int(data["frame_number"]), float(data["timestamp"]), data.get("source"))


@dataclass(frozen=True)
class Action:
    index: int  # 1-based, in time order
    operation: ActionFrame | None
    response: ActionFrame | None
    finish: ActionFrame | None
    end: ActionFrame
    confidence: float
    needs_review: bool
    label: str | None = None

    @property
    def response_time(self) -> float | None:
        if self.operation is None or self.response is None:
            return None
        return round(self.response.timestamp - self.operation.timestamp, 6)

    @property
    def finish_time(self) -> float | None:
        if self.operation is None or self.finish is None:
            return None
        return round(self.finish.timestamp - self.operation.timestamp, 6)

    def to_dict(self) -> dict[str, Any]:
        def frame(f: ActionFrame | None) -> dict[str, Any] | None:
            return f.to_dict() if f else None

        return {
            "index": self.index,
            "operation": frame(self.operation),
            "response": frame(self.response),
            "finish": frame(self.finish),
            "end": self.end.to_dict(),
            "response_time": self.response_time,
            "finish_time": self.finish_time,
            "confidence": self.confidence,
            "needs_review": self.needs_review,
            "label": self.label,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Action:
        def frame(key: str) -> ActionFrame | None:
            return ActionFrame.from_dict(data[key]) if data.get(key) else None

        end = ActionFrame.from_dict(data["end"])
        return cls(
            int(data["index"]), frame("operation"), frame("response"), frame("finish"), end,
            float(data.get("confidence", 0.0)), bool(data.get("needs_review", False)), data.get("label"),
        )


def touch_starts(touch: np.ndarray, t: np.ndarray) -> list[int]:
    """Rows where a touch begins: the indicator appears after at least a short absence."""
    shown = np.flatnonzero(touch[:, 0] > 0) if len(touch) else np.zeros(0, np.int64)
    starts: list[int] = []
    last = -1
    for i in shown.tolist():
        # Frames without the indicator between two with it: a new touch unless they are few and
        # brief (a missed detection). Consecutive frames are one touch however far apart in time
        # (a variable-frame-rate recording emits no frame while nothing moves).
        missed = i - last - 1
        if not starts or missed > TOUCH_GAP_FRAMES or (missed and t[i] - t[last + 1] > TOUCH_GAP_SECONDS + 1e-9):
            starts.append(i)
        last = i
    return starts


def quiet_starts(changed: np.ndarray, t: np.ndarray, quiet_period: float) -> list[int]:
    """Rows where a burst of change begins after at least quiet_period seconds without change."""
    rows = np.flatnonzero(changed)
    starts: list[int] = []
    for k, i in enumerate(rows.tolist()):
        if k == 0 or t[i] - t[rows[k - 1]] >= quiet_period:
            starts.append(i)
    return starts


def _margin(r: float) -> float:
    return float(np.clip(0.35 + 0.65 * (r - 1.0) / 2.0, 0.35, 1.0))


def build_actions(
    t: np.ndarray,
    numbers: np.ndarray,
    strength: np.ndarray,
    operations: Sequence[int],
    source: str | None,
    *,
    first_row: int | None = None,
) -> list[Action]:
    """One action per operation row (ascending). With source None the rows are response rows of
    quiet-split bursts (no operation known). `first_row` limits the search for the first action's
    response to rows after it (for operations that come from marks)."""
    n = len(t)
    changed = strength >= 1.0
    out: list[Action] = []
    for k, op in enumerate(operations):
        end = operations[k + 1] - 1 if k + 1 < len(operations) else n - 1
        lo = op if first_row is None or k else max(op, first_row)
        moved = np.flatnonzero(changed[lo : end + 1]) + lo

        def mark(i: int, src: str | None = None) -> ActionFrame:
            return ActionFrame(int(numbers[i]), float(t[i]), src)

        response = finish = None
        conf = 1.0
        if len(moved):
            response, finish = mark(int(moved[0])), mark(int(moved[-1]))
            conf *= _margin(float(strength[moved[0]])) * _margin(float(strength[moved[-1]]))
            settled = float(t[end] - t[moved[-1]])
            if settled < SETTLED_SECONDS and k + 1 == len(operations):
                conf *= 0.5  # the video ends before the screen had time to settle
            elif settled < SETTLED_SECONDS:
                conf *= 0.8  # the next operation came soon: its changes may belong to this one
        out.append(
            Action(
                index=k + 1,
                operation=mark(op, source) if source else None,
                response=response,
                finish=finish,
                end=mark(end),
                confidence=round(conf, 3),
                needs_review=conf < REVIEW_BELOW,
            )
        )
    return out


def find_actions(
    t: np.ndarray, numbers: np.ndarray, strength: np.ndarray, touch: np.ndarray, quiet_period: float
) -> list[Action]:
    """Actions from the touch indicator when it is seen, else from quiet periods."""
    if not len(t):
        return []
    starts = touch_starts(touch, t)
    if starts:
        return build_actions(t, numbers, strength, starts, "touch_indicator")
    return build_actions(t, numbers, strength, quiet_starts(strength >= 1.0, t, quiet_period), None)
