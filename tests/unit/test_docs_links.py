"""The README and docs/*.md stay navigable: every relative link names a file of the repository and,
with a #fragment, a heading of that page (GitHub's anchor rules); no page points outside the repo."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")
FENCE = re.compile(r"```.*?```", re.S)


def anchors(page: Path) -> set[str]:
    found = set()
    for line in FENCE.sub("", page.read_text(encoding="utf-8")).splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            found.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return found


def links(page: Path) -> list[str]:
    return [target for target in LINK.findall(FENCE.sub("", page.read_text(encoding="utf-8")))
            if not target.startswith(("http://", "https://", "mailto:"))]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_relative_links_resolve(page: Path) -> None:
    for target in links(page):
        path, _, fragment = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        assert resolved.is_relative_to(ROOT), f"{page.name}: {target} points outside the repository"
        assert resolved.exists(), f"{page.name}: {target} does not exist"
        if fragment and resolved.suffix == ".md":
            assert fragment in anchors(resolved), f"{page.name}: no heading for #{fragment} in {resolved.name}"


def test_readme_is_a_five_minute_read_with_prerequisites_first() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 300
    headings = [line for line in readme.splitlines() if line.startswith("## ")]
    assert headings[:2] == ["## Prerequisites", "## Quick start"]
    for needed in ("Python", "3.12", "Node.js", "20+", "Java", "17+", "sudo"):
        assert needed in readme.split("## Quick start")[0], needed
    for op in ("`lt`", "`le`", "`gt`", "`ge`", "`eq`"):
        assert op in readme
