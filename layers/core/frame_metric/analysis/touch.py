"""Find Android's touch indicator ("Show taps") in a frame, and keep it out of the change scores.

"Show taps" draws a translucent light disc with a darker ring, about 6-9 % of the screen width
across, where the finger is, for as long as it is down. Found per frame from that frame alone (so a
frame's answer never depends on how the video was cut into segments), on a small grey image:

1. thin strips across the four axes at each distance from every pixel (shifted line means);
   a candidate's ring (darkest strip) is darker than the disc just inside it on all four sides;
2. the best candidates are checked all around the circle (12 directions): the ring must be darker
   than the disc and distinct from the outside in nearly every direction, which rejects squares,
   bars, text and solid dots that pass step 1. Where a ring's grey equals the background (luma
   near 90) only the disc is seen and the indicator is missed.

A frame's answer is one row: (score, x, y, r) with x, y fractions of the frame and r a fraction of
its width; score 0 when no indicator is seen. The pointer-location crosshair is not searched for.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from frame_metric.analysis.changes import Grid

TOUCH_WIDTH = 160  # width of the grey image searched, pixels
RADII = (0.030, 0.0375, 0.045)  # of the width: "Show taps" is 6-9 % of the screen width across
RING_CONTRAST = 12.0  # levels the ring must be darker than the disc
DIRECTIONS = 12
DIRECTIONS_NEEDED = 10  # directions in which the ring must be darker than the disc
CANDIDATES = 6  # peaks checked all around per frame
MASK_MARGIN = 1.3  # the masked disc's radius, in indicator radii (anti-aliasing, codec ringing)
ROW_SIZE = 4


def touch_size(width: int, height: int) -> tuple[int, int]:
    tw = min(TOUCH_WIDTH, width - width % 2)
    return tw, max(2, round(tw * height / width / 2) * 2)


def touch_image(frame: Any, width: int, height: int) -> np.ndarray:
    """The frame's luma at the search size, straight from the decoder."""
    tw, th = touch_size(width, height)
    return frame.reformat(width=tw, height=th, format="gray", interpolation="AREA").to_ndarray()


def _line_means(img: np.ndarray, half: int, axis: int) -> np.ndarray:
    """Mean of 2*half+1 pixels along `axis` around every pixel (edges repeated)."""
    pad = [(0, 0), (0, 0)]
    pad[axis] = (half + 1, half)
    c = np.pad(img, pad, mode="edge").cumsum(axis=axis, dtype=np.float64)
    n = img.shape[axis]
    hi = np.take(c, np.arange(2 * half + 1, 2 * half + 1 + n), axis=axis)
    lo = np.take(c, np.arange(0, n), axis=axis)
    return ((hi - lo) / (2 * half + 1)).astype(np.float32)


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


def _all_around(img: np.ndarray, x: int, y: int, r: float) -> int:
    """In how many directions the ring is darker than the disc just inside it."""
    h, w = img.shape
    a = np.linspace(0.0, 2 * np.pi, DIRECTIONS, endpoint=False)
    c, s = np.cos(a), np.sin(a)

    def at(rad: float) -> np.ndarray:
        xs = np.clip(np.rint(x + rad * c).astype(int), 0, w - 1)
        ys = np.clip(np.rint(y + rad * s).astype(int), 0, h - 1)
        return img[ys, xs].astype(np.float32)

    ring = np.minimum.reduce([at(f * r) for f in (0.75, 0.85, 0.95, 1.05)])  # thin: its darkest sample
    inside = np.maximum(at(0.45 * r), at(0.6 * r))
    outside = at(1.4 * r)
    # Darker than the disc, and not the background itself (which a solid light dot would show).
    drawn = (inside - ring >= 0.5 * RING_CONTRAST) & (np.abs(outside - ring) >= RING_CONTRAST / 3)
    return int(np.count_nonzero(drawn))


def find_touch(gray: np.ndarray, region: np.ndarray | None = None) -> np.ndarray:
    """(score, x, y, r) of the touch indicator in this grey frame; zeros when there is none.
    region: where to look (1) at the frame's size, e.g. the analysed area without the status bar."""
    row = np.zeros(ROW_SIZE, np.float32)
    h, w = gray.shape
    img = gray.astype(np.float32)
    best = np.full((h, w), -np.inf, np.float32)
    half = max(1, round(0.2 * RADII[0] * w))
    radii = [frac * w for frac in RADII]
    strips = _side_strips(img, half, round(1.05 * radii[-1]))
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
        c_in = np.minimum.reduce(side)
        score = np.where(c_in >= 0.5 * RING_CONTRAST, c_in, -np.inf).astype(np.float32)
        better = score > best
        best[better] = score[better]
    if region is not None:
        best[region == 0] = -np.inf
    for _ in range(CANDIDATES):
        i = int(np.argmax(best))
        y, x = divmod(i, w)
        if not np.isfinite(best[y, x]):
            break
        # The box search is coarse about the radius: check the circle at each radius.
        r = max(RADII, key=lambda frac: _all_around(img, x, y, frac * w)) * w
        if _all_around(img, x, y, r) >= DIRECTIONS_NEEDED:
            row[:] = (float(best[y, x]), (x + 0.5) / w, (y + 0.5) / h, r / w)
            return row
        best[max(0, y - int(r)) : y + int(r) + 1, max(0, x - int(r)) : x + int(r) + 1] = -np.inf
    return row


def masked_grid(grid: Grid, *rows: np.ndarray) -> Grid:
    """The grid with the indicator's discs (of the frames compared) left out, or the grid itself."""
    shown = [r for r in rows if r[0] > 0]
    if not shown:
        return grid
    mask = grid.mask.copy()
    yy, xx = np.ogrid[0 : grid.height, 0 : grid.width]
    for _, x, y, r in shown:
        radius = MASK_MARGIN * r * grid.width + 1.5
        mask[(xx + 0.5 - x * grid.width) ** 2 + (yy + 0.5 - y * grid.height) ** 2 <= radius**2] = 0.0
    return Grid(grid.width, grid.height, grid.zone, mask, grid.ignored)


def touch_region(grid: Grid, width: int, height: int) -> np.ndarray:
    """The grid's analysed area (no status bar, no user-ignored regions) at the search size."""
    tw, th = touch_size(width, height)
    ys = np.minimum((np.arange(th) + 0.5) * grid.height / th, grid.height - 1).astype(int)
    xs = np.minimum((np.arange(tw) + 0.5) * grid.width / tw, grid.width - 1).astype(int)
    return grid.mask[ys][:, xs]
