"""docs/performance.md stays true: its command exists, and what it says was removed stays removed."""

from __future__ import annotations

import json
import re
from pathlib import Path

from frame_metric.videos import waiting

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "performance.md").read_text()


def test_the_one_command_exists() -> None:
    assert "make bench-pipeline" in DOC
    assert re.search(r"^bench-pipeline:.*\n\t.*bench/bench_pipeline\.py", (ROOT / "Makefile").read_text(), re.M)


def test_a_short_video_skips_the_map() -> None:
    assert "`AnalysedByProbe`" in DOC
    states = json.loads((ROOT / "infra" / "statemachine" / "video_pipeline.asl.json").read_text())["States"]
    assert states["Probe"]["Next"] == "AnalysedByProbe"
    choice = states["AnalysedByProbe"]
    assert choice["Type"] == "Choice" and choice["Default"] == "Analyse"
    assert states[choice["Choices"][0]["Next"]]["Next"] == "Finalize"  # Probe selected too: no Select


def test_the_long_poll_is_as_documented() -> None:
    assert f"wait={waiting.MAX_WAIT_SECONDS}&since=TOKEN" in DOC
    assert f"every {waiting.READ_INTERVAL} s" in DOC
