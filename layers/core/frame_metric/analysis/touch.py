"""Find Android's touch indicator ("Show taps") in a frame, and keep it out of the change scores.

"Show taps" draws a translucent light disc with a darker ring, about 6-9 % of the screen's short
side (its width held upright: the spot has one size in density-independent pixels, so in landscape
it is the same fraction of the height), where the finger is, for as long as it is down. Found per
frame from that frame alone (so a frame's answer never depends on how the video was cut into
segments), on a small grey image:

1. thin strips across the four axes at each distance from every pixel (shifted line means);
   a candidate's ring (darkest strip) is darker than the disc just inside it on all four sides;
2. the best candidates are checked all around the circle (12 directions): the ring must be darker
   than the disc and distinct from the outside in nearly every direction, which rejects squares,
   bars, text and solid dots that pass step 1. Where a ring's grey equals the background (luma
   near 90) only the disc is seen and the indicator is missed.

A frame's answer is one row: (score, x, y, r) with x, y fractions of the frame and r a fraction of
its short side; score 0 when no indicator is seen. The "Pointer location" crosshair is looked for first
(crosshair.py, on the decoded frame) and stored in the same row with r = 0.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from av.video.reformatter import VideoReformatter

from frame_metric.analysis.changes import Grid
from frame_metric.analysis.crosshair import PointerOverlay, find_crosshair, mask_crosshairs

TOUCH_SIDE = 160  # short side of the grey image searched, pixels
RADII = (0.030, 0.0375, 0.045)  # of the short side: "Show taps" is 6-9 % of it across
RING_CONTRAST = 12.0  # levels the ring must be darker than the disc
DIRECTIONS = 12
DIRECTIONS_NEEDED = 10  # directions in which the ring must be darker than the disc
DIRECTIONS_TRACKED = 8  # ... within TRACK_REACH radii of the previous frame's indicator
TRACK_REACH = 6.0
CANDIDATES = 6  # peaks checked all around per frame
MASK_MARGIN = 1.3  # the masked disc's radius, in indicator radii (anti-aliasing, codec ringing)
ROW_SIZE = 4
STEP = 2  # centres tried on every STEP-th pixel, then refined


def touch_size(width: int, height: int) -> tuple[int, int]:
    """(width, height) of the grey image searched: TOUCH_SIDE on the frame's short side."""
    if width <= height:
        tw = min(TOUCH_SIDE, width - width % 2)
        return tw, max(2, round(tw * height / width / 2) * 2)
    th = min(TOUCH_SIDE, height - height % 2)
    return max(2, round(th * width / height / 2) * 2), th


def touch_image(frame: Any, width: int, height: int, scaler: VideoReformatter | None = None) -> np.ndarray:
    """The frame's luma at the search size, straight from the decoder (scaler: see decode.AnalysisPictures)."""
    tw, th = touch_size(width, height)
    return (scaler or VideoReformatter()).reformat(frame, tw, th, "gray", interpolation="AREA").to_ndarray()


def find_pointer(
    frame: Any, width: int, height: int, region: np.ndarray, before: np.ndarray | None = None,
    scaler: VideoReformatter | None = None,
) -> np.ndarray:
    """The user's finger in a decoded frame: the "Pointer location" crosshair (cheap, looked for
    first: its touch ellipse could pass for a ring), else the "Show taps" indicator."""
    row = find_crosshair(frame)
    if row[0] > 0:
        return row
    return find_touch(touch_image(frame, width, height, scaler), region, before)


def _line_means(img: np.ndarray, half: int, axis: int) -> np.ndarray:
    """Mean of 2*half+1 pixels along `axis` around every pixel (edges repeated). Sums of whole grey
    levels stay exact in float32 at these sizes."""
    pad = [(0, 0), (0, 0)]
    pad[axis] = (half + 1, half)
    c = np.pad(img, pad, mode="edge").cumsum(axis=axis, dtype=np.float32)
    n, span = img.shape[axis], 2 * half + 1
    if axis == 0:
        return (c[span : span + n] - c[:n]) / span
    return (c[:, span : span + n] - c[:, :n]) / span


def _side_strips(img: np.ndarray, half: int, reach: int) -> dict[int, list[np.ndarray]]:
    """Per distance d (1..reach): the means of four short strips (above, below, left, right) d
    pixels from every pixel, each 2*half+1 long: where a circle of radius d crosses the axes.
    Each is a shifted view of one line-mean image."""
    h, w = img.shape
    across = np.pad(_line_means(img, half, axis=1), ((reach, reach), (0, 0)), mode="edge")
    along = np.pad(_line_means(img, half, axis=0), ((0, 0), (reach, reach)), mode="edge")
    return {
        d: [
            across[reach - d : reach - d + h],
            across[reach + d : reach + d + h],
            along[:, reach - d : reach - d + w],
            along[:, reach + d : reach + d + w],
        ]
        for d in range(1, reach + 1)
    }


_ANGLES = np.linspace(0.0, 2 * np.pi, DIRECTIONS, endpoint=False)
_RING = (0.75, 0.85, 0.95, 1.05)  # the ring is thin: its darkest sample
_INSIDE = (0.45, 0.6)
_OUTSIDE = (1.4,)
_FACTORS = np.asarray(_RING + _INSIDE + _OUTSIDE)


def _all_around(img: np.ndarray, xs: np.ndarray, ys: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """(positions, radii): in how many directions the ring around (x, y) is darker than the disc
    just inside it and distinct from the background just outside (a solid light dot has no ring of
    its own). One gather for every position, radius, factor and direction."""
    h, w = img.shape
    rad = radii[None, :, None, None] * _FACTORS[None, None, :, None]  # (1, radii, factors, directions)
    px = np.clip(np.rint(xs[:, None, None, None] + rad * np.cos(_ANGLES)), 0, w - 1).astype(np.intp)
    py = np.clip(np.rint(ys[:, None, None, None] + rad * np.sin(_ANGLES)), 0, h - 1).astype(np.intp)
    v = img[py, px]
    k = len(_RING)
    ring = v[:, :, :k].min(axis=2)
    inside = v[:, :, k : k + len(_INSIDE)].max(axis=2)
    outside = v[:, :, -1]
    drawn = (inside - ring >= 0.5 * RING_CONTRAST) & (np.abs(outside - ring) >= RING_CONTRAST / 3)
    return drawn.sum(axis=2)


def find_touch(gray: np.ndarray, region: np.ndarray | None = None, before: np.ndarray | None = None) -> np.ndarray:
    """(score, x, y, r) of the touch indicator in this grey frame; zeros when there is none.
    region: where to look (1) at the frame's size, e.g. the analysed area without the status bar.
    before: the previous frame's answer: near a finger that was down, a ring partly hidden (by a
    dark bar it moves over) is still taken, with fewer directions."""
    row = np.zeros(ROW_SIZE, np.float32)
    h, w = gray.shape
    short = min(w, h)
    img = gray.astype(np.float32)
    half = max(1, round(0.2 * RADII[0] * short))
    radii = np.asarray(RADII) * short
    # Centres are tried on every other pixel (the indicator is ~10 px across here: one of them is
    # within a pixel of its centre, which the strips' depth ranges absorb), then refined around the best.
    reach = round(1.05 * radii[-1])
    strips = {d: [v[::STEP, ::STEP] for v in views] for d, views in _side_strips(img, half, reach).items()}
    best = np.full(strips[1][0].shape, -np.inf, np.float32)
    for r in radii:
        # Per side, the disc just inside (lightest strip) against the ring (darkest strip): thin
        # strips, so that an edge of the screen crossing the circle does not drown the ring. A bar
        # or an edge darkens one or two sides only: the weakest side decides.
        inner = [d for d in strips if 0.3 * r <= d <= 0.6 * r]
        ring = [d for d in strips if 0.75 * r <= d <= 1.05 * r]
        side = [
            np.maximum.reduce([strips[d][k] for d in inner]) - np.minimum.reduce([strips[d][k] for d in ring])
            for k in range(4)
        ]
        np.maximum(best, np.minimum.reduce(side), out=best)
    best[best < RING_CONTRAST] = -np.inf
    if region is not None:
        best[region[::STEP, ::STEP] == 0] = -np.inf
    for _ in range(CANDIDATES):
        i = int(np.argmax(best))
        by, bx = divmod(i, best.shape[1])
        if not np.isfinite(best[by, bx]):
            break
        # Refine the centre around the coarse one, and the radius: the circle checked all around.
        ys, xs = np.meshgrid(_near(by * STEP, h), _near(bx * STEP, w), indexing="ij")
        counts = _all_around(img, xs.ravel(), ys.ravel(), radii)
        p, k = np.unravel_index(int(np.argmax(counts)), counts.shape)
        if counts[p, k] >= _needed(before, bx * STEP, by * STEP, w, h):
            x, y = int(xs.ravel()[p]), int(ys.ravel()[p])
            row[:] = (float(best[by, bx]), (x + 0.5) / w, (y + 0.5) / h, float(radii[k]) / short)
            return row
        reach = int(radii[-1]) // STEP + 1
        best[max(0, by - reach) : by + reach + 1, max(0, bx - reach) : bx + reach + 1] = -np.inf
    return row


def _needed(before: np.ndarray | None, x: int, y: int, w: int, h: int) -> int:
    """Directions the ring must show: fewer close to where the finger was a frame ago."""
    if before is None or before[0] <= 0:
        return DIRECTIONS_NEEDED
    close = np.hypot(x - before[1] * w, y - before[2] * h) <= TRACK_REACH * before[3] * min(w, h)
    return DIRECTIONS_TRACKED if close else DIRECTIONS_NEEDED


def _near(c: int, n: int) -> np.ndarray:
    return np.arange(max(0, c - STEP + 1), min(n, c + STEP))


def masked_grid(grid: Grid, *rows: np.ndarray, overlay: tuple[PointerOverlay, int, int] | None = None) -> Grid:
    """The grid with the indicator's discs or crosshairs (of the frames compared) left out, or the
    grid itself. overlay: (the video's pointer overlay, row a, row b) for frames far apart in time:
    the text bar and the trails on screen in either frame are left out too."""
    shown = [r for r in rows if r[0] > 0]
    if not shown and (overlay is None or not overlay[0].present):
        return grid
    mask = grid.mask.copy()
    mask_crosshairs(mask, shown)
    if overlay is not None:
        overlay[0].mask(mask, overlay[1], overlay[2])
    yy, xx = np.ogrid[0 : grid.height, 0 : grid.width]
    for _, x, y, r in shown:
        if r == 0:  # a crosshair: masked above
            continue
        radius = MASK_MARGIN * r * min(grid.width, grid.height) + 1.5
        mask[(xx + 0.5 - x * grid.width) ** 2 + (yy + 0.5 - y * grid.height) ** 2 <= radius**2] = 0.0
    return Grid(grid.width, grid.height, grid.zone, mask, grid.ignored)


def touch_region(grid: Grid, width: int, height: int) -> np.ndarray:
    """The grid's analysed area (no status bar, no user-ignored regions) at the search size."""
    tw, th = touch_size(width, height)
    ys = np.minimum((np.arange(th) + 0.5) * grid.height / th, grid.height - 1).astype(int)
    xs = np.minimum((np.arange(tw) + 0.5) * grid.width / tw, grid.width - 1).astype(int)
    return grid.mask[ys][:, xs]


GAP_FRAMES = 2  # a touch missed in this many frames in a row is still the same touch (actions.py)


def bridge_gaps(grid: Grid, touch: np.ndarray, starts: list[int], structural: np.ndarray, shift: np.ndarray,
                compact: np.ndarray | None = None) -> None:
    """Frames whose comparison could not leave the indicator's disc out, though it was there (in
    place, so the finger's path never counts as the app changing):

    * frames where the indicator was missed between two frames that show it (e.g. its ring crossed
      a dark bar): it was there all the same, at a place between the two, and its moves were
      compared unmasked;
    * the frame before each touch-down (starts: actions.touch_starts, the touches the actions are
      made of), around the coming disc: an encoder with B-frames predicts that frame partly from the
      next one (a faint pre-echo of the disc), or the disc's first frame was drawn half-faded; an app
      cannot respond to a finger that has not landed yet. (PointerOverlay does the same for the
      crosshair's lines.)"""
    disc = (touch[:, 0] > 0) & (touch[:, 3] > 0)  # discs only: crosshairs are cleared by PointerOverlay
    shown = np.flatnonzero(disc)
    zy, zx = np.divmod(np.arange(grid.zones), grid.cols)
    centres_x, centres_y = (zx + 0.5) * grid.zone, (zy + 0.5) * grid.zone
    arrays = [a for a in (structural, shift, compact) if a is not None]

    def clear(row: int, x: float, y: float, r: float) -> None:
        reach = MASK_MARGIN * r * min(grid.width, grid.height) + 1.5 + grid.zone / 2
        near = (np.abs(centres_x - x * grid.width) <= reach) & (np.abs(centres_y - y * grid.height) <= reach)
        for a in arrays:
            a[row, near] = 0

    for a, b in itertools.pairwise(shown.tolist()):
        if not 1 < b - a <= GAP_FRAMES + 1:
            continue
        places = [touch[a, 1:] + (touch[b, 1:] - touch[a, 1:]) * (g - a) / (b - a) for g in range(a, b + 1)]
        for g in range(a + 1, b + 1):  # frame g compares g-1 with g: both places
            for x, y, r in (places[g - 1 - a], places[g - a]):
                clear(g, x, y, r)
    for down in starts:
        if down and disc[down]:
            x, y, r = touch[down, 1:]
            clear(down - 1, x, y, r)
