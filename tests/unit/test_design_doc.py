"""docs/design.md and docs/design.zh-CN.md stay true: every path, command and endpoint they name exists."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from frame_metric.api.openapi import openapi_document
from frame_metric.cli.main import build_parser

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "docs" / "design.md", ROOT / "docs" / "design.zh-CN.md"]
PATH_PREFIXES = ("layers/", "functions/", "infra/", "tests/", "bench/", "docs/", "template.yaml",
                 "samconfig.toml", "pyproject.toml", "Makefile", "package.json")
BACKTICKED = re.compile(r"`([^`\n]+)`")
ENDPOINT = re.compile(r"\b(GET|POST|PUT|DELETE|PATCH) (/api/v1/[^\s`?,|\"]*)")


def _tokens(text: str) -> list[str]:
    return [token.strip() for token in BACKTICKED.findall(text)]


def repo_paths(text: str) -> set[str]:
    paths = set()
    for token in _tokens(text):
        word = token.split()[0] if token.split() else ""
        if "/" in word and word.startswith(PATH_PREFIXES):
            paths.add(word.rstrip(".,;:)"))
    return paths


def endpoints(text: str) -> set[tuple[str, str]]:
    return {(method, path.rstrip(".,;:)")) for method, path in ENDPOINT.findall(text)}


def cli_subcommands() -> set[str]:
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    raise AssertionError("the CLI has no subcommands")


def make_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Za-z0-9_.-]+):", text, flags=re.MULTILINE))


@pytest.fixture(scope="module", params=DOCS, ids=lambda p: p.name)
def doc(request: pytest.FixtureRequest) -> str:
    return request.param.read_text(encoding="utf-8")


def test_named_paths_exist(doc: str) -> None:
    paths = repo_paths(doc)
    assert paths
    missing = sorted(p for p in paths if not (ROOT / p.rstrip("/")).exists())
    assert not missing, missing


def test_named_commands_exist(doc: str) -> None:
    subcommands, targets = cli_subcommands(), make_targets()
    tokens = _tokens(doc)
    commands = [t.split()[1] for t in tokens if t.startswith("frame-metric ") and len(t.split()) > 1]
    makes = [t.split()[1] for t in tokens if t.startswith("make ") and len(t.split()) > 1]
    assert commands and makes
    assert sorted(set(commands) - subcommands) == []
    assert sorted(set(makes) - targets) == []


def test_named_endpoints_exist(doc: str) -> None:
    spec = openapi_document()["paths"]
    named = endpoints(doc)
    assert named
    missing = sorted(f"{m} {p}" for m, p in named if m.lower() not in spec.get(p, {}))
    assert not missing, missing


def test_flows_are_mermaid_diagrams(doc: str) -> None:
    assert doc.count("```mermaid") >= 3


def test_both_languages_name_the_same_things() -> None:
    english, chinese = (d.read_text(encoding="utf-8") for d in DOCS)
    assert repo_paths(chinese) == repo_paths(english)
    assert endpoints(chinese) == endpoints(english)


def test_readme_links_both_documents() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/design.md)" in readme and "(docs/design.zh-CN.md)" in readme
