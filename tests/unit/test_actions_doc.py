"""docs/actions.md stays true: the endpoints, paths, options and CLI flags it names exist."""

from __future__ import annotations

from pathlib import Path

from frame_metric.analysis import AnalysisOptions
from frame_metric.api.openapi import openapi_document
from frame_metric.cli.main import build_parser
from frame_metric.videos.schemas import AnalysisOptionsRequest
from tests.unit.test_design_doc import endpoints, repo_paths

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "actions.md").read_text(encoding="utf-8")


def test_endpoints_and_paths_exist() -> None:
    spec = openapi_document()["paths"]
    named = endpoints(DOC)
    assert len(named) >= 3
    assert sorted(f"{m} {p}" for m, p in named if m.lower() not in spec.get(p, {})) == []
    paths = repo_paths(DOC)
    assert "bench/actions_picture.py" in paths
    assert sorted(p for p in paths if not (ROOT / p).exists()) == []
    assert (ROOT / "docs" / "images" / "actions.png").is_file()
    assert (ROOT / "docs" / "images" / "actions_pointer_location.png").is_file() and "pointer_location" in DOC


def test_options_and_flags_exist() -> None:
    for option in ("quiet_period", "touch_indicator"):
        assert f"`{option}" in DOC or f'"{option}"' in DOC
        assert option in AnalysisOptions.__dataclass_fields__ and option in AnalysisOptionsRequest.model_fields
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]

    def flags(command: str) -> set[str]:
        return {flag for action in commands[command]._actions for flag in action.option_strings}

    assert {"--quiet-period", "--no-touch-indicator"} <= flags("analyze") and "--quiet-period" in DOC
    assert "--quiet-period" in flags("upload") and "--record" in flags("run")
