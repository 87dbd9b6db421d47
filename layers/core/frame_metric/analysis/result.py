"""The analysis result, in the exact JSON shape the API and the pipeline pass around."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from frame_metric.analysis.actions import Action
from frame_metric.analysis.options import Region
from frame_metric.analysis.probe import VideoProbe


@dataclass(frozen=True)
class FrameMark:
    frame_number: int
    timestamp: float
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {"frame_number": self.frame_number, "timestamp": self.timestamp, "score": self.score}


@dataclass(frozen=True)
class IgnoredRegion:
    region: Region
    reason: str  # "status_bar" | "user" | "always_changing"

    def to_dict(self) -> dict[str, Any]:
        return {**self.region.to_dict(), "reason": self.reason}


@dataclass(frozen=True)
class FrameTable:
    """Per-frame values for the review UI (columnar; never part of to_dict)."""

    frame_number: np.ndarray  # int64
    timestamp: np.ndarray  # float64 seconds (PTS)
    brightness: np.ndarray  # float32 0..1
    sharpness: np.ndarray  # float32 0..1
    scene_change_score: np.ndarray  # float32 0..1, r/(1+r) of the change from the previous frame

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        np.savez_compressed(buf, **{k: getattr(self, k) for k in self.__dataclass_fields__})
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> FrameTable:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            return cls(**{k: z[k] for k in cls.__dataclass_fields__})


@dataclass
class AnalysisResult:
    video: VideoProbe
    first_frame: FrameMark | None
    last_frame: FrameMark | None
    confidence: float
    needs_review: bool
    review_reasons: list[str]
    first_candidates: list[FrameMark]
    last_candidates: list[FrameMark]
    ignored_regions: list[IgnoredRegion]
    table: FrameTable | None = field(default=None, repr=False, compare=False)
    actions: list[Action] = field(default_factory=list)  # every interaction, in time order

    @property
    def duration(self) -> float | None:
        if self.first_frame is None or self.last_frame is None:
            return None
        return round(self.last_frame.timestamp - self.first_frame.timestamp, 6)

    def to_dict(self) -> dict[str, Any]:
        v = self.video
        return {
            "video": {
                "width": v.width,
                "height": v.height,
                "frame_count": v.frame_count,
                "fps": v.fps,
                "duration": v.duration,
                "variable_frame_rate": v.variable_frame_rate,
            },
            "first_frame": self.first_frame.to_dict() if self.first_frame else None,
            "last_frame": self.last_frame.to_dict() if self.last_frame else None,
            "duration": self.duration,
            "confidence": self.confidence,
            "needs_review": self.needs_review,
            "review_reasons": list(self.review_reasons),
            "first_candidates": [c.to_dict() for c in self.first_candidates],
            "last_candidates": [c.to_dict() for c in self.last_candidates],
            "ignored_regions": [r.to_dict() for r in self.ignored_regions],
            "actions": [a.to_dict() for a in self.actions],
        }

    def frames(self) -> Iterator[dict[str, Any]]:
        """Per-frame dicts for the review UI, in presentation order."""
        t = self.table
        if t is None:
            return
        for i in range(len(t.frame_number)):
            yield {
                "frame_number": int(t.frame_number[i]),
                "timestamp": float(t.timestamp[i]),
                "brightness": round(float(t.brightness[i]), 4),
                "sharpness": round(float(t.sharpness[i]), 4),
                "scene_change_score": round(float(t.scene_change_score[i]), 4),
            }
