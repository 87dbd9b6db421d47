"""Bounded memory: a long recording costs only its per-frame features (bytes), never frames."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

from frame_metric.analysis import analyze_video

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
    # One small analysis frame alone is 140 x 320 x 1.5 = 67 KB; per-frame features are ~1 KB.
    assert growth / extra_frames < 4_000, f"{growth / extra_frames:.0f} bytes per extra frame"
