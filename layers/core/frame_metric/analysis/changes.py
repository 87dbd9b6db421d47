"""How much two small frames differ, per zone of the screen.

The analysis frame (long side ~448 px) is cut into square zones (16 along the long side). Comparing
two frames gives, per zone:

* `structural`: mean over the zone of each pixel's luma change *beyond the zone's own mean shift*,
  plus its chroma change, each soft-thresholded by a noise tolerance. Taps, text, images and edges
  show here; codec and camera noise (below the tolerance) and uniform brightness shifts do not.
  Chroma is not de-meaned: an isoluminant colour change is a uniform U/V shift and must count.
* `compact`: the largest mean, over the zone's small blocks (about 1/80 of the long side), of the
  same per-pixel change beyond the tolerance. A pointer turning into a hand or one typed glyph
  covers a few analysis pixels: averaged over a whole zone it vanishes, over a block it does not.
* `shift`: the zone's mean luma change (signed). A fade moves it steadily; flicker moves all zones
  together and back. Which of the two it is can only be judged over time, so it is kept raw here
  and judged in boundaries.py.

The tolerance adapts to the noise of each frame pair, estimated from the quietest fifth of the
zones (real changes are rarely everywhere, noise is), so camera noise raises it and screen
recordings keep it at its floor.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from frame_metric.analysis.options import AnalysisOptions, Region

ZONES_ALONG_LONG_SIDE = 16
PIXEL_TOLERANCE = 6.0  # levels: the floor for codec ringing at low bit rates
NOISE_FACTOR = 4.0  # tolerance = max(floor, NOISE_FACTOR * estimated noise sigma)
SHIFT_SCALE = 2.0  # shift stored as int8 in half levels
SCORE_SCALE = 8.0  # structural stored as uint8 in eighths of a level
BLOCK = 4  # analysis pixels: the compact score's window side (a zone holds whole half-blocks)
COMPACT_SCALE = 2.0  # compact stored as uint8 in half levels


@dataclass
class Grid:
    """The analysis frame size, its zones and what is ignored (user regions, status bar)."""

    width: int
    height: int
    zone: int  # zone side in analysis pixels (even, so chroma zones are whole)
    mask: np.ndarray  # (height, width) float32: 1 analysed, 0 ignored
    ignored: tuple[tuple[Region, str], ...]
    weight: np.ndarray = field(init=False)  # analysed pixels per zone
    chroma_mask: np.ndarray = field(init=False)
    chroma_weight: np.ndarray = field(init=False)
    valid: np.ndarray = field(init=False)  # zones mostly analysed: trusted for global statistics

    def __post_init__(self) -> None:
        self.weight = self.zone_sum(self.mask)
        self.chroma_mask = np.ascontiguousarray(self.mask[::2, ::2])
        self.chroma_weight = self.zone_sum(self.chroma_mask, self.zone // 2)
        self.valid = (self.weight >= 0.5 * self.zone**2).ravel()

    @property
    def rows(self) -> int:
        return self.height // self.zone

    @property
    def cols(self) -> int:
        return self.width // self.zone

    @property
    def zones(self) -> int:
        return self.rows * self.cols

    def zone_sum(self, a: np.ndarray, zone: int | None = None) -> np.ndarray:
        return zone_reduce(a, zone or self.zone, np.add)

    def block_max(self, luma: np.ndarray, chroma: np.ndarray) -> np.ndarray:
        """(rows, cols): per zone, the largest mean of luma + chroma excess over a BLOCK x BLOCK
        window. Windows step by half a block, so a small change is never split four ways."""
        cells = self.zone_sum(luma, BLOCK // 2) + 4.0 * chroma  # a chroma pixel covers 2x2 luma pixels
        win = np.zeros_like(cells)
        win += cells
        win[:-1] += cells[1:]
        win[:, :-1] += cells[:, 1:]
        win[:-1, :-1] += cells[1:, 1:]
        per = self.zone // (BLOCK // 2)
        return zone_reduce(win, per, np.maximum) / BLOCK**2


def zone_reduce(a: np.ndarray, z: int, op: np.ufunc) -> np.ndarray:
    """op (np.add or np.maximum) over each z x z square of a 2-D array, in float32. Rows first, then
    columns: numpy reduces the leading axis of a block as whole contiguous rows, several times faster
    than over both axes of a 4-D view at once; for squares of 2-4 a few strided ops are faster still."""
    h, w = a.shape
    if z <= 4:
        rows = a[0::z].astype(np.float32)
        for k in range(1, z):
            op(rows, a[k::z], out=rows)
        out = rows[:, 0::z].copy()
        for k in range(1, z):
            op(out, rows[:, k::z], out=out)
        return out
    rows = op.reduce(a.reshape(h // z, z, w), axis=1, dtype=np.float32)
    return op.reduce(rows.reshape(h // z, w // z, z), axis=2)


def make_grid(width: int, height: int, options: AnalysisOptions) -> Grid:
    step = BLOCK * ZONES_ALONG_LONG_SIDE  # zones of whole blocks
    long_side = max(options.analysis_size - options.analysis_size % step, step)
    zone = long_side // ZONES_ALONG_LONG_SIDE
    short = max(zone, round(long_side * min(width, height) / max(width, height) / zone) * zone)
    w, h = (long_side, short) if width >= height else (short, long_side)
    mask = np.ones((h, w), np.float32)
    ignored: list[tuple[Region, str]] = []
    if options.ignore_status_bar:
        frac = min(1.0, options.status_bar_fraction * max(width, height) / height)
        ignored.append((Region(0.0, 0.0, 1.0, round(frac, 4)), "status_bar"))
    ignored += [(r, "user") for r in options.ignore]
    for r, _ in ignored:
        x0, x1 = int(np.floor(r.x * w)), int(np.ceil(min(r.x + r.w, 1.0) * w))
        y0, y1 = int(np.floor(r.y * h)), int(np.ceil(min(r.y + r.h, 1.0) * h))
        mask[y0:y1, x0:x1] = 0.0
    return Grid(w, h, zone, mask, tuple(ignored))


@dataclass(frozen=True)
class Change:
    structural: np.ndarray  # (zones,) uint8, SCORE_SCALE units
    compact: np.ndarray  # (zones,) uint8, COMPACT_SCALE units: the strongest small block of change
    shift: np.ndarray  # (zones,) int8, SHIFT_SCALE units: mean luma change not explained globally
    # The global (offset + gain) part of the change, levels: RMS over zones, signed like its mean
    # (brighter +, darker -) so that flicker (alternating) can be told from a fade (one way).
    global_shift: float
    noise: float  # estimated noise sigma, levels

    def write(self, rows: dict[str, np.ndarray], i: int) -> None:
        """Store as row i of per-frame arrays: one way, inside a segment and across segments."""
        rows["structural"][i] = self.structural
        rows["compact"][i] = self.compact
        rows["shift"][i] = self.shift
        rows["global_shift"][i] = self.global_shift
        rows["noise"][i] = self.noise


def _tolerance(zone_mean_abs: np.ndarray, valid: np.ndarray) -> tuple[float, float]:
    """(pixel tolerance, noise sigma) from the quietest fifth of the zones."""
    quiet = np.sort(zone_mean_abs.ravel()[valid])
    if not len(quiet):
        return PIXEL_TOLERANCE, 0.0
    sigma = 1.25 * float(quiet[len(quiet) // 5])  # Gaussian: mean absolute deviation = 0.8 sigma
    return min(max(PIXEL_TOLERANCE, NOISE_FACTOR * sigma), 48.0), sigma


def _global_fit(level: np.ndarray, shift: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Per-zone shift explained by one offset + gain for the whole screen (flicker, exposure, fades),
    fitted robustly so that local changes (a tap, a new card) stay out of it."""
    x, y = level[valid] - 128.0, shift[valid]
    if not len(y) or float(np.abs(y).max()) < 0.5:
        return np.zeros_like(shift)  # nothing moved globally (most frames): skip the fit
    keep = np.ones(len(x), bool)
    offset = gain = 0.0
    for _ in range(3):
        if keep.sum() < max(3, len(x) // 3):
            return np.zeros_like(shift)  # no global behaviour: most of the screen moved differently
        xs, ys = x[keep], y[keep]
        mx, my = float(xs.mean()), float(ys.mean())
        vx = float(((xs - mx) ** 2).sum())
        gain = float(((xs - mx) * (ys - my)).sum()) / vx if vx > 1e-6 else 0.0
        offset = my - gain * mx
        r = np.abs(y - offset - gain * x)
        keep = r <= 3.0 * max(1.0, 1.4826 * float(np.median(r[keep])))
    return (offset + gain * (level - 128.0)).astype(np.float32)


def _signed_rms(values: np.ndarray) -> float:
    if not len(values):
        return 0.0
    return float(np.copysign(np.sqrt(np.mean(values**2)), np.mean(values)))


def compare(
    grid: Grid, prev: tuple[np.ndarray, ...], cur: tuple[np.ndarray, ...], tolerance_factor: float = 1.0
) -> Change:
    """prev/cur: (Y, U, V) uint8 planes of two frames at the grid's size. tolerance_factor > 1 for
    frames far apart in time, which differ by more than codec noise where nothing changed."""
    if all(np.array_equal(a, b) for a, b in zip(prev, cur, strict=True)):
        # Static screens decode to identical pixels (skipped macroblocks): most frames of a recording.
        zeros = np.zeros(grid.zones, np.uint8)
        return Change(zeros, zeros, zeros.view(np.int8), 0.0, 0.0)
    z, rows, cols = grid.zone, grid.rows, grid.cols
    weight = np.maximum(grid.weight, 1.0)
    # In place where a temporary would do (the same values: float32 throughout, same order).
    dy = np.subtract(cur[0], prev[0], dtype=np.float32)
    dy *= grid.mask
    shift = grid.zone_sum(dy) / weight
    level = (grid.zone_sum(prev[0] * grid.mask) / weight).ravel()
    predicted = _global_fit(level, shift.ravel(), grid.valid)
    resid = np.subtract(dy.reshape(rows, z, cols, z), shift[:, None, :, None]).reshape(dy.shape)
    np.abs(resid, out=resid)
    resid *= grid.mask
    tol, sigma = _tolerance(grid.zone_sum(resid) / weight, grid.valid)
    tol *= tolerance_factor
    resid -= np.float32(tol)
    luma = np.maximum(resid, 0.0, out=resid)

    cmask, cz = grid.chroma_mask, z // 2
    cweight = np.maximum(grid.chroma_weight, 1.0)
    dc = np.abs(np.subtract(cur[1], prev[1], dtype=np.float32))
    dc += np.abs(np.subtract(cur[2], prev[2], dtype=np.float32))
    dc *= cmask
    ctol, _ = _tolerance(grid.zone_sum(dc, cz) / cweight, grid.valid)
    ctol *= tolerance_factor
    chroma = np.maximum(dc - np.float32(ctol), 0.0)

    if luma.any() or chroma.any():
        structural = grid.zone_sum(luma) / weight + grid.zone_sum(chroma, cz) / cweight
        compact = grid.block_max(luma, chroma)
    else:  # noise only (a filmed still screen): no pixel beyond the tolerance, nothing to sum
        structural = compact = np.zeros((rows, cols), np.float32)
    return Change(
        structural=np.minimum(np.rint(structural.ravel() * SCORE_SCALE), 255).astype(np.uint8),
        compact=np.minimum(np.rint(compact.ravel() * COMPACT_SCALE), 255).astype(np.uint8),
        shift=np.clip(np.rint((shift.ravel() - predicted) * SHIFT_SCALE), -127, 127).astype(np.int8),
        global_shift=_signed_rms(predicted[grid.valid]),
        noise=sigma,
    )
