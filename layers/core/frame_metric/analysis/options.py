"""What to analyse: ignored regions and thresholds, as small JSON-friendly values."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True)
class Region:
    """A rectangle in fractions (0..1) of the frame width/height, origin top-left."""

    x: float
    y: float
    w: float
    h: float

    def __post_init__(self) -> None:
        for name in ("x", "y", "w", "h"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"region {name}={value} is outside 0..1")
        if self.w <= 0 or self.h <= 0:
            raise ValueError("region width and height must be positive")

    @classmethod
    def parse(cls, text: str) -> Region:
        """'X,Y,W,H' in fractions, e.g. '0,0.9,1,0.1' for the bottom tenth."""
        parts = [p.strip() for p in text.split(",")]
        if len(parts) != 4:
            raise ValueError(f"region {text!r} must be X,Y,W,H")
        try:
            x, y, w, h = (float(p) for p in parts)
        except ValueError:
            raise ValueError(f"region {text!r} must be four numbers X,Y,W,H") from None
        return cls(x, y, w, h)

    def to_dict(self) -> dict[str, float]:
        return {"x": self.x, "y": self.y, "w": self.w, "h": self.h}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Region:
        return cls(float(data["x"]), float(data["y"]), float(data["w"]), float(data["h"]))


@dataclass(frozen=True)
class AnalysisOptions:
    ignore: tuple[Region, ...] = ()
    ignore_status_bar: bool = True
    # Status-bar strip height as a fraction of the frame's *long* side: the bar has the same pixel
    # height in portrait and landscape (about 4% of the long side on phones; 5% leaves a margin).
    status_bar_fraction: float = 0.05
    # Find regions that keep changing until the end (cursor, carousel) and leave them out.
    detect_always_changing: bool = True
    # Multiplies every change threshold: >1 is stricter (fewer, larger changes count).
    threshold_scale: float = 1.0
    # Long side, in pixels, of the small frames the decoder produces for analysis (rounded down to a
    # multiple of 64). 448 keeps a browser scrollbar (8 px on a 2732 px frame) at least one pixel wide.
    analysis_size: int = 448
    # Look for Android's "Show taps" indicator and "Pointer location" crosshair: they start each interaction
    # and never count as a change.
    touch_indicator: bool = True
    # Without touches, interactions are split where nothing visibly changes for this many seconds.
    quiet_period: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "ignore"}
        out["ignore"] = [r.to_dict() for r in self.ignore]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AnalysisOptions:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown analysis options: {sorted(unknown)}")
        kwargs = dict(data)
        kwargs["ignore"] = tuple(
            r if isinstance(r, Region) else Region.parse(r) if isinstance(r, str) else Region.from_dict(r)
            for r in data.get("ignore", ())
        )
        return cls(**kwargs)
