"""Every interaction of a multi-action recording timed within one frame of the rendered truth."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from frame_metric.analysis import AnalysisOptions, analyze_video
from frame_metric.analysis.actions import Action, build_actions, quiet_starts, touch_starts
from frame_metric.analysis.touch import find_touch
from frame_metric.samples.interactions import (
    Interaction,
    InteractionsTruth,
    draw_touch_indicator,
    generate_interactions,
)

# Taps and swipes, responses 0-600 ms, finishes 0-2.5 s, an ignored tap; positions over light
# cards, coloured sheets, the app bar and dark text.
SCRIPT = [
    Interaction(0.4, "tap", response=0.1, finish=0.4, x=0.5, y=0.5),
    Interaction(1.9, "swipe", response=0.05, finish=1.0, x=0.6, y=0.8),
    Interaction(4.2, "tap", ignored=True, x=0.3, y=0.3),
    Interaction(5.2, "tap", response=0.0, finish=0.0, x=0.7, y=0.4),
    Interaction(6.3, "tap", response=0.6, finish=2.5, x=0.25, y=0.12),
]
SHORT = [
    Interaction(0.3, "tap", response=0.2, finish=0.3, x=0.4, y=0.45),
    Interaction(1.6, "swipe", response=0.08, finish=0.6, x=0.5, y=0.75),
    Interaction(3.6, "tap", ignored=True, x=0.6, y=0.3),
]
CASES: dict[str, dict[str, Any]] = {
    "30fps": {"script": SCRIPT},
    "60fps": {"script": SHORT, "fps": 60.0},
    "variable_frame_rate": {"script": SCRIPT, "variable_frame_rate": True, "seed": 2},
    "variable_frame_rate_60fps": {"script": SHORT, "fps": 60.0, "variable_frame_rate": True, "seed": 5},
    # "Show taps" has one size in dp: in landscape it is the same fraction of the short side (the
    # height), less than half as wide a fraction of the frame's width
    "landscape": {"script": SHORT, "width": 800, "height": 360},
}


Made = dict[str, tuple[Path, InteractionsTruth]]


def generate_cases(folder: Path, cases: dict[str, dict[str, Any]], **drawn: bool) -> Made:
    """Each case's recording in `folder` and its truth; drawn: how touches are drawn (generate_interactions)."""
    out = {}
    for name, case in cases.items():
        path = folder / f"{name}.mp4"
        out[name] = (path, generate_interactions(path, **case, **drawn))
    return out


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, InteractionsTruth]]:
    return generate_cases(tmp_path_factory.mktemp("interactions"), CASES)


def _frame(mark: dict[str, Any] | None) -> int | None:
    return None if mark is None else mark["frame_number"]


def assert_actions_match(actions: list[dict[str, Any]], truth: InteractionsTruth) -> None:
    assert len(actions) == len(truth.actions), [(_frame(a["operation"]), _frame(a["response"])) for a in actions]
    for got, want in zip(actions, truth.actions, strict=True):
        assert got["operation"]["source"] == "touch_indicator"
        for key in ("operation", "response", "finish", "end"):
            expected = getattr(want, key)
            if expected is None:
                assert got[key] is None, (key, got, want)
                continue
            assert got[key] is not None, (key, got, want)
            assert abs(got[key]["frame_number"] - expected.frame_number) <= 1, (key, got, want)
            # Timestamps are the frames' PTS, whatever the frame rate does.
            assert got[key]["timestamp"] == pytest.approx(truth.timestamps[got[key]["frame_number"]], abs=1e-6)
        if want.response is None:
            assert got["response_time"] is None and got["finish_time"] is None
        else:
            assert got["response_time"] == pytest.approx(
                got["response"]["timestamp"] - got["operation"]["timestamp"], abs=1e-6
            )
            assert got["finish_time"] >= got["response_time"] >= 0


@pytest.mark.parametrize("name", list(CASES))
def test_every_action_within_one_frame(made: dict[str, tuple[Path, InteractionsTruth]], name: str) -> None:
    path, truth = made[name]
    result = analyze_video(path)
    d = json.loads(json.dumps(result.to_dict()))
    assert [a["index"] for a in d["actions"]] == list(range(1, len(truth.actions) + 1))
    assert_actions_match(d["actions"], truth)


def assert_segments_agree(path: Path) -> None:
    """Cut into segments of 40 frames, the video gives the same actions and first/last frames."""
    whole = analyze_video(path).to_dict()
    cut = analyze_video(path, segment_frames=40).to_dict()
    assert cut["actions"] == whole["actions"]
    assert (cut["first_frame"], cut["last_frame"]) == (whole["first_frame"], whole["last_frame"])


def test_segments_give_the_same_actions(made: dict[str, tuple[Path, InteractionsTruth]]) -> None:
    assert_segments_agree(made["30fps"][0])


def test_the_indicator_is_never_a_change(made: dict[str, tuple[Path, InteractionsTruth]]) -> None:
    """The whole-video first frame is the app's first reaction, not the finger landing."""
    path, truth = made["30fps"]
    d = analyze_video(path).to_dict()
    assert abs(d["first_frame"]["frame_number"] - truth.actions[0].response.frame_number) <= 1
    ignored = d["actions"][2]
    assert ignored["response"] is None and ignored["finish"] is None


def test_without_indicator_actions_split_on_quiet_periods(tmp_path: Path) -> None:
    script = [
        Interaction(0.3, "tap", response=0.1, finish=0.3),
        Interaction(2.0, "tap", response=0.05, finish=0.5, y=0.3),
    ]
    truth = generate_interactions(tmp_path / "plain.mp4", script, show_taps=False, seconds=3.5)
    d = analyze_video(tmp_path / "plain.mp4").to_dict()
    assert len(d["actions"]) == 2
    for got, want in zip(d["actions"], truth.actions, strict=True):
        assert got["operation"] is None and got["response_time"] is None and got["finish_time"] is None
        assert abs(got["response"]["frame_number"] - want.response.frame_number) <= 1
        assert abs(got["finish"]["frame_number"] - want.finish.frame_number) <= 1
    # A quiet period longer than the pause between them makes them one interaction.
    merged = analyze_video(tmp_path / "plain.mp4", AnalysisOptions(quiet_period=2.0)).to_dict()
    assert len(merged["actions"]) == 1


def test_a_still_video_has_no_actions(tmp_path: Path) -> None:
    generate_interactions(tmp_path / "still.mp4", [], seconds=1.0)
    assert analyze_video(tmp_path / "still.mp4").to_dict()["actions"] == []


def test_touch_detector_finds_the_indicator_on_light_mid_and_dark_screens() -> None:
    for level in (250, 180, 120, 30):
        img = np.full((800, 360, 3), level, np.uint8)
        img[400:, :180] = 255 - level  # another shade under part of the search
        draw_touch_indicator(img, 200.0, 300.0)
        grey = np.asarray(Image.fromarray(img[..., 1]).resize((160, 356), Image.Resampling.BOX))
        row = find_touch(grey)
        assert row[0] > 0, level
        assert row[1] == pytest.approx(200 / 360, abs=0.015) and row[2] == pytest.approx(300 / 800, abs=0.01)


def test_touch_detector_ignores_solid_dots_squares_and_bars() -> None:
    img = np.full((356, 160), 240, np.uint8)
    yy, xx = np.ogrid[:356, :160]
    img[(yy - 60) ** 2 + (xx - 40) ** 2 <= 25] = 255  # a light dot on a lighter ring of background
    img[(yy - 60) ** 2 + (xx - 40) ** 2 > 25] = 40  # ... on a dark screen
    img[150:180, 60:90] = 200
    img[158:172, 68:82] = 255  # a light square in a darker square
    img[250:253, 20:140] = 30  # a text line
    assert find_touch(img)[0] == 0


def test_touch_starts_bridge_a_missed_frame_and_split_real_gaps() -> None:
    t = np.arange(20) / 30
    touch = np.zeros((20, 4), np.float32)
    touch[[2, 3, 5, 6, 12, 13], 0] = 20.0
    assert touch_starts(touch, t) == [2, 12]
    changed = np.zeros(20, bool)
    changed[[1, 2, 9, 10]] = True
    assert quiet_starts(changed, t, 0.2) == [1, 9]


def test_action_json_round_trips() -> None:
    t = np.arange(10) / 10
    strength = np.zeros(10, np.float32)
    strength[[3, 5]] = 4.0
    (action,) = build_actions(t, np.arange(10), strength, [2], "mark")
    d = action.to_dict()
    assert d["operation"] == {"frame_number": 2, "timestamp": 0.2, "source": "mark"}
    assert d["response_time"] == pytest.approx(0.1) and d["finish_time"] == pytest.approx(0.3)
    assert Action.from_dict(d) == action
