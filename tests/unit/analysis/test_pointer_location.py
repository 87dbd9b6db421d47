"""Android's "Pointer location" crosshair starts each interaction, within one frame of the truth, and
its lines, trail and text bar never count as the app changing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from frame_metric.analysis import analyze_video
from frame_metric.analysis.crosshair import find_crosshair
from frame_metric.samples.interactions import InteractionsTruth, draw_pointer_location
from tests.unit.analysis.test_actions import SCRIPT, SHORT, assert_actions_match, assert_segments_agree, generate_cases

CASES: dict[str, dict[str, Any]] = {
    "30fps": {"script": SCRIPT},
    "60fps": {"script": SHORT, "fps": 60.0},
    "variable_frame_rate": {"script": SCRIPT, "variable_frame_rate": True, "seed": 3},
    "variable_frame_rate_60fps": {"script": SHORT, "fps": 60.0, "variable_frame_rate": True, "seed": 5},
    # A 1 px line on a 720 px wide screen: thinner, relative to the screen, than a phone's 2 px at 1080.
    "thin_lines": {"script": SHORT, "width": 720, "height": 1600},
    "with_show_taps": {"script": SHORT, "show_taps": True},  # both on: the crosshair is taken
}


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, InteractionsTruth]]:
    return generate_cases(tmp_path_factory.mktemp("pointer_location"),
                          {name: {"show_taps": False, **case} for name, case in CASES.items()}, pointer_location=True)


@pytest.mark.parametrize("name", list(CASES))
def test_every_action_within_one_frame(made: dict[str, tuple[Path, InteractionsTruth]], name: str) -> None:
    path, truth = made[name]
    d = json.loads(json.dumps(analyze_video(path).to_dict()))
    assert_actions_match(d["actions"], truth)


def test_lines_trail_and_text_bar_are_never_a_change(made: dict[str, tuple[Path, InteractionsTruth]]) -> None:
    """The whole video's first frame is the app's first reaction and its last the app's last change,
    not the crosshair appearing, the trail staying after lift-off or the text bar's last figures."""
    path, truth = made["30fps"]
    d = analyze_video(path).to_dict()
    assert abs(d["first_frame"]["frame_number"] - truth.actions[0].response.frame_number) <= 1
    assert abs(d["last_frame"]["frame_number"] - truth.actions[-1].finish.frame_number) <= 1
    ignored = d["actions"][2]
    assert ignored["response"] is None and ignored["finish"] is None


def test_segments_give_the_same_actions(made: dict[str, tuple[Path, InteractionsTruth]]) -> None:
    assert_segments_agree(made["30fps"][0])


def _frame(img: np.ndarray) -> av.VideoFrame:
    return av.VideoFrame.from_ndarray(img, format="rgb24").reformat(format="yuv420p")


@pytest.mark.parametrize("level", [250, 150, 30])
def test_crosshair_found_on_light_mid_and_dark_screens(level: int) -> None:
    img = np.full((2400, 1080, 3), level, np.uint8)
    img[1200:, :540] = 255 - level  # another shade under part of it
    draw_pointer_location(img, 100, (700.0, 900.0), ((700.0, 1100.0), (700.0, 900.0)), (1, 700, 900), line=2)
    row = find_crosshair(_frame(img))
    assert row[0] > 0 and row[3] == 0, level
    assert row[1] == pytest.approx(700 / 1080, abs=2 / 1080) and row[2] == pytest.approx(900 / 2400, abs=2 / 2400)


def test_dividers_text_and_lone_lines_are_no_crosshair() -> None:
    img = np.full((2400, 1080, 3), 250, np.uint8)
    for y in range(300, 2300, 200):
        img[y : y + 2] = (224, 224, 224)  # full-width grey list dividers
    img[1000:1003] = (20, 20, 20)  # one full-width dark line, no column crossing it
    img[1500:1530, 100:900:12] = (30, 30, 30)  # a line of text
    draw_pointer_location(img, 100, None, None, (0, 512, 640))  # the bar is on, no finger down
    assert find_crosshair(_frame(img))[0] == 0


def test_what_the_pointer_leaves_behind_is_cleared_over_the_whole_video() -> None:
    from frame_metric.analysis.actions import touch_starts
    from frame_metric.analysis.changes import make_grid
    from frame_metric.analysis.crosshair import PointerOverlay
    from frame_metric.analysis.options import AnalysisOptions

    grid = make_grid(360, 800, AnalysisOptions())
    touch = np.zeros((30, 4), np.float32)
    touch[[3, 4, 6, 7], :3] = [(9.0, 0.5, 0.8 - 0.05 * k) for k in range(4)]  # a swipe up, frame 5 missed
    touch[20, :3] = (9.0, 0.25, 0.3)  # the next touch-down
    structural = np.full((30, grid.zones), 200, np.uint8)
    overlay = PointerOverlay(touch, touch_starts(touch, np.arange(30) / 30))
    assert overlay.present and overlay.starts == [3, 20]
    overlay.clear_drawings(grid, structural)
    zone_of = lambda x, y: int(y * grid.height) // grid.zone * grid.cols + int(x * grid.width) // grid.zone  # noqa: E731
    assert structural[2, zone_of(0.5, 0.1)] == 0 and structural[2, zone_of(0.05, 0.8)] == 0  # pre-echo of the lines
    assert structural[2, zone_of(0.05, 0.1)] == 200  # off the lines
    assert structural[5, zone_of(0.5, 0.7)] == 0 and structural[5, zone_of(0.5, 0.03)] == 0  # missed: lines, bar
    assert structural[20, zone_of(0.5, 0.75)] == 0  # the swipe's trail vanishes at the next touch-down
    assert structural[19, zone_of(0.5, 0.75)] == 200 and structural[10].min() == 200  # nothing else
    assert overlay.visible(2) is None
    assert overlay.visible(12) == overlay.boxes[0] and overlay.visible(25) == overlay.boxes[1]


@pytest.mark.parametrize("pixels", ["yuv420p", "yuvj420p", "nv12", "yuv444p", "yuv420p10le", "gray", "rgb24"])
def test_crosshair_found_whatever_the_decoder_gives(pixels: str) -> None:
    img = np.full((800, 360, 3), 240, np.uint8)
    draw_pointer_location(img, 32, (200.0, 500.0), None, (1, 200, 500))
    frame = av.VideoFrame.from_ndarray(img, format="rgb24").reformat(format=pixels)
    row = find_crosshair(frame)
    assert row[0] > 0 and row[1] == pytest.approx(200.5 / 360, abs=1.5 / 360)
    assert row[2] == pytest.approx(500.5 / 800, abs=1.5 / 800)
