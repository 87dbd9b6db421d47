"""The synthetic recordings: ground truth consistent with what a decoder outputs, and quick to make."""

from __future__ import annotations

import time
from pathlib import Path

import av
import pytest

from frame_metric.samples import generate_app_launch


@pytest.mark.parametrize("options", [{}, {"variable_frame_rate": True, "fps": 60.0}, {"codec": "mpeg4"}])
def test_truth_matches_the_decoded_frames(tmp_path: Path, options: dict) -> None:
    path = tmp_path / "clip.mp4"
    truth = generate_app_launch(path, **options)
    with av.open(str(path)) as container:
        frames = list(container.decode(video=0))
    assert len(frames) == truth.frame_count
    assert frames[truth.first_frame].time == pytest.approx(truth.first_timestamp, abs=1e-9)
    assert frames[truth.last_frame].time == pytest.approx(truth.last_timestamp, abs=1e-9)
    assert frames[0].format.name == "yuv420p"
    assert truth.to_dict()["duration"] == pytest.approx(truth.last_timestamp - truth.first_timestamp)


def test_three_seconds_generate_quickly(tmp_path: Path) -> None:
    start = time.perf_counter()
    generate_app_launch(tmp_path / "clip.mp4")
    assert time.perf_counter() - start < 2.0


def test_unknown_scenario_option_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="unknown scenario options"):
        generate_app_launch(tmp_path / "clip.mp4", sparkles=True)
