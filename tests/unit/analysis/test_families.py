"""The changes a frame-to-frame engine missed on real recordings: synthetic reproductions of each
failure family and real Chromium recordings (tests/fixtures/recordings), each within one frame of
its truth, with confidence that says when the answer rests on a judgement."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from frame_metric.analysis import AnalysisResult, analyze_video
from frame_metric.analysis.select import REVIEW_BELOW
from frame_metric.samples.families import FAMILIES, generate_family

RECORDINGS = Path(__file__).parents[2] / "fixtures" / "recordings"
REAL = sorted(p.stem for p in RECORDINGS.glob("*.mp4"))


def frames_of(result: AnalysisResult) -> tuple[int, int]:
    d = result.to_dict()
    assert d["first_frame"] and d["last_frame"], d["review_reasons"]
    return d["first_frame"]["frame_number"], d["last_frame"]["frame_number"]


@pytest.mark.parametrize("family", FAMILIES)
def test_failure_family_within_one_frame(tmp_path: Path, family: str) -> None:
    path = tmp_path / f"{family}.mp4"
    truth = generate_family(path, family)
    result = analyze_video(path)
    first, last = frames_of(result)
    assert abs(first - truth.first_frame) <= 1, (first, truth)
    assert abs(last - truth.last_frame) <= 1, (last, truth)
    if family in ("typed_glyph", "scrollbar", "slow_glow", "background_step"):
        # a glyph-sized change, a gradual settle or a uniform step decided a boundary: a judgement
        assert result.needs_review and result.confidence < REVIEW_BELOW, result.review_reasons


@pytest.mark.parametrize("name", REAL)
def test_real_recording_within_one_frame(name: str) -> None:
    truth = json.loads((RECORDINGS / f"{name}.json").read_text())
    result = analyze_video(RECORDINGS / f"{name}.mp4")
    first, last = frames_of(result)
    assert abs(first - truth["first_frame"]) <= 1, (first, truth)
    assert abs(last - truth["last_frame"]) <= 1, (last, truth)
    assert result.video.variable_frame_rate  # screencast frames come when the page changes


def test_real_fixtures_are_small() -> None:
    assert REAL, "no real recordings found"
    for path in RECORDINGS.glob("*.mp4"):
        assert path.stat().st_size < 1_000_000, path


def test_gradual_glow_is_flagged_for_review() -> None:
    result = analyze_video(RECORDINGS / "rising_glow.mp4")
    assert result.needs_review and result.confidence < REVIEW_BELOW
    assert any("initial or final picture" in r for r in result.review_reasons), result.review_reasons


def test_unknown_family_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown family"):
        generate_family(tmp_path / "x.mp4", "sparkles")
