"""Per-frame features of one segment, compact enough to store in S3 between pipeline steps.

A segment keeps, per frame, a few scalars and three small per-zone vectors (uint8/int8, ~100-300
bytes a frame before compression; static stretches compress to almost nothing), plus the small
first and last frames so the change *across* a segment boundary can be computed when segments are
merged, and a bounded number of small images for the reference comparisons (references.py). No
full frame is ever kept.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from frame_metric.analysis.probe import Segment


@dataclass(frozen=True)
class ThumbnailSpec:
    width: int = 120  # thumbnail width in pixels; height follows the video's aspect ratio
    columns: int = 10  # sprite-sheet grid: columns x rows thumbnails per JPEG
    rows: int = 10
    quality: int = 70

    @property
    def per_sprite(self) -> int:
        return self.columns * self.rows


@dataclass(frozen=True)
class Sprite:
    """A JPEG grid of consecutive frames' thumbnails, row-major from first_frame."""

    first_frame: int
    count: int
    columns: int
    thumb_width: int
    thumb_height: int
    jpeg: bytes = field(repr=False)

    def position(self, frame_number: int) -> tuple[int, int]:
        """Top-left pixel of a frame's thumbnail inside the sheet."""
        k = frame_number - self.first_frame
        if not 0 <= k < self.count:
            raise IndexError(f"frame {frame_number} is not in this sprite")
        return (k % self.columns) * self.thumb_width, (k // self.columns) * self.thumb_height

    def meta(self) -> dict[str, int]:
        return {
            "first_frame": self.first_frame,
            "count": self.count,
            "columns": self.columns,
            "thumb_width": self.thumb_width,
            "thumb_height": self.thumb_height,
        }


def encode_jpeg(rgb: np.ndarray, quality: int) -> bytes:
    """An RGB image as JPEG bytes. Pillow (imported here, when first needed) releases the GIL while
    encoding, so encoders in threads run beside decoding."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=quality)
    return buf.getvalue()


_ARRAYS = (
    "pts",
    "structural",
    "compact",
    "shift",
    "global_shift",
    "noise",
    "brightness",
    "sharpness",
    "touch",
    "first_image",
    "last_image",
    "head_rows",
    "head_images",
    "tail_rows",
    "tail_images",
)


@dataclass
class SegmentFeatures:
    segment: Segment
    grid_size: tuple[int, int, int]  # analysis width, height, zone: must match when merging
    pts: np.ndarray  # (n,) float64 presentation time, seconds
    structural: np.ndarray  # (n, zones) uint8, see changes.py; row 0 is zero (no previous frame)
    compact: np.ndarray  # (n, zones) uint8
    shift: np.ndarray  # (n, zones) int8
    global_shift: np.ndarray  # (n,) float32
    noise: np.ndarray  # (n,) float32
    brightness: np.ndarray  # (n,) float32, 0..1
    sharpness: np.ndarray  # (n,) float32, 0..1
    touch: np.ndarray  # (n, 4) float32 touch indicator per frame (score, x, y, r), see touch.py
    first_image: np.ndarray  # small yuv420p of the first frame (for the boundary comparison)
    last_image: np.ndarray
    # Small images of the first/last frames that differ from their predecessor (references.py),
    # rows counted from the segment's first frame.
    head_rows: np.ndarray
    head_images: np.ndarray
    tail_rows: np.ndarray
    tail_images: np.ndarray
    warnings: list[str] = field(default_factory=list)
    sprites: list[Sprite] = field(default_factory=list)

    @property
    def frame_count(self) -> int:
        return len(self.pts)

    def to_bytes(self) -> bytes:
        meta = {
            "segment": self.segment.to_dict(),
            "grid_size": list(self.grid_size),
            "warnings": self.warnings,
            "sprites": [s.meta() for s in self.sprites],
        }
        jpegs = b"".join(s.jpeg for s in self.sprites)
        buf = io.BytesIO()
        np.savez_compressed(
            buf,
            meta=np.frombuffer(json.dumps(meta).encode(), np.uint8),
            sprite_sizes=np.asarray([len(s.jpeg) for s in self.sprites], np.int64),
            sprite_data=np.frombuffer(jpegs, np.uint8),
            **{k: getattr(self, k) for k in _ARRAYS},
        )
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> SegmentFeatures:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            meta: dict[str, Any] = json.loads(z["meta"].tobytes())
            arrays = {k: z[k] for k in _ARRAYS if k in z}
            # Features stored before the touch indicator was looked for: none seen.
            arrays.setdefault("touch", np.zeros((len(arrays["pts"]), 4), np.float32))
            blob, sizes = z["sprite_data"].tobytes(), z["sprite_sizes"].tolist()
        sprites, offset = [], 0
        for m, size in zip(meta["sprites"], sizes, strict=True):
            sprites.append(Sprite(jpeg=blob[offset : offset + size], **m))
            offset += size
        gw, gh, gz = meta["grid_size"]
        return cls(
            segment=Segment.from_dict(meta["segment"]),
            grid_size=(gw, gh, gz),
            warnings=list(meta["warnings"]),
            sprites=sprites,
            **arrays,
        )
