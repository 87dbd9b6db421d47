"""The built console as `frame-metric serve` hands it out: files, the local config, no escape from dist."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from frame_metric.localcloud import console_site


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    folder = tmp_path / "dist"
    folder.mkdir()
    (folder / "index.html").write_text("<!doctype html><title>console</title>")
    (folder / "app.js").write_text("console.log(1)")
    (folder / "config.json").write_text(json.dumps({"apiUrl": "https://deployed.example.com"}))
    (tmp_path / "secret.txt").write_text("not for the web")
    return folder


def test_console_paths_are_recognised() -> None:
    assert console_site.is_console_path("/console")
    assert console_site.is_console_path("/console/app.js?v=1")
    assert not console_site.is_console_path("/consoles")
    assert not console_site.is_console_path("/api/v1/video/list")


def test_index_assets_and_the_slash_redirect(dist: Path) -> None:
    assert console_site.serve(dist, "/console") == console_site.Reply(301, "text/plain", b"", location="/console/")
    index = console_site.serve(dist, "/console/?x=1")
    assert (index.status, index.content_type) == (200, "text/html; charset=utf-8")
    assert b"<title>console</title>" in index.body
    script = console_site.serve(dist, "/console/app.js")
    assert script.status == 200 and "javascript" in script.content_type


def test_local_serve_points_the_console_at_its_own_origin(dist: Path) -> None:
    reply = console_site.serve(dist, "/console/config.json")
    assert json.loads(reply.body) == {"apiUrl": "", "uploads": "multipart"}  # this origin; uploads through it


@pytest.mark.parametrize("path", ["/console/../secret.txt", "/console/%2e%2e/secret.txt", "/console/nope.js",
                                  "/console//etc/passwd"])
def test_nothing_outside_dist_and_no_missing_file_is_served(dist: Path, path: str) -> None:
    reply = console_site.serve(dist, path)
    assert reply.status == 404
    assert "detail" in json.loads(reply.body)


def test_an_unbuilt_console_says_how_to_build_it(tmp_path: Path) -> None:
    reply = console_site.serve(tmp_path / "missing", "/console/")
    assert reply.status == 503
    assert b"make console" in reply.body


def test_the_console_folder_can_be_moved(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert console_site.console_dir(tmp_path) == tmp_path / "console" / "dist"
    monkeypatch.setenv("FRAME_METRIC_CONSOLE_DIR", str(tmp_path / "elsewhere"))
    assert console_site.console_dir(tmp_path) == tmp_path / "elsewhere"
