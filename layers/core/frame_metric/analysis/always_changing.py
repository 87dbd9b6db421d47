"""Regions that keep changing until the end (blinking cursor, carousel, looping banner).

They are found from the per-zone change ratios (boundaries.py): choose the earliest "settle" row
such that every zone still changing visibly after it keeps showing activity right up to the end,
regularly; those zones are left out from where that endless activity began. A zone that changed a
few times and then stayed still for longer than its own rhythm is real content, not a cursor.
"""

from __future__ import annotations

import numpy as np

from frame_metric.analysis.changes import Grid
from frame_metric.analysis.stats import background_level, sample_rows

# A zone is always changing if, after the rest of the screen settled, it showed activity at least
# twice, over at least PERSISTENT_MIN_SPAN, and was still at it at the end: its quiet tail is no
# longer than 1.5x its largest gap.
PERSISTENT_MIN_SPAN = 0.4  # seconds
PERSISTENT_MAX_AREA = 0.4  # of the analysed area: beyond that it is the app changing, not a cursor
ACTIVITY_MIN = 0.25  # ratio counted as (faint) activity
ACTIVITY_NOISE_FACTOR = 3.0  # ... and above this many times the video's calm-frame level
ACTIVITY_MAX_SPREAD = 0.3  # activity in more zones at once is the codec or camera (keyframe, flicker)


def _runs(frames: np.ndarray, max_gap: int = 2) -> int:
    return 1 + int(np.count_nonzero(np.diff(frames) > max_gap)) if len(frames) else 0


def _keeps_changing(changes: np.ndarray, settle: int, t: np.ndarray, min_interval: float) -> float | None:
    """If a zone with these change rows keeps changing after row `settle` until the end: its
    largest gap between changes (the period a viewer would wait to see it change again); else None."""
    after = changes[changes > settle]
    continuous = len(after) >= 6 and len(after) >= 0.5 * (len(t) - 1 - settle)
    if len(after) < 2 or (_runs(after) < 2 and not continuous):
        return None
    if t[after[-1]] - t[after[0]] < PERSISTENT_MIN_SPAN:
        return None
    gap = float(np.diff(t[after]).max())
    if t[-1] - t[after[-1]] > max(1.5 * gap, 2.0 * min_interval):
        return None
    return gap


def _activity_start(changes: np.ndarray, t: np.ndarray, period: float) -> int:
    """Row where a zone's final run of regular changes began: masking it from there, not from the
    start, keeps e.g. a tap under a banner that only appears once the app has opened."""
    j = len(changes) - 1
    while j > 0 and t[changes[j]] - t[changes[j - 1]] <= 1.5 * period + 1e-9:
        j -= 1
    return int(changes[j])


def _activity(local: np.ndarray, used: np.ndarray, calm: np.ndarray) -> np.ndarray:
    """Where zones show change at all, even below the visibility threshold (bool, rows x zones).

    A blinking cursor near the threshold crosses it only some of the times it blinks; judged on
    visible changes alone it would look like a few unrelated late changes. Activity counts faint
    changes too, but above the video's own noise, and not in frames where it is everywhere at once
    (a keyframe refresh or flicker), which is the codec or the camera, not a region of the screen."""
    sample = local[sample_rows(calm)][:, used]
    floor = background_level(sample, sample >= 1.0)
    active = local >= max(ACTIVITY_MIN, ACTIVITY_NOISE_FACTOR * floor)
    widespread = active[:, used].sum(axis=1) > ACTIVITY_MAX_SPREAD * max(int(used.sum()), 1)
    active[widespread] = False
    return active | (local >= 1.0)


def find_always_changing(
    grid: Grid, local: np.ndarray, calm: np.ndarray, global_changed: np.ndarray, t: np.ndarray
) -> tuple[np.ndarray, float]:
    """Per zone, the row from which it is left out as always-changing (len(t): never), and the
    largest period among them. Chooses the smallest settle row such that every zone that visibly
    changes after it keeps showing activity until the end."""
    n, zones = local.shape
    never = np.full(zones, n, np.int64)
    if n < 3:
        return never, 0.0
    last = np.array([c[-1] if len(c) else -1 for c in (np.flatnonzero(local[:, z] >= 1.0) for z in range(zones))])
    activity = _activity(local, grid.weight.ravel() > 0, calm)
    rows = [np.flatnonzero(activity[:, z]) for z in range(zones)]
    area = grid.weight.ravel()
    total = float(area.sum()) or 1.0
    min_interval = float(np.median(np.diff(t)))
    last_global = int(np.flatnonzero(global_changed)[-1]) if global_changed.any() else -1
    for settle in np.unique(np.r_[last[last >= 0], last_global]):
        active = np.flatnonzero(last > settle)
        if not len(active):
            break
        if settle < last_global or area[active].sum() > PERSISTENT_MAX_AREA * total:
            continue
        gaps = {int(z): _keeps_changing(rows[z], int(settle), t, min_interval) for z in active}
        if None in gaps.values():
            continue
        start = never.copy()
        for z, gap in gaps.items():
            start[z] = _activity_start(rows[z], t, float(gap or 0.0))
        return start, max(float(g or 0.0) for g in gaps.values())
    return never, 0.0


def zone_rects(grid: Grid, zones: np.ndarray) -> list[tuple[float, float, float, float]]:
    """Bounding boxes (fractions x, y, w, h) of 4-connected groups of the given zones."""
    mask = zones.reshape(grid.rows, grid.cols).copy()
    rects = []
    while mask.any():
        r0, c0 = (int(v[0]) for v in np.nonzero(mask))
        stack, cells = [(r0, c0)], []
        mask[r0, c0] = False
        while stack:
            r, c = stack.pop()
            cells.append((r, c))
            for rr, cc in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
                if 0 <= rr < grid.rows and 0 <= cc < grid.cols and mask[rr, cc]:
                    mask[rr, cc] = False
                    stack.append((rr, cc))
        rs, cs = [p[0] for p in cells], [p[1] for p in cells]
        rects.append(
            (
                min(cs) / grid.cols,
                min(rs) / grid.rows,
                (max(cs) - min(cs) + 1) / grid.cols,
                (max(rs) - min(rs) + 1) / grid.rows,
            )
        )
    return rects
