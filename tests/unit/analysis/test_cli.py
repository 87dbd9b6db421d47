"""`frame-metric analyze`: the subcommand's handler, and `python -m frame_metric.cli.analyze`."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from frame_metric.cli import analyze

from .conftest import MakeRecording


def run_subcommand(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="frame-metric")
    analyze.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["analyze", *argv])
    return int(args.handler(args))


def test_json_output_is_the_result(recording: MakeRecording, capsys: pytest.CaptureFixture[str]) -> None:
    path, truth = recording()
    assert run_subcommand([str(path), "--json", "--ignore", "0,0.95,1,0.05", "--segment-frames", "40"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["first_frame"]["frame_number"] == truth.first_frame
    assert d["last_frame"]["frame_number"] == truth.last_frame
    assert {"x": 0.0, "y": 0.95, "w": 1.0, "h": 0.05, "reason": "user"} in d["ignored_regions"]


def test_human_summary(recording: MakeRecording, capsys: pytest.CaptureFixture[str]) -> None:
    path, truth = recording(cursor=True, seconds=3.2)
    assert run_subcommand([str(path)]) == 0
    out = capsys.readouterr().out
    assert f"first frame: #{truth.first_frame} at 0.800 s" in out
    assert "duration:    1000.0 ms" in out
    assert "always-changing" in out


def test_named_errors_exit_2_with_the_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "notes.mp4"
    bad.write_text("not a video")
    assert run_subcommand([str(bad), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "not a readable video file" in captured.err


def test_bad_region_is_a_usage_error(recording: MakeRecording) -> None:
    path, _ = recording()
    with pytest.raises(SystemExit):
        run_subcommand([str(path), "--ignore", "1,2"])


def test_runs_as_a_module(recording: MakeRecording) -> None:
    path, truth = recording()
    done = subprocess.run(
        [sys.executable, "-m", "frame_metric.cli.analyze", str(path), "--json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert json.loads(done.stdout)["last_frame"]["frame_number"] == truth.last_frame
