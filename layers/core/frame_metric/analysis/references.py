"""Boundaries decided against reference pictures, WebPageTest visualmetrics style.

Frame-to-frame change cannot see a change that is small per frame but large in total: a glow over
seconds, a banner sliding 1 px a frame, a scroll creeping to rest. Against the initial picture and
the final settled picture such changes are plain, so:

* first: the first frame whose picture departs visibly from the initial picture;
* last: the earliest frame after which the picture stays within noise of the final picture.

Only frames whose picture differs from the frame before matter (a still screen decodes to identical
pixels), so each segment keeps the small images of
its first HEAD_FRAMES and last TAIL_FRAMES such frames: bounded memory whatever the length, and the
merged lists are exactly those a single pass would keep (each segment supplies all the merge can
take from it).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from frame_metric.analysis.changes import Change

HEAD_FRAMES = 30
TAIL_FRAMES = 90

Entry = tuple[int, np.ndarray]  # (row, small yuv420p image)
# Ratio of the visible difference between two small images (>= 1: visible), given the zones to leave
# out; supplied by boundaries.py so reference comparisons use the frame-to-frame thresholds.
Distance = Callable[[np.ndarray, np.ndarray, np.ndarray, int], float]  # (a, b, left-out zones, row of the kept frame)


class KeptFrames:
    """While a segment is decoded: its first and last few frames that differ from their predecessor."""

    def __init__(self) -> None:
        self.head: list[Entry] = []
        self.tail: deque[Entry] = deque(maxlen=TAIL_FRAMES)

    def add(self, row: int, image: np.ndarray) -> None:
        if len(self.head) < HEAD_FRAMES:
            self.head.append((row, image))
        self.tail.append((row, image))

    @staticmethod
    def pack(entries: Sequence[Entry], shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
        rows = np.asarray([r for r, _ in entries], np.int64)
        images = np.stack([im for _, im in entries]) if entries else np.zeros((0, *shape), np.uint8)
        return rows, images


@dataclass(frozen=True)
class Kept:
    """One segment's kept frames, rows counted from the segment's first frame."""

    offset: int  # row of the segment's first frame in the merged video
    first_image: np.ndarray
    first_is_new: bool  # its first frame differs from the previous segment's last frame
    head_rows: np.ndarray
    head_images: np.ndarray
    tail_rows: np.ndarray
    tail_images: np.ndarray


def merged_head(segments: Iterable[Kept]) -> list[Entry]:
    out: list[Entry] = []
    for s in segments:
        if s.first_is_new:
            out.append((s.offset, s.first_image))
        out += [(s.offset + int(r), im) for r, im in zip(s.head_rows, s.head_images, strict=True)]
        if len(out) >= HEAD_FRAMES:
            break
    return out[:HEAD_FRAMES]


def merged_tail(segments: Sequence[Kept]) -> list[Entry]:
    out: list[Entry] = []
    for s in reversed(segments):
        out += [(s.offset + int(r), im) for r, im in zip(s.tail_rows[::-1], s.tail_images[::-1], strict=True)]
        if s.first_is_new:
            out.append((s.offset, s.first_image))
        if len(out) >= TAIL_FRAMES:
            break
    return out[:TAIL_FRAMES][::-1]


def first_departure(
    head: Sequence[Entry], initial: np.ndarray, distance: Distance, left_out_from: np.ndarray
) -> tuple[int, float] | None:
    """(row, ratio) of the first kept frame visibly different from the initial picture."""
    for row, image in head:
        r = distance(initial, image, left_out_from <= row, row)
        if r >= 1.0:
            return row, r
    return None


def settled_from(
    tail: Sequence[Entry], final: np.ndarray, distance: Distance, left_out: np.ndarray, rows: int
) -> tuple[int, float] | None:
    """(row, ratio) of the frame from which the picture stays within noise of the final picture: the
    kept frame after the newest one that still differs visibly; ratio is that difference."""
    for k in range(len(tail) - 1, -1, -1):
        r = distance(tail[k][1], final, left_out, tail[k][0])
        if r >= 1.0:
            row = tail[k + 1][0] if k + 1 < len(tail) else min(tail[k][0] + 1, rows - 1)
            return row, r
    return None


def change_of(change: Change) -> tuple[np.ndarray, ...]:
    """A Change as one-row arrays, the shape boundaries.py scores."""
    return (change.structural[None], change.compact[None], change.shift[None], np.float32([change.global_shift]))
