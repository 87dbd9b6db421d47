"""Probe, segment plan, per-segment features and their merge: the pipeline's steps on their own."""

from __future__ import annotations

import dataclasses
import itertools
import json
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from frame_metric.analysis import (
    AnalysisOptions,
    SegmentFeatures,
    VideoProbe,
    analyse_segment,
    analyze_video,
    plan_segments,
    probe_video,
    select_boundaries,
)
from frame_metric.analysis.probe import _clean_keyframes
from frame_metric.analysis.references import HEAD_FRAMES, TAIL_FRAMES

from .conftest import MakeRecording


def test_probe_reads_the_stream_without_decoding_it(recording: MakeRecording) -> None:
    path, truth = recording(gop=15)
    probe = probe_video(path)
    assert (probe.width, probe.height, probe.frame_count) == (360, 800, truth.frame_count)
    assert probe.fps == pytest.approx(30.0) and probe.duration == pytest.approx(3.0)
    assert probe.codec == "h264" and not probe.variable_frame_rate and not probe.truncated
    assert [k[0] for k in probe.keyframes][:3] == [0, 15, 30]
    assert VideoProbe.from_dict(json.loads(json.dumps(probe.to_dict()))) == probe


def test_probe_flags_variable_frame_rate(recording: MakeRecording) -> None:
    path, _ = recording(variable_frame_rate=True)
    assert probe_video(path).variable_frame_rate


def _constant_rate_in_milliseconds(path: Path, frames: int = 120) -> None:
    """60 fps stamped in milliseconds (16, 17, 17, 16... ms apart); the MP4 muxer keeps them in a finer
    time base (1/16000 s: steps of 256 and 272 ticks)."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=60)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        stream.time_base = stream.codec_context.time_base = Fraction(1, 1000)
        for i in range(frames):
            frame = av.VideoFrame.from_ndarray(np.full((64, 64, 3), i * 2, np.uint8), format="rgb24")
            frame.pts, frame.time_base = round(i * 1000 / 60), Fraction(1, 1000)
            out.mux(stream.encode(frame))
        out.mux(stream.encode())


def test_constant_rate_rounded_to_a_coarser_clock_is_not_variable(tmp_path: Path) -> None:
    path = tmp_path / "cfr-ms.mp4"
    _constant_rate_in_milliseconds(path)
    probe = probe_video(path)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        steps = set(np.diff(sorted(p.pts for p in container.demux(stream) if p.size)).tolist())
    assert len(steps) == 2  # the alternating steps the flag must see through
    assert not probe.variable_frame_rate
    assert round(probe.fps) == 60


def test_probe_stays_small_for_a_ten_minute_60fps_video() -> None:
    n = 10 * 60 * 60
    for key_every in (1, 60):  # all-intra, and a keyframe a second
        pts = np.arange(n, dtype=np.int64) * 1500
        keys = _clean_keyframes(pts, np.arange(n) % key_every == 0)
        probe = VideoProbe(1080, 2400, n, 60.0, 600.0, False, "h264", "1/90000", 0.0, tuple(keys))
        assert len(json.dumps(probe.to_dict())) < 100_000


def test_open_gop_keyframes_are_not_split_points() -> None:
    # decode order: I(pts 3) B(1) B(2) -- the B frames are shown before their keyframe
    pts = np.array([0, 3, 1, 2, 6, 4, 5])
    keys = np.array([True, True, False, False, True, False, False])
    assert [k[0] for k in _clean_keyframes(pts, keys)] == [0]


def test_plan_segments_splits_at_keyframes_within_the_limit(recording: MakeRecording) -> None:
    path, truth = recording(gop=15)
    probe = probe_video(path)
    keyframes = {k[0] for k in probe.keyframes}
    for limit in (10, 15, 40, 3600):
        segments = plan_segments(probe, limit)
        assert segments[0].start_frame == 0 and segments[-1].end_frame == truth.frame_count
        for a, b in itertools.pairwise(segments):
            assert a.end_frame == b.start_frame and b.start_frame in keyframes
        assert all(s.frame_count <= max(limit, 15) for s in segments)
        assert [s.index for s in segments] == list(range(len(segments)))
    assert len(plan_segments(probe, 3600)) == 1


@pytest.mark.parametrize(
    "options",
    [
        {"gop": 15},
        {"gop": 12, "codec": "mpeg4", "cursor": True},
        {"gop": 10, "fps": 60.0, "bframes": 3, "variable_frame_rate": True},
    ],
)
def test_merged_segments_equal_the_single_segment_result(recording: MakeRecording, options: dict) -> None:
    path, _ = recording(**options)
    single = analyze_video(path)
    for limit in (10, 25):
        merged = analyze_video(path, segment_frames=limit)
        assert merged.to_dict() == single.to_dict()
        assert list(merged.frames()) == list(single.frames())


def test_segments_in_parallel_processes_give_the_same_result(recording: MakeRecording) -> None:
    path, _ = recording(gop=15)
    assert analyze_video(path, segment_frames=30, workers=2).to_dict() == analyze_video(path).to_dict()


def test_steps_pass_only_serialisable_data(recording: MakeRecording) -> None:
    """probe -> plan -> analyse each segment -> select, through JSON and bytes like the pipeline."""
    path, truth = recording(gop=15, small_late_change=True)
    options = AnalysisOptions.from_dict(json.loads(json.dumps(AnalysisOptions().to_dict())))
    probe = VideoProbe.from_dict(json.loads(json.dumps(probe_video(path).to_dict())))
    stored = []
    for segment in plan_segments(probe, 30):
        calls: list[tuple[int, int]] = []
        features = analyse_segment(path, probe, segment, options, progress=lambda d, t, c=calls: c.append((d, t)))
        assert calls[-1] == (segment.frame_count, segment.frame_count)
        stored.append(features.to_bytes())
        # Per-frame features: static stretches compress to almost nothing. Kept images for the
        # reference comparisons are bounded in number (references.py), whatever the segment's length.
        assert len(features.head_rows) <= HEAD_FRAMES and len(features.tail_rows) <= TAIL_FRAMES
        no_images = dataclasses.replace(
            features, head_images=features.head_images[:0], tail_images=features.tail_images[:0]
        )
        assert len(no_images.to_bytes()) < 50_000
    result = select_boundaries(probe, [SegmentFeatures.from_bytes(b) for b in reversed(stored)], options)
    assert result.to_dict() == analyze_video(path).to_dict()
    assert result.to_dict()["last_frame"]["frame_number"] == truth.last_frame


def test_progress_reaches_the_frame_count(recording: MakeRecording) -> None:
    path, truth = recording(gop=15)
    seen: list[tuple[int, int]] = []
    analyze_video(path, progress=lambda done, total: seen.append((done, total)), segment_frames=30)
    assert seen[-1] == (truth.frame_count, truth.frame_count)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
