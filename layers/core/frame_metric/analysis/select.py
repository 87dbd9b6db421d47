"""Merge segment features, choose first/last frames, and say how sure we are and why.

The segments are concatenated in frame order; the one comparison a segment could not make (its
first frame against the previous segment's last frame) is made here from the small images both
kept, with the same function, so a merged result equals a single-segment one exactly. Then the
boundaries found frame to frame are checked against the initial and final pictures (references.py):
a slow or creeping change moves them to where it visibly begins or ends.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from frame_metric.analysis.actions import find_actions, touch_starts
from frame_metric.analysis.always_changing import zone_rects
from frame_metric.analysis.boundaries import (
    FINAL_COMPACT_MARGIN,
    FLICKER_FACTOR,
    INITIAL_COMPACT_MARGIN,
    REFERENCE_MARGIN,
    REFERENCE_TOLERANCE_FACTOR,
    Detection,
    Thresholds,
    detect,
)
from frame_metric.analysis.changes import Grid, compare, make_grid
from frame_metric.analysis.crosshair import PointerOverlay
from frame_metric.analysis.decode import split_planes
from frame_metric.analysis.errors import VideoAnalysisError
from frame_metric.analysis.features import SegmentFeatures
from frame_metric.analysis.options import AnalysisOptions, Region
from frame_metric.analysis.probe import VideoProbe
from frame_metric.analysis.references import Kept, change_of, first_departure, merged_head, merged_tail, settled_from
from frame_metric.analysis.result import AnalysisResult, FrameMark, FrameTable, IgnoredRegion
from frame_metric.analysis.touch import bridge_gaps, masked_grid

CANDIDATES = 5
CANDIDATE_WINDOW = 0.5  # seconds around a boundary where alternatives are looked for
SHORT_TAIL = 0.5  # seconds of stillness after the last change below which we are guessing
OK_TAIL = 1.0
REVIEW_BELOW = 0.6
# Levels a zone's mean brightness must differ from a reference picture by, at least: screen content
# decodes with zone means steady to a fraction of a level, so a glow is seen to its last few levels.
ZONE_SHIFT_MIN = 2.5
AMBIGUOUS = 0.55  # confidence at most this when a boundary rests on a judgement (needs review)


def _merge(grid: Grid, segments: Sequence[SegmentFeatures]) -> tuple[dict[str, np.ndarray], list[str], list[Kept]]:
    segs = sorted(segments, key=lambda s: s.segment.start_frame)
    if not segs:
        raise VideoAnalysisError("no segment features to select from")
    warnings: list[str] = []
    for prev, seg in itertools.pairwise(segs):
        if seg.grid_size != (grid.width, grid.height, grid.zone) or prev.grid_size != seg.grid_size:
            raise VideoAnalysisError("segments were analysed with different options")
        if seg.segment.start_frame != prev.segment.end_frame:
            warnings.append(f"frames {prev.segment.end_frame}-{seg.segment.start_frame} were not analysed")
    names = ("pts", "structural", "compact", "shift", "global_shift", "brightness", "sharpness", "noise", "touch")
    merged = {k: np.concatenate([getattr(s, k) for s in segs]) for k in names}
    merged["frame_number"] = np.concatenate(
        [s.segment.start_frame + np.arange(s.frame_count, dtype=np.int64) for s in segs]
    )
    row = 0
    kept: list[Kept] = []
    for i, seg in enumerate(segs):
        new = i > 0 and not np.array_equal(segs[i - 1].last_image, seg.first_image)
        if new:
            masked = masked_grid(grid, merged["touch"][row - 1], merged["touch"][row])
            compare(masked, split_planes(segs[i - 1].last_image), split_planes(seg.first_image)).write(merged, row)
        kept.append(Kept(row, seg.first_image, new, seg.head_rows, seg.head_images, seg.tail_rows, seg.tail_images))
        row += seg.frame_count
        warnings += seg.warnings
    return merged, warnings, kept


@dataclass(frozen=True)
class Boundaries:
    """First/last rows and how each was decided."""

    first: int | None
    last: int | None
    first_ratio: float
    last_ratio: float
    first_by_reference: bool
    last_by_reference: bool


def _distance(
    grid: Grid,
    thr: Thresholds,
    touch: np.ndarray,
    overlay: PointerOverlay,
    reference_row: int,
    compact_margin: float = 1.0,
    areas_only: bool = False,
) -> Callable[[np.ndarray, np.ndarray, np.ndarray, int], float]:
    """How visibly a kept image differs from the reference picture at reference_row (ratio, >= 1
    visible). areas_only: only zones' whole brightness changes count (no pixel-level measure, which
    encoder drift can reach). The touch indicator's discs, the crosshair and its trails and text bar
    in either picture never count (touch.py, crosshair.py)."""
    # Flicker (a camera filming a screen under mains light) swings by more than the zone floor, and
    # frames far apart in time differ by its full swing. Smaller back-and-forth whole-screen runs are
    # a screen capture's compositor jitter, no larger than themselves.
    flicker = thr.flicker * (FLICKER_FACTOR if thr.flicker > ZONE_SHIFT_MIN else 1.0)

    def distance(a: np.ndarray, b: np.ndarray, left_out: np.ndarray, row: int) -> float:
        pa, pb = split_planes(a), split_planes(b)
        seen = masked_grid(grid, touch[reference_row], touch[row], overlay=(overlay, reference_row, row))
        s, c, m, g = change_of(compare(seen, pa, pb, REFERENCE_TOLERANCE_FACTOR))
        local, _ = thr.local(s, c, m, np.abs(g), REFERENCE_MARGIN, compact_margin)
        # Against a reference, a glow or a slow fade is no flicker: each zone's whole brightness
        # change counts (the frame-to-frame global fit would take much of it) from a few levels, as
        # zone means of screen content decode steady, or from beyond the video's flicker.
        dy = (pb[0].astype(np.float32) - pa[0]) * seen.mask
        zone_shift = np.abs(seen.zone_sum(dy) / np.maximum(seen.weight, 1.0)).ravel()
        floor = max(ZONE_SHIFT_MIN, thr.noise_shift, flicker)
        whole = zone_shift / floor / thr.partial
        whole[~thr.used] = 0.0
        if areas_only:
            return float(whole[~left_out].max(initial=0.0))
        return float(np.maximum(local[0], whole)[~left_out].max(initial=0.0))

    return distance


def _dilate(grid: Grid, zones: np.ndarray) -> np.ndarray:
    """The zones and their neighbours: an always-changing region's edges differ from the final
    picture too, though frame to frame they stay below the threshold."""
    z = zones.reshape(grid.rows, grid.cols)
    out = z.copy()
    out[1:] |= z[:-1]
    out[:-1] |= z[1:]
    out[:, 1:] |= out[:, :-1].copy()
    out[:, :-1] |= out[:, 1:].copy()
    return out.ravel()


def _with_references(
    grid: Grid, d: Detection, kept: list[Kept], final: np.ndarray, touch: np.ndarray, overlay: PointerOverlay
) -> Boundaries:
    """The frame-to-frame boundaries, moved earlier (first) or later (last) where the picture
    departed from the initial one earlier, or settled to the final one later."""
    first, last = d.first, d.last
    fr = float(d.strength[first]) if first is not None else 0.0
    lr = float(d.strength[last]) if last is not None else 0.0
    by_ref_first = by_ref_last = False
    # Against the initial picture, a still picture drifts at low bit rates (the encoder sharpens it
    # after the keyframe) by as much as a slow onset moves its pixels: before a frame-to-frame change
    # is visible, only a whole zone's brightness departing counts (a glow, a fade rising).
    head = merged_head(kept)
    departed = first_departure(
        head, kept[0].first_image, _distance(grid, d.thresholds, touch, overlay, 0, areas_only=True), d.left_out_from
    )
    if first is None and departed is None:
        distance = _distance(grid, d.thresholds, touch, overlay, 0, INITIAL_COMPACT_MARGIN)
        departed = first_departure(head, kept[0].first_image, distance, d.left_out_from)
    if departed is not None and (first is None or departed[0] < first):
        first, fr, by_ref_first = departed[0], departed[1], True
    rows = len(touch)
    distance = _distance(grid, d.thresholds, touch, overlay, rows - 1, FINAL_COMPACT_MARGIN)
    settled = settled_from(merged_tail(kept), final, distance, _dilate(grid, d.persistent), rows)
    if settled is not None and (last is None or settled[0] > last):
        last, lr, by_ref_last = settled[0], settled[1], True
    if first is not None and (last is None or last < first):
        last, lr = first, fr
    return Boundaries(first, last, fr, lr, by_ref_first, by_ref_last)


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


def _confidence(
    d: Detection, b: Boundaries, t: np.ndarray, noise: float, warnings: list[str]
) -> tuple[float, list[str]]:
    reasons: list[str] = list(dict.fromkeys(warnings))
    conf = 0.7 if warnings else 1.0
    if b.first is None or b.last is None:
        return 0.0, reasons
    conf *= _margin_factor(b.first_ratio) * _margin_factor(b.last_ratio)
    if min(b.first_ratio, b.last_ratio) < 2.0:
        reasons.append("the change at the first or last frame is barely above the noise")
    tail = float(t[-1] - t[b.last])
    if tail < SHORT_TAIL:
        conf *= 0.4
        reasons.append(f"the video ends {tail:.2f}s after the last change: the screen may not have settled")
    elif tail < OK_TAIL:
        conf *= 0.75
    if b.first == 1:
        conf *= 0.7
        reasons.append("the change starts on the second frame: the recording may have started too late")
    faint = float(d.strength[b.last + 1 :].max(initial=0.0))
    if faint >= 0.5:
        conf *= 1.0 - 0.5 * (min(faint, 1.0) - 0.4)
        reasons.append("faint changes below the visibility threshold follow the last frame")
    if (not b.first_by_reference and d.by_global[b.first]) or (not b.last_by_reference and d.by_global[b.last]):
        conf *= 0.85
        reasons.append("a gradual whole-screen brightness change (fade) decided a boundary")
    # Judgements a reviewer should confirm: the answer rests on a small area or on a gradual change.
    if (not b.first_by_reference and d.compact_only[b.first]) or (not b.last_by_reference and d.compact_only[b.last]):
        conf = min(conf, AMBIGUOUS)
        reasons.append("only a small area changed at the first or last frame (a pointer, a glyph, a thin bar)")
    if b.first_by_reference or b.last_by_reference:
        conf = min(conf, AMBIGUOUS)
        which = " and ".join(w for w, by in (("first", b.first_by_reference), ("last", b.last_by_reference)) if by)
        reasons.append(
            f"the {which} frame was decided against the initial or final picture: the change there is gradual"
            " (a slow fade, glow, slide or settling scroll)"
        )
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
    m, warnings, kept = _merge(grid, segments)
    warnings = list(probe.warnings) + warnings
    t, numbers = m["pts"], m["frame_number"]
    starts = touch_starts(m["touch"], t)
    bridge_gaps(grid, m["touch"], starts, m["structural"], m["shift"], m["compact"])
    overlay = PointerOverlay(m["touch"], starts)
    overlay.clear_drawings(grid, m["structural"], m["compact"], m["shift"])
    d = detect(
        grid,
        t,
        m["structural"],
        m["compact"],
        m["shift"],
        m["global_shift"],
        scale=options.threshold_scale,
        always_changing=options.detect_always_changing,
    )
    final = max(segments, key=lambda s: s.segment.start_frame).last_image
    b = _with_references(grid, d, kept, final, m["touch"], overlay)
    ignored = [IgnoredRegion(r, why) for r, why in grid.ignored]
    ignored += [
        IgnoredRegion(Region(*(round(v, 4) for v in rect)), "always_changing")
        for rect in zone_rects(grid, d.persistent)
    ]
    noise = float(np.median(m["noise"])) if len(t) else 0.0
    confidence, reasons = _confidence(d, b, t, noise, warnings)
    first = last = None
    first_c: list[FrameMark] = []
    last_c: list[FrameMark] = []
    if b.first is not None and b.last is not None:
        first = FrameMark(int(numbers[b.first]), float(t[b.first]), _score(b.first_ratio))
        last = FrameMark(int(numbers[b.last]), float(t[b.last]), _score(b.last_ratio))
        window = max(3, round(CANDIDATE_WINDOW * (probe.fps or 30)))
        first_c = _candidates(b.first, True, window, d.strength, t, numbers)
        last_c = _candidates(b.last, False, window, d.strength, t, numbers)
        first_c[0], last_c[0] = first, last
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
