"""Find Android's "Pointer location" crosshair in a frame, and keep its drawings out of the change scores.

With Developer options > Pointer location on, Android draws, while a finger is down, a full-width
horizontal and a full-height vertical line crossing where the finger is (1-2 px at 1080 px wide,
dark blue), the finger's path (a trail, which stays until the next touch-down), and a text bar at
the top of the screen ("P: 1/1 dX ... Xv ... Prs ...") whose figures change while touching.

The lines are too thin to survive the small analysis pictures, so they are looked for in the
decoded frame itself, but only along a dozen full-resolution rows and columns (a few tens of
thousands of pixels, a fraction of a millisecond): a horizontal line is a row that, in nearly every
sampled column, is darker than the rows a few pixels above and below it, or bluer (chroma U) than
them; the vertical line likewise across sampled rows. Both must be there: a full-width divider
alone is no crosshair.

A crosshair is stored in the touch row like the "Show taps" indicator, with r = 0 (no disc):
(score, x, y, 0). What its frames leave out of the comparisons (masked_grid in touch.py):
bands along both lines, the finger's ellipse at the crossing, the top text bar, and the trail's
growth between two frames' points.
What stays on screen after lift-off (the trail, the bar's last figures) is dealt with over the
whole video (PointerOverlay), never per segment.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from frame_metric.analysis.changes import Grid

SAMPLES = 12  # full-resolution rows / columns sampled
SAMPLES_NEEDED = 10  # ... in which a line must show
LUMA_CONTRAST = 40.0  # levels a line must be darker than the pixels beside it
CHROMA_CONTRAST = 14.0  # levels of U a line must be bluer than the pixels beside it
BAND = 2.5  # half-width, in analysis pixels, of the band masked along each line
BAR_FRACTION = 0.09  # of the long side: the status bar and the pointer-location text bar below it
TRACE_MARGIN = 0.02  # of the width: around the trail's bounding box
# Of the width: around the crossing, where Android also draws the finger's touch ellipse (its contact
# size) and velocity, and "Show taps" its disc when both are on.
FINGER = 0.06

_PLANAR = frozenset({"yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p"})


def _plane(frame: Any, index: int) -> np.ndarray:
    """A plane of the decoded frame as a (height, width) view: no copy, no conversion."""
    p = frame.planes[index]
    return np.frombuffer(p, np.uint8).reshape(-1, p.line_size)[: p.height, : p.width]


def _ridge(values: np.ndarray, reach: int, darker: bool) -> np.ndarray:
    """Along axis 1: by how much each sample is darker (or lighter) than both samples `reach` away."""
    v = values.astype(np.int16)
    out = np.zeros(v.shape, np.int16)
    mid, before, after = v[:, reach:-reach], v[:, : -2 * reach], v[:, 2 * reach :]
    if darker:
        np.minimum(before - mid, after - mid, out=out[:, reach:-reach])
    else:
        np.minimum(mid - before, mid - after, out=out[:, reach:-reach])
    return out


def _line(luma: np.ndarray, chroma: np.ndarray | None, reach: int) -> tuple[float, float]:
    """(position, strength) of the line crossing every sampled row or column (one per row of
    `luma`, positions along axis 1); strength 0 when there is none. Most frames have none: only
    the few positions a line crosses in enough samples are measured further."""
    n = luma.shape[1]
    if n < 4 * reach + 3:
        return 0.0, 0.0
    dark = _ridge(luma, reach, darker=True)
    hit = dark >= LUMA_CONTRAST
    blue = None
    factor = 1
    if chroma is not None:  # at its own (subsampled) resolution; each chroma sample covers `factor` positions
        factor = max(1, round(n / chroma.shape[1]))
        blue = _ridge(chroma, max(1, reach // factor + 1), darker=False)
        blue_hit = np.repeat(blue >= CHROMA_CONTRAST, factor, axis=1)[:, :n]
        hit[:, : blue_hit.shape[1]] |= blue_hit
    # A line 2 px thick, or one a codec smeared, peaks a position apart from sample to sample.
    near = hit.copy()
    near[:, 1:] |= hit[:, :-1]
    near[:, :-1] |= hit[:, 1:]
    hits = np.count_nonzero(near, axis=0)
    candidates = np.flatnonzero(hits >= SAMPLES_NEEDED)
    if not len(candidates):
        return 0.0, 0.0

    def strength(at: np.ndarray) -> np.ndarray:
        out = dark[:, at] / LUMA_CONTRAST
        if blue is not None:
            out = np.maximum(out, blue[:, np.minimum(at // factor, blue.shape[1] - 1)] / CHROMA_CONTRAST)
        return out

    around = np.minimum(np.maximum.reduce([strength(np.clip(candidates + d, 0, n - 1)) for d in (-1, 0, 1)]), 4.0)
    k = int(np.argmax(hits[candidates] * 1000.0 + around.sum(axis=0)))
    return candidates[k] + 0.5, float(np.median(around[:, k]))


def find_crosshair(frame: Any) -> np.ndarray:
    """(score, x, y, 0) of the pointer-location crosshair in a decoded frame; zeros without one.
    x, y are fractions of the frame."""
    row = np.zeros(4, np.float32)
    y_plane = _plane(frame, 0) if frame.format.name in _PLANAR or frame.format.name.startswith("nv") else None
    if y_plane is None:  # a picture format without a luma plane: convert (rare, never a phone recording)
        y_plane = frame.to_ndarray(format="gray")
    h, w = y_plane.shape
    u_plane = _plane(frame, 1) if frame.format.name in _PLANAR else None
    reach = max(2, round(2 * min(w, h) / 1080))
    xs = np.linspace(0.08 * w, 0.92 * w, SAMPLES).astype(np.intp)
    ys = np.linspace(0.12 * h, 0.92 * h, SAMPLES).astype(np.intp)
    cx = cy = None
    if u_plane is not None:
        fy, fx = max(1, round(h / u_plane.shape[0])), max(1, round(w / u_plane.shape[1]))
        cx = np.ascontiguousarray(u_plane[:, np.minimum(xs // fx, u_plane.shape[1] - 1)].T)
        cy = u_plane[np.minimum(ys // fy, u_plane.shape[0] - 1)]
    # Sampled columns as rows (contiguous along the positions searched), sampled rows as they are.
    y, along = _line(np.ascontiguousarray(y_plane[:, xs].T), cx, reach)
    if along <= 0:
        return row
    x, across = _line(y_plane[ys], cy, reach)
    if across <= 0:
        return row
    row[:] = (min(along, across), x / w, y / h, 0.0)
    return row


def is_crosshair(row: np.ndarray) -> bool:
    return bool(row[0] > 0 and row[3] == 0)


def mask_crosshairs(mask: np.ndarray, rows: list[np.ndarray]) -> None:
    """Zero (in place) what the crosshair rows' frames draw: bands along both lines, the top text
    bar, and (two rows: a frame and the one before) the trail's growth between their points."""
    h, w = mask.shape
    crosshairs = [r for r in rows if is_crosshair(r)]
    if not crosshairs:
        return
    mask[: int(np.ceil(BAR_FRACTION * max(w, h)))] = 0.0
    yy, xx = np.ogrid[0:h, 0:w]
    for _, x, y, _ in crosshairs:
        ys = slice(max(0, int(np.floor(y * h - BAND))), int(np.ceil(y * h + BAND)))
        xs = slice(max(0, int(np.floor(x * w - BAND))), int(np.ceil(x * w + BAND)))
        mask[ys] = 0.0
        mask[:, xs] = 0.0
        mask[(xx + 0.5 - x * w) ** 2 + (yy + 0.5 - y * h) ** 2 <= (FINGER * w) ** 2] = 0.0
    if len(crosshairs) == 2:
        _mask_box(mask, _box(np.asarray(crosshairs)[:, 1:3]))


def _box(points: np.ndarray) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) fractions: the points' bounding box with a margin for the trail's width."""
    m = TRACE_MARGIN
    return (float(points[:, 0].min()) - m, float(points[:, 1].min()) - m / 2,
            float(points[:, 0].max()) + m, float(points[:, 1].max()) + m / 2)


def _mask_box(mask: np.ndarray, box: tuple[float, float, float, float]) -> None:
    h, w = mask.shape
    x0, y0, x1, y1 = box
    mask[max(0, int(np.floor(y0 * h))) : max(0, int(np.ceil(y1 * h))),
         max(0, int(np.floor(x0 * w))) : max(0, int(np.ceil(x1 * w)))] = 0.0


class PointerOverlay:
    """Over the whole video (merged touch rows): each crosshair gesture's trail, which stays on
    screen from its touch-down until the next one, and whether the text bar is there at all."""

    def __init__(self, touch: np.ndarray, touch_starts: list[int]) -> None:
        """touch_starts: the rows where touches begin (analysis.actions.touch_starts): the same
        gestures the actions are made of."""
        crosshair = (touch[:, 0] > 0) & (touch[:, 3] == 0) if len(touch) else np.zeros(0, bool)
        self.present = bool(crosshair.any())
        self.touch = touch
        self.starts: list[int] = []
        self.groups: list[list[int]] = []  # each gesture's rows that show the crosshair
        self.boxes: list[tuple[float, float, float, float]] = []
        for begin, until in itertools.pairwise([*touch_starts, len(touch)]):
            rows = (np.flatnonzero(crosshair[begin:until]) + begin).tolist()
            if rows:
                self.starts.append(rows[0])
                self.groups.append(rows)
                self.boxes.append(_box(touch[rows, 1:3]))

    def visible(self, row: int) -> tuple[float, float, float, float] | None:
        """The trail on screen at this row: the last gesture begun at or before it."""
        k = int(np.searchsorted(self.starts, row, side="right")) - 1
        return self.boxes[k] if k >= 0 else None

    def mask(self, mask: np.ndarray, *rows: int) -> None:
        """Zero (in place) the text bar and the trails on screen in any of these rows' frames."""
        if not self.present:
            return
        h, w = mask.shape
        mask[: int(np.ceil(BAR_FRACTION * max(w, h)))] = 0.0
        for row in rows:
            box = self.visible(row)
            if box is not None:
                _mask_box(mask, box)

    def clear_drawings(self, grid: Grid, *arrays: np.ndarray) -> None:
        """Zero (in place) the zones of per-zone change arrays where the pointer's drawings, not the
        app, changed, in frames whose own comparison could not leave them out:

        * at each touch-down after the first, where the previous gesture's trail vanishes;
        * in the frame before each touch-down, along the coming lines (an encoder with B-frames
          predicts that frame partly from the next one: a faint pre-echo of the lines);
        * in frames where the crosshair was missed inside a gesture (at most gap_frames in a row):
          along the lines where it was before and after, the text bar and the trail between."""
        for k, start in enumerate(self.starts):
            if k:
                _zero(arrays, start, _zones(grid, *self.boxes[k - 1]))
            if start:
                _zero(arrays, start - 1, _line_zones(grid, *self.touch[start, 1:3]))
            group = self.groups[k]
            for a, b in itertools.pairwise(group):
                if b - a > 1:
                    points = self.touch[[a, b], 1:3]
                    zones = _line_zones(grid, *points[0]) + _line_zones(grid, *points[1]) + _zones(grid, *_box(points))
                    zones += _zones(grid, 0.0, 0.0, 1.0, BAR_FRACTION * max(grid.width, grid.height) / grid.height)
                    for g in range(a + 1, b + 1):
                        _zero(arrays, g, zones)


def _zones(grid: Grid, x0: float, y0: float, x1: float, y1: float) -> list[int]:
    """The zones a rectangle (fractions of the frame) touches."""
    h, w, zone, cols = grid.height, grid.width, grid.zone, grid.cols
    c0, c1 = max(0, int(x0 * w) // zone), min(cols - 1, int(np.ceil(x1 * w)) // zone)
    r0, r1 = max(0, int(y0 * h) // zone), min(grid.rows - 1, int(np.ceil(y1 * h)) // zone)
    return [r * cols + c for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]


def _line_zones(grid: Grid, x: float, y: float) -> list[int]:
    """The zones of a crosshair at (x, y): both lines and the finger's ellipse at the crossing."""
    bx, by = BAND / grid.width, BAND / grid.height
    fx, fy = FINGER, FINGER * grid.width / grid.height
    return (_zones(grid, 0.0, y - by, 1.0, y + by) + _zones(grid, x - bx, 0.0, x + bx, 1.0)
            + _zones(grid, x - fx, y - fy, x + fx, y + fy))


def _zero(arrays: tuple[np.ndarray, ...], row: int, zones: list[int]) -> None:
    for a in arrays:
        a[row, zones] = 0
