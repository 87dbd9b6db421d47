"""Merge segment features, choose first/last frames, and say how sure we are and why.

The segments are concatenated in frame order; the one comparison a segment could not make (its
first frame against the previous segment's last frame) is made here from the small images both
kept, with the same function, so a merged result equals a single-segment one exactly.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from frame_metric.analysis.actions import find_actions
from frame_metric.analysis.always_changing import zone_rects
from frame_metric.analysis.boundaries import Detection, detect
from frame_metric.analysis.changes import Grid, compare, make_grid
from frame_metric.analysis.decode import split_planes
from frame_metric.analysis.errors import VideoAnalysisError
from frame_metric.analysis.features import SegmentFeatures
from frame_metric.analysis.options import AnalysisOptions, Region
from frame_metric.analysis.probe import VideoProbe
from frame_metric.analysis.result import AnalysisResult, FrameMark, FrameTable, IgnoredRegion
from frame_metric.analysis.touch import bridge_gaps, masked_grid

CANDIDATES = 5
CANDIDATE_WINDOW = 0.5  # seconds around a boundary where alternatives are looked for
SHORT_TAIL = 0.5  # seconds of stillness after the last change below which we are guessing
OK_TAIL = 1.0
REVIEW_BELOW = 0.6


def _merge(grid: Grid, segments: Sequence[SegmentFeatures]) -> tuple[dict[str, np.ndarray], list[str]]:
    segs = sorted(segments, key=lambda s: s.segment.start_frame)
    if not segs:
        raise VideoAnalysisError("no segment features to select from")
    warnings: list[str] = []
    for prev, seg in itertools.pairwise(segs):
        if seg.grid_size != (grid.width, grid.height, grid.zone) or prev.grid_size != seg.grid_size:
            raise VideoAnalysisError("segments were analysed with different options")
        if seg.segment.start_frame != prev.segment.end_frame:
            warnings.append(f"frames {prev.segment.end_frame}-{seg.segment.start_frame} were not analysed")
    names = ("pts", "structural", "shift", "global_shift", "brightness", "sharpness", "noise", "touch")
    merged = {k: np.concatenate([getattr(s, k) for s in segs]) for k in names}
    merged["frame_number"] = np.concatenate(
        [s.segment.start_frame + np.arange(s.frame_count, dtype=np.int64) for s in segs]
    )
    row = 0
    for i, seg in enumerate(segs):
        if i > 0:
            masked = masked_grid(grid, merged["touch"][row - 1], merged["touch"][row])
            compare(masked, split_planes(segs[i - 1].last_image), split_planes(seg.first_image)).write(merged, row)
        row += seg.frame_count
        warnings += seg.warnings
    return merged, warnings


def _score(r: float) -> float:
    return round(r / (1.0 + r), 4)


def _candidates(
    chosen: int, first: bool, window: int, strength: np.ndarray, t: np.ndarray, numbers: np.ndarray
) -> list[FrameMark]:
    """What a reviewer may pick instead: the chosen frame; the other places where a step of the
    change starts (first) or settles (last) within `window` frames; faint changes just outside
    the chosen boundary; then the neighbours."""
    n = len(t)
    changed = strength >= 1.0
    lo, hi = (max(1, chosen - 2), min(n, chosen + window)) if first else (max(1, chosen - window), min(n, chosen + 3))
    if first:  # onsets of change runs after the chosen one
        steps = [i for i in range(lo, hi) if changed[i] and not changed[i - 1] and i != chosen]
        faint = [i for i in range(lo, chosen) if 0.3 <= strength[i] < 1.0]
    else:  # frames where an earlier run of changes settled (the frame after its last change)
        steps = [i for i in range(lo, hi) if changed[i] and (i + 1 >= n or not changed[i + 1]) and i != chosen]
        faint = [i for i in range(chosen + 1, hi) if 0.3 <= strength[i] < 1.0]
    picks = [chosen]
    for i in [*faint, *sorted(steps, key=lambda i: abs(i - chosen)), chosen - 1, chosen + 1]:
        if len(picks) < CANDIDATES and 0 <= i < n and i not in picks:
            picks.append(i)
    return [FrameMark(int(numbers[i]), float(t[i]), _score(float(strength[i]))) for i in picks]


def _margin_factor(r: float) -> float:
    """1 when the change is at least 3x the visibility threshold, down to 0.35 right at it."""
    return float(np.clip(0.35 + 0.65 * (r - 1.0) / 2.0, 0.35, 1.0))


def _confidence(d: Detection, t: np.ndarray, noise: float, warnings: list[str]) -> tuple[float, list[str]]:
    reasons: list[str] = list(dict.fromkeys(warnings))
    conf = 0.7 if warnings else 1.0
    if d.first is None or d.last is None:
        return 0.0, reasons
    r_first, r_last = float(d.strength[d.first]), float(d.strength[d.last])
    conf *= _margin_factor(r_first) * _margin_factor(r_last)
    if min(r_first, r_last) < 2.0:
        reasons.append("the change at the first or last frame is barely above the noise")
    tail = float(t[-1] - t[d.last])
    if tail < SHORT_TAIL:
        conf *= 0.4
        reasons.append(f"the video ends {tail:.2f}s after the last change: the screen may not have settled")
    elif tail < OK_TAIL:
        conf *= 0.75
    if d.first == 1:
        conf *= 0.7
        reasons.append("the change starts on the second frame: the recording may have started too late")
    if d.faint_after_last >= 0.5:
        conf *= 1.0 - 0.5 * (d.faint_after_last - 0.4)
        reasons.append("faint changes below the visibility threshold follow the last frame")
    if d.by_global[d.first] or d.by_global[d.last]:
        conf *= 0.85
        reasons.append("a gradual whole-screen brightness change (fade) decided a boundary")
    if d.persistent.any():
        conf *= 0.95
        if tail < 2.0 * d.persistent_period:
            conf *= 0.8
            reasons.append("always-changing regions were left out, but the video ends too soon to be sure")
    if noise > 1.5:
        conf *= 0.9
    return round(float(np.clip(conf, 0.0, 1.0)), 3), reasons


def select_boundaries(
    probe: VideoProbe, segments: Sequence[SegmentFeatures], options: AnalysisOptions
) -> AnalysisResult:
    grid = make_grid(probe.width, probe.height, options)
    m, warnings = _merge(grid, segments)
    warnings = list(probe.warnings) + warnings
    t, numbers = m["pts"], m["frame_number"]
    bridge_gaps(grid, m["touch"], m["structural"], m["shift"])
    d = detect(
        grid,
        t,
        m["structural"],
        m["shift"],
        m["global_shift"],
        scale=options.threshold_scale,
        always_changing=options.detect_always_changing,
    )
    ignored = [IgnoredRegion(r, why) for r, why in grid.ignored]
    ignored += [
        IgnoredRegion(Region(*(round(v, 4) for v in rect)), "always_changing")
        for rect in zone_rects(grid, d.persistent)
    ]
    noise = float(np.median(m["noise"])) if len(t) else 0.0
    confidence, reasons = _confidence(d, t, noise, warnings)
    first = last = None
    first_c: list[FrameMark] = []
    last_c: list[FrameMark] = []
    if d.first is not None and d.last is not None:
        first = FrameMark(int(numbers[d.first]), float(t[d.first]), _score(float(d.strength[d.first])))
        last = FrameMark(int(numbers[d.last]), float(t[d.last]), _score(float(d.strength[d.last])))
        window = max(3, round(CANDIDATE_WINDOW * (probe.fps or 30)))
        first_c = _candidates(d.first, True, window, d.strength, t, numbers)
        last_c = _candidates(d.last, False, window, d.strength, t, numbers)
    elif len(t) < 2:
        reasons.append("the video has a single frame: there is nothing to time")
    else:
        reasons.append("no visible change in the video (outside ignored regions)")
    table = FrameTable(
        numbers, t, m["brightness"], m["sharpness"], (d.strength / (1.0 + d.strength)).astype(np.float32)
    )
    needs_review = first is None or confidence < REVIEW_BELOW or bool(warnings) or probe.truncated
    if probe.truncated and not any("truncated" in r for r in reasons):
        reasons.append("the file is truncated: only the readable frames were analysed")
    actions = find_actions(t, numbers, d.strength, m["touch"], options.quiet_period)
    return AnalysisResult(
        probe, first, last, confidence, needs_review, reasons, first_c, last_c, ignored, table, actions
    )
