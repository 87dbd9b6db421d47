"""Decide first frame, last frame and always-changing zones from merged per-frame features.

Pure numpy over small arrays (frames x zones); no video here. Every threshold is a *ratio*: a
frame's change strength r is its largest zone score divided by that score's threshold, so r >= 1
is "a person can see it", and r/(1+r) is the 0..1 score reported to users.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from frame_metric.analysis.always_changing import find_always_changing
from frame_metric.analysis.changes import COMPACT_SCALE, SCORE_SCALE, SHIFT_SCALE, Grid
from frame_metric.analysis.stats import background_level, sample_rows

# What a person can see, in levels (0-255) of the small analysis frame. Noise in the video raises
# the bar: local shifts count only well above what calm frames show, global shifts only well above
# the flicker (see _global_ratio).
STRUCTURAL_MIN = 1.5  # zone mean of per-pixel change beyond the noise tolerance (changes.py)
COMPACT_MIN = 6.0  # strongest small block's mean per-pixel change beyond the noise tolerance
COMPACT_MAX_SPREAD = 0.25  # small blocks changing in more zones at once are the codec (keyframe refresh)
# Two frames far apart in time differ by more codec drift than neighbours do: comparisons with the
# initial or final picture ask this much more of the area-wide measures.
REFERENCE_MARGIN = 1.75
# Encoders sharpen a still picture over the frames after a keyframe or a change: frames just before a
# picture is final differ from it by ringing of several levels along edges. Comparisons with the
# final picture count pixels only beyond this multiple of the noise tolerance, and a small block
# then counts from FINAL_COMPACT_MARGIN x COMPACT_MIN (a thin bar fading in is still seen). With the
# initial picture (a keyframe, often of lower quality) small blocks must differ by more.
REFERENCE_TOLERANCE_FACTOR = 2.0
FINAL_COMPACT_MARGIN = 0.6  # 3.6 levels
INITIAL_COMPACT_MARGIN = 2.0
LOCAL_SHIFT_MIN = 4.0  # zone mean brightness change not explained by a global change
LOCAL_FLOOR_FACTOR = 4.0  # ... or this many times its typical level in calm frames
SATURATION_ALLOWANCE = 2.0  # ... or this many times the frame's global change (clipped pixels)
GLOBAL_SHIFT_MIN = 1.0  # RMS of the frame's global (offset + gain) change: one step of a fade
GLOBAL_RUN_MIN = 3.0  # total of a one-way run of global changes (the fade's depth so far)
RUN_EPSILON = 0.3  # smaller global changes neither extend nor break a run's direction
FLICKER_FACTOR = 2.5  # a run must exceed the typical back-and-forth (flicker) run this many times
CALM_SPREAD = 0.3  # frames with visible change in fewer zones than this show the video's noise
CHUNK_ROWS = 4096  # frames converted to float at a time (bounded memory on long videos)


@dataclass(frozen=True)
class Detection:
    first: int | None  # row of the first frame that differs from the opening frame
    last: int | None  # row of the first frame of the final stable screen
    strength: np.ndarray  # (rows,) r of each frame's change from the previous frame, active zones only
    by_global: np.ndarray  # (rows,) bool: the change counted only as a global (fade) change
    persistent: np.ndarray  # (zones,) bool: always-changing zones (left out from their activity start)
    persistent_period: float  # seconds, the largest gap between their changes after settling (0: none)
    faint_after_last: float  # largest r after `last` (below 1 by construction)
    left_out_from: np.ndarray  # (zones,) row from which each zone is left out (rows: never)
    compact_only: np.ndarray  # (rows,) bool: only a small block of change made the frame count
    thresholds: Thresholds


@dataclass(frozen=True)
class Thresholds:
    """What counts as visible, learnt from the video's calm frames; also used for reference
    comparisons so that 'differs from the final picture' means what 'changed' means."""

    flicker: float  # levels: the typical back-and-forth (flicker) run of whole-screen change
    structural: float  # in stored units (SCORE_SCALE)
    compact: float  # in stored units (COMPACT_SCALE)
    shift: float  # levels
    noise_shift: float  # levels: LOCAL_FLOOR_FACTOR x the zone mean changes of calm frames
    partial: np.ndarray  # (zones,) noise allowance of zones cut by ignored regions
    used: np.ndarray  # (zones,) bool: zones with analysed pixels

    def local(
        self,
        structural: np.ndarray,
        compact: np.ndarray,
        shift: np.ndarray,
        g: np.ndarray,
        margin: float = 1.0,
        compact_margin: float = 1.0,
    ) -> tuple[np.ndarray, np.ndarray]:
        """(per-zone ratio max(structural, shift, compact), per-zone ratio without compact).
        Margins > 1 ask more (comparisons of frames far apart in time)."""
        s = structural.astype(np.float32) / (self.structural * margin)
        m = np.abs(shift.astype(np.float32)) / (SHIFT_SCALE * margin)
        # Saturated (clipped) pixels cannot follow a global brightness change, so the zones holding
        # them show part of it as a local shift: allow for that in frames that change globally.
        m /= np.maximum(self.shift, SATURATION_ALLOWANCE * g)[:, None] * self.partial[None, :]
        wide = np.maximum(s, m)
        wide[:, ~self.used] = 0.0
        c = compact.astype(np.float32) / (self.compact * compact_margin)
        c[:, ~self.used] = 0.0
        # A small change is in few zones; small blocks changing all over while no area-wide measure
        # sees anything is the encoder refreshing texture (keyframes), not the screen.
        everywhere = (c >= 1.0).sum(axis=1) > COMPACT_MAX_SPREAD * max(int(self.used.sum()), 1)
        c[everywhere & (wide.max(axis=1, initial=0.0) < 1.0)] = 0.0
        return np.maximum(wide, c), wide


def _global_ratio(global_shift: np.ndarray, calm: np.ndarray, scale: float) -> tuple[np.ndarray, float]:
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
    return np.minimum(np.abs(g) / (GLOBAL_SHIFT_MIN * scale), totals / run_thr).astype(np.float32), flicker


def _zone_ratios(
    grid: Grid, structural: np.ndarray, compact: np.ndarray, shift: np.ndarray, global_shift: np.ndarray, scale: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Thresholds]:
    """(per-zone local ratio (rows, zones) float16, the same without the compact score, global ratio
    (rows,), calm rows, thresholds).

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
    rows = sample_rows(calm)
    m_sample = np.abs(shift[rows][:, grid.valid].astype(np.float32)) / SHIFT_SCALE
    m_floor = background_level(m_sample, visible_q[rows][:, grid.valid])
    # A zone cut by an ignored region averages fewer pixels, so its mean is noisier (1/sqrt(n)).
    partial = np.sqrt(grid.zone**2 / np.maximum(grid.weight.ravel(), grid.zone**2 / 9.0)).astype(np.float32)
    glob, flicker = _global_ratio(global_shift, calm, scale)
    thr = Thresholds(
        flicker=flicker,
        structural=SCORE_SCALE * s_thr,
        compact=COMPACT_SCALE * COMPACT_MIN * scale,
        shift=max(LOCAL_SHIFT_MIN * scale, LOCAL_FLOOR_FACTOR * m_floor),
        noise_shift=LOCAL_FLOOR_FACTOR * m_floor * scale,
        partial=partial,
        used=used,
    )
    g = np.abs(global_shift.astype(np.float32))
    local = np.zeros(structural.shape, np.float16)
    wide = np.zeros(structural.shape, np.float16)
    for a in range(0, len(local), CHUNK_ROWS):
        b = a + CHUNK_ROWS
        local[a:b], wide[a:b] = thr.local(structural[a:b], compact[a:b], shift[a:b], g[a:b])
    return local, wide, glob, calm, thr


def detect(
    grid: Grid,
    t: np.ndarray,
    structural: np.ndarray,
    compact: np.ndarray,
    shift: np.ndarray,
    global_shift: np.ndarray,
    *,
    scale: float = 1.0,
    always_changing: bool = True,
) -> Detection:
    """First frame: the first whose change from the previous frame is visible (r >= 1) outside the
    left-out zones, i.e. the first that differs from the opening frame (a change too slow to see
    from frame to frame shows only as a fade, handled by the global ratio). Last frame: the frame
    that brings the last visible change; nothing visible changes after it."""
    n = len(t)
    local, wide, glob, calm, thr = _zone_ratios(grid, structural, compact, shift, global_shift, scale)
    local[0], wide[0], glob[0] = 0.0, 0.0, 0.0
    start, period = (
        find_always_changing(grid, local, calm, glob >= 1.0, t)
        if always_changing
        else (np.full(local.shape[1], n, np.int64), 0.0)
    )
    for z in np.flatnonzero(start < n):
        local[start[z] :, z] = 0.0  # left out from where its endless activity began
        wide[start[z] :, z] = 0.0
    local_strength = local.max(axis=1, initial=0.0).astype(np.float32)
    wide_strength = np.maximum(wide.max(axis=1, initial=0.0).astype(np.float32), glob)
    strength = np.maximum(local_strength, glob)
    changed = np.flatnonzero(strength >= 1.0)
    first = int(changed[0]) if len(changed) else None
    last = int(changed[-1]) if len(changed) else None
    faint = float(strength[(last or 0) + 1 :].max(initial=0.0))
    return Detection(
        first,
        last,
        strength,
        (glob >= 1.0) & (local_strength < 1.0),
        start < n,
        period,
        faint,
        start,
        (strength >= 1.0) & (wide_strength < 1.0),
        thr,
    )
