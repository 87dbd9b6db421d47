"""Decide first frame, last frame and always-changing zones from merged per-frame features.

Pure numpy over small arrays (frames x zones); no video here. Every threshold is a *ratio*: a
frame's change strength r is its largest zone score divided by that score's threshold, so r >= 1
is "a person can see it", and r/(1+r) is the 0..1 score reported to users.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from frame_metric.analysis.changes import SCORE_SCALE, SHIFT_SCALE, Grid

STRUCTURAL_MIN = 1.5  # levels (zone mean of per-pixel change beyond the noise tolerance)
LOCAL_SHIFT_MIN = 4.0  # levels (zone mean brightness change not explained by a global change)
GLOBAL_SHIFT_MIN = 1.0  # levels (RMS of the global offset+gain change: fades)
# Noise in the video raises the bar: local shifts count only well above what quiet frames show,
# global shifts only well above the flicker (see _global_ratio).
GLOBAL_RUN_MIN = 3.0  # levels: total of a one-way run of global changes (a fade's depth)
RUN_EPSILON = 0.3  # levels: smaller global changes neither extend nor break a run's direction
FLICKER_FACTOR = 2.5
LOCAL_FLOOR_FACTOR = 4.0
SATURATION_ALLOWANCE = 2.0
# A zone is "always changing" if after the screen otherwise settled it changed at least twice, over
# at least this long, and was still at it at the end (quiet tail no longer than 1.5x its gaps).
PERSISTENT_MIN_SPAN = 0.4  # seconds
PERSISTENT_MAX_AREA = 0.4  # of the analysed area: beyond that it is the app changing, not a cursor
ACTIVITY_MIN = 0.25  # ratio counted as (faint) activity when judging always-changing zones
ACTIVITY_NOISE_FACTOR = 3.0
ACTIVITY_MAX_SPREAD = 0.3
CALM_SPREAD = 0.3
NOISE_SAMPLE = 2000  # calm frames sampled to estimate noise floors
CHUNK_ROWS = 4096  # frames with visible structural change in fewer zones than this show the noise


@dataclass(frozen=True)
class Detection:
    first: int | None  # row of the first frame that differs from the opening frame
    last: int | None  # row of the first frame of the final stable screen
    strength: np.ndarray  # (rows,) r of each frame's change from the previous frame, active zones only
    by_global: np.ndarray  # (rows,) bool: the change counted only as a global (fade) change
    persistent: np.ndarray  # (zones,) bool: always-changing zones (left out from their activity start)
    persistent_period: float  # seconds, the largest gap between their changes after settling (0: none)
    faint_after_last: float  # largest r after `last` (below 1 by construction)


def _global_ratio(global_shift: np.ndarray, calm: np.ndarray, scale: float) -> np.ndarray:
    """Per frame, how clearly the whole screen's brightness change is a real change (ratio >= 1).

    A fade moves brightness one way for many frames; flicker and exposure hunting go back and
    forth. So changes are grouped into runs of one direction, and a frame counts when its own step
    is visible and its run's total clearly exceeds what back-and-forth runs (flicker) reach."""
    g = global_shift.astype(np.float64)
    sign = np.where(np.abs(g) >= RUN_EPSILON, np.sign(g), 0.0)
    edges = np.flatnonzero(np.diff(sign) != 0) + 1
    starts, ends = np.r_[0, edges], np.r_[edges, len(g)]
    totals = np.zeros(len(g))
    flicker_runs = []
    for k, (a, b) in enumerate(zip(starts, ends, strict=True)):
        if sign[a] == 0:
            continue
        totals[a:b] = abs(g[a:b].sum())
        reverses = (k + 1 < len(starts) and sign[starts[k + 1]] == -sign[a]) or (
            k > 0 and sign[starts[k - 1]] == -sign[a]
        )
        if reverses and calm[a:b].all():
            flicker_runs.append(totals[a])
    flicker = float(np.percentile(flicker_runs, 75)) if len(flicker_runs) >= 3 else 0.0
    run_thr = max(GLOBAL_RUN_MIN * scale, FLICKER_FACTOR * flicker)
    return np.minimum(np.abs(g) / (GLOBAL_SHIFT_MIN * scale), totals / run_thr).astype(np.float32)


def _sample_rows(calm: np.ndarray) -> np.ndarray:
    rows = np.flatnonzero(calm)
    if len(rows) > NOISE_SAMPLE:  # evenly spread: bounded time and memory on long videos
        rows = rows[np.linspace(0, len(rows) - 1, NOISE_SAMPLE).astype(np.int64)]
    return rows


def _background(values: np.ndarray, changed: np.ndarray) -> float:
    """Typical level of a score where nothing visibly changes: per (sampled calm) frame the 90th
    percentile over zones, zones that visibly changed counting as 0; then the median over frames.
    A percentile, not the maximum, so the few zones a banner grazes are not the whole video's noise."""
    if not values.size:
        return 0.0
    values = np.where(changed, 0.0, values).astype(np.float32)
    return float(np.median(np.percentile(values, 90, axis=1)))


def _zone_ratios(
    grid: Grid, structural: np.ndarray, shift: np.ndarray, global_shift: np.ndarray, scale: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(per-zone local ratio (rows, zones) float16, global ratio (rows,), calm rows).

    Calm rows have structural change in few zones: their other zones show the video's noise
    (codec, camera), even when a banner keeps one part of the screen busy all the time. Computed
    in chunks of rows so that a long video never needs more than one float matrix of its size."""
    used = grid.weight.ravel() > 0
    s_thr = STRUCTURAL_MIN * scale
    visible_q = structural >= np.ceil(s_thr * SCORE_SCALE)  # same test as s >= s_thr, on the stored bytes
    calm = visible_q[:, used].sum(axis=1) < CALM_SPREAD * max(int(used.sum()), 1)
    calm[0] = False  # the opening frame has no previous frame
    if not calm.any():
        calm = np.ones(len(calm), bool)
    rows = _sample_rows(calm)
    m_sample = np.abs(shift[rows][:, grid.valid].astype(np.float32)) / SHIFT_SCALE
    m_floor = _background(m_sample, visible_q[rows][:, grid.valid])
    m_thr = max(LOCAL_SHIFT_MIN * scale, LOCAL_FLOOR_FACTOR * m_floor)
    g = np.abs(global_shift.astype(np.float32))
    # A zone cut by an ignored region averages fewer pixels, so its mean is noisier (1/sqrt(n)).
    partial = np.sqrt(grid.zone**2 / np.maximum(grid.weight.ravel(), grid.zone**2 / 9.0)).astype(np.float32)
    local = np.zeros(structural.shape, np.float16)
    for a in range(0, len(local), CHUNK_ROWS):
        b = a + CHUNK_ROWS
        s = structural[a:b].astype(np.float32) / (SCORE_SCALE * s_thr)
        m = np.abs(shift[a:b].astype(np.float32)) / SHIFT_SCALE
        # Saturated (clipped) pixels cannot follow a global brightness change, so the zones holding
        # them show part of it as a local shift: allow for that in frames that change globally.
        m /= np.maximum(m_thr, SATURATION_ALLOWANCE * g[a:b])[:, None] * partial[None, :]
        local[a:b] = np.maximum(s, m)
    local[:, ~used] = 0.0
    return local, _global_ratio(global_shift, calm, scale), calm


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
    sample = local[_sample_rows(calm)][:, used]
    floor = _background(sample, sample >= 1.0)
    active = local >= max(ACTIVITY_MIN, ACTIVITY_NOISE_FACTOR * floor)
    widespread = active[:, used].sum(axis=1) > ACTIVITY_MAX_SPREAD * max(int(used.sum()), 1)
    active[widespread] = False
    return active | (local >= 1.0)


def _find_persistent(
    grid: Grid, local: np.ndarray, activity: np.ndarray, global_changed: np.ndarray, t: np.ndarray
) -> tuple[np.ndarray, float]:
    """Per zone, the row from which it is left out as always-changing (len(t): never), and the
    largest period among them. Chooses the smallest settle row such that every zone that visibly
    changes after it keeps showing activity until the end."""
    n, zones = local.shape
    never = np.full(zones, n, np.int64)
    if n < 3:
        return never, 0.0
    last = np.array(
        [c[-1] if len(c) else -1 for c in (np.flatnonzero(local[:, z] >= 1.0) for z in range(zones))]
    )
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


def detect(
    grid: Grid,
    t: np.ndarray,
    structural: np.ndarray,
    shift: np.ndarray,
    global_shift: np.ndarray,
    *,
    scale: float = 1.0,
    find_always_changing: bool = True,
) -> Detection:
    n = len(t)
    local, glob, calm = _zone_ratios(grid, structural, shift, global_shift, scale)
    local[0], glob[0] = 0.0, 0.0
    used = grid.weight.ravel() > 0
    start, period = (
        _find_persistent(grid, local, _activity(local, used, calm), glob >= 1.0, t)
        if find_always_changing
        else (np.full(local.shape[1], n, np.int64), 0.0)
    )
    for z in np.flatnonzero(start < n):
        local[start[z] :, z] = 0.0  # left out from where its endless activity began
    local_strength = local.max(axis=1, initial=0.0).astype(np.float32)
    strength = np.maximum(local_strength, glob)
    changed = np.flatnonzero(strength >= 1.0)
    first = int(changed[0]) if len(changed) else None
    last = int(changed[-1]) if len(changed) else None
    faint = float(strength[(last or 0) + 1 :].max(initial=0.0))
    return Detection(first, last, strength, (glob >= 1.0) & (local_strength < 1.0), start < n, period, faint)


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
