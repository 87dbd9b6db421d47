"""First and last frame within one frame of the rendered truth, across the hard cases."""

from __future__ import annotations

from typing import Any

import av
import pytest

from frame_metric.analysis import AnalysisOptions, AnalysisResult, Region, analyze_video
from frame_metric.samples.scene import Scene

from .conftest import MakeRecording

# name: (generate_app_launch options, whether the engine should be sure of itself)
SCENARIOS: dict[str, tuple[dict[str, Any], bool]] = {
    "30fps": ({}, True),
    "60fps": ({"fps": 60.0}, True),
    "variable_frame_rate": ({"variable_frame_rate": True}, True),
    "variable_frame_rate_60fps": ({"variable_frame_rate": True, "fps": 60.0, "seconds": 2.8, "seed": 3}, True),
    "h264_low_bitrate": ({"bit_rate": 150_000}, True),
    "mpeg4_part2_low_bitrate": ({"codec": "mpeg4", "bit_rate": 150_000}, True),
    "b_frames_short_gop": ({"gop": 12, "bframes": 3}, True),
    "slow_fade_in": ({"fade": 0.8, "load_seconds": 1.2, "seconds": 3.2}, False),
    "slow_fade_in_60fps": ({"fade": 0.6, "fps": 60.0}, False),
    "steps_with_pauses": ({"steps": 5, "step_pause": 0.3, "load_seconds": 2.0, "seconds": 4.0}, True),
    "small_late_change": ({"small_late_change": True}, True),
    "isoluminant_colour_change": ({"isoluminant": True}, True),
    "camera_noise_and_flicker": ({"noise": 4.0, "flicker": 0.03}, False),
    "blinking_cursor": ({"cursor": True, "seconds": 3.2}, True),
    "looping_banner": ({"banner": True}, True),
    "slow_zoom_from_icon": ({"zoom_seconds": 0.5, "load_seconds": 1.2, "seconds": 3.2}, True),
    "landscape": ({"landscape": True}, True),
    "landscape_banner_60fps": ({"landscape": True, "banner": True, "fps": 60.0}, True),
}


def presentation_times(path: Any) -> list[float]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        pts = sorted(p.pts for p in container.demux(stream) if p.size)
        return [float(p * stream.time_base) for p in pts]


def assert_close_to_truth(result: AnalysisResult, truth: Any, path: Any) -> None:
    d = result.to_dict()
    assert d["first_frame"] is not None and d["last_frame"] is not None, d["review_reasons"]
    first, last = d["first_frame"]["frame_number"], d["last_frame"]["frame_number"]
    assert abs(first - truth.first_frame) <= 1, (first, truth)
    assert abs(last - truth.last_frame) <= 1, (last, truth)
    times = presentation_times(path)  # timestamps are PTS, whatever the frame rate does
    assert d["first_frame"]["timestamp"] == pytest.approx(times[first], abs=1e-9)
    assert d["last_frame"]["timestamp"] == pytest.approx(times[last], abs=1e-9)
    assert d["duration"] == pytest.approx(times[last] - times[first], abs=1e-6)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_first_and_last_frame_within_one_frame(recording: MakeRecording, name: str) -> None:
    options, sure = SCENARIOS[name]
    path, truth = recording(**options)
    result = analyze_video(path)
    assert_close_to_truth(result, truth, path)
    if sure:
        assert not result.needs_review, result.review_reasons
        assert result.confidence >= 0.7


def test_variable_frame_rate_timestamps_are_exact_pts(recording: MakeRecording) -> None:
    path, truth = recording(variable_frame_rate=True)
    d = analyze_video(path).to_dict()
    assert d["video"]["variable_frame_rate"] is True
    assert d["first_frame"]["frame_number"] == truth.first_frame
    assert d["last_frame"]["timestamp"] == pytest.approx(truth.last_timestamp, abs=1e-9)
    # index / fps would be wrong here: frames are emitted irregularly, like Android screenrecord
    assert abs(truth.last_frame / d["video"]["fps"] - truth.last_timestamp) > 0.01


@pytest.mark.parametrize("name, expected_y", [("cursor", (0.0, 0.2)), ("banner", (0.1, 0.4))])
def test_always_changing_regions_are_left_out_and_reported(
    recording: MakeRecording, name: str, expected_y: tuple[float, float]
) -> None:
    path, truth = recording(**{name: True}, seconds=3.2)
    d = analyze_video(path).to_dict()
    changing = [r for r in d["ignored_regions"] if r["reason"] == "always_changing"]
    assert changing, d["ignored_regions"]
    assert any(expected_y[0] <= r["y"] + r["h"] / 2 <= expected_y[1] for r in changing), changing
    assert d["last_frame"]["frame_number"] == pytest.approx(truth.last_frame, abs=1)


def test_status_bar_clock_is_ignored_by_default_and_seen_when_asked(recording: MakeRecording) -> None:
    path, truth = recording()
    default = analyze_video(path).to_dict()
    assert default["ignored_regions"][0]["reason"] == "status_bar"
    assert default["last_frame"]["frame_number"] == truth.last_frame
    with_clock = analyze_video(path, AnalysisOptions(ignore_status_bar=False)).to_dict()
    # the clock ticks every second: at 2.0 s (frame 60) it is the last thing that changes
    assert with_clock["last_frame"]["frame_number"] == 60


def test_user_region_hides_the_late_badge(recording: MakeRecording) -> None:
    path, truth = recording(small_late_change=True)
    cx, cy, r = Scene(360, 800, None).badge
    region = Region((cx - 2 * r) / 360, (cy - 2 * r) / 800, 4 * r / 360, 4 * r / 800)
    d = analyze_video(path, AnalysisOptions(ignore=(region,))).to_dict()
    assert {"reason": "user", **region.to_dict()} in d["ignored_regions"]
    # the main content completed 0.3 s (9 frames) before the badge appeared
    assert d["last_frame"]["frame_number"] == pytest.approx(truth.last_frame - 9, abs=1)


def test_isoluminant_change_is_invisible_to_luma(recording: MakeRecording) -> None:
    """The scenario really is isoluminant: the last change barely moves Y, only U/V."""
    path, truth = recording(isoluminant=True)
    scene = Scene(360, 800, None)
    x0, y0, x1, y1 = scene.button
    with av.open(str(path)) as container:
        frames = [
            f.to_ndarray(format="yuv444p").astype(int)
            for i, f in enumerate(container.decode(video=0))
            if i in (truth.last_frame - 1, truth.last_frame)
        ]
    before, after = (f[:, y0 + 4 : y1 - 4, x0 + 4 : x1 - 4] for f in frames)
    assert abs(after[0] - before[0]).mean() < 1.5  # luma
    assert abs(after[1:] - before[1:]).mean() > 30  # chroma
    assert analyze_video(path).to_dict()["last_frame"]["frame_number"] == pytest.approx(truth.last_frame, abs=1)


def test_candidates_surround_the_chosen_frames(recording: MakeRecording) -> None:
    path, truth = recording(steps=5, step_pause=0.3, load_seconds=2.0, seconds=4.0)
    d = analyze_video(path).to_dict()
    for key in ("first", "last"):
        candidates = d[f"{key}_candidates"]
        assert 2 <= len(candidates) <= 5
        assert candidates[0] == d[f"{key}_frame"]
        assert all(0.0 <= c["score"] <= 1.0 for c in candidates)
    # the previous loading step settled 0.3 s (9 frames) before the last one: a sensible alternative
    assert truth.last_frame - 9 in [c["frame_number"] for c in d["last_candidates"]]
