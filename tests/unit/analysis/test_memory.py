"""Bounded memory: a long recording costs only its per-frame features (bytes), never frames."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

from frame_metric.analysis import AnalysisOptions, analyze_video
from frame_metric.analysis.changes import make_grid
from frame_metric.analysis.references import HEAD_FRAMES, TAIL_FRAMES

from .conftest import MakeRecording


def peak_bytes(path: Path) -> int:
    tracemalloc.start()
    try:
        analyze_video(path)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_peak_memory_grows_by_features_not_frames(recording: MakeRecording) -> None:
    short, short_truth = recording(width=180, height=400, seconds=3.0, gop=30)
    long, long_truth = recording(width=180, height=400, seconds=15.0, gop=30, tap_at=8.0)
    peak_bytes(short)  # warm-up: imports, codec tables
    extra_frames = long_truth.frame_count - short_truth.frame_count
    growth = peak_bytes(long) - peak_bytes(short)
    # Per-frame features are ~1 KB; beyond them only a bounded number of small images is kept for the
    # reference comparisons (references.py), the same for a 10-minute video as for this one.
    grid = make_grid(180, 400, AnalysisOptions())
    kept_images = (HEAD_FRAMES + TAIL_FRAMES) * grid.width * grid.height * 3 // 2
    per_frame = (growth - kept_images) / extra_frames
    assert per_frame < 4_000, f"{per_frame:.0f} bytes per extra frame"
