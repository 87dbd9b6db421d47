"""docs/security.md stays true: the files, tests, flags and settings it names exist."""

from __future__ import annotations

import re
from pathlib import Path

from frame_metric.cli.main import build_parser
from tests.unit.test_design_doc import ROOT, repo_paths

DOC = ROOT / "docs" / "security.md"


def _serve_flags() -> set[str]:
    """serve's own options and the global ones (--api-key is given before or after the command)."""
    parser = build_parser()
    for action in parser._actions:
        choices = getattr(action, "choices", None)
        if isinstance(choices, dict) and "serve" in choices:
            return {flag for option in [*parser._actions, *choices["serve"]._actions] for flag in option.option_strings}
    raise AssertionError("no serve command")


def test_every_path_it_names_exists() -> None:
    paths = repo_paths(DOC.read_text())
    assert len(paths) >= 8
    for path in paths:
        assert (ROOT / path.split("::")[0]).exists(), path


def test_every_serve_flag_and_setting_it_names_exists() -> None:
    text = DOC.read_text()
    flags = set(re.findall(r"`(--[a-z0-9-]+)", text)) | set(re.findall(r"serve (--[a-z0-9-]+)", text))
    assert {"--s3-endpoint", "--dynamodb-endpoint", "--host", "--api-key"} <= flags
    assert flags <= _serve_flags()
    code = "".join(path.read_text() for path in (ROOT / "layers/core/frame_metric").rglob("*.py"))
    for setting in set(re.findall(r"FRAME_METRIC_[A-Z0-9_]+", text)):
        assert f'"{setting}"' in code, setting


def test_the_tests_it_names_have_the_tests_it_names() -> None:
    for path, name in re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", DOC.read_text()):
        assert f"def {name}(" in Path(ROOT / path).read_text(), (path, name)
