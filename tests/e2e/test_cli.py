"""The product as a user drives it: `frame-metric serve` in one terminal, upload/status in another."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from frame_metric.localcloud.cloud import free_port
from frame_metric.samples import generate_app_launch
from tests.serve_process import BIN, ServeProcess


def cli(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    serve = ServeProcess(tmp_path_factory.mktemp("serve-data"), free_port()).start()
    assert "data in" in serve.ready_line
    assert "OPEN: no API key" in serve.ready_line  # the local cloud says it is open when it starts
    try:
        yield serve.url
    finally:
        assert serve.interrupt() == 0


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    path = tmp_path_factory.mktemp("e2e") / "launch clip.mp4"
    return path, generate_app_launch(path, width=360, height=800, fps=30.0, seconds=3.0)


def test_serve_answers_the_system_endpoints(server: str) -> None:
    assert requests.get(f"{server}/health", timeout=5).json() == {"status": "healthy", "version": "1.0.0"}
    assert requests.get(f"{server}/", timeout=5).json()["docs"] == "/docs"
    page = requests.get(f"{server}/docs", timeout=5)
    assert page.status_code == 200 and "swagger-ui" in page.text
    assert requests.get(f"{server}/docs/swagger-ui-bundle.js", timeout=5).status_code == 200


def test_upload_then_status(server: str, recording: tuple[Path, object]) -> None:
    path, truth = recording
    uploaded = cli("upload", str(path), "--api", server, "--json", "--ignore", "0.8,0,0.2,0.1")
    assert uploaded.returncode == 0, uploaded.stderr
    assert "upload" in uploaded.stderr  # the progress bars went to stderr
    result = json.loads(uploaded.stdout)[0]
    assert result["status"] == "completed"
    assert {"x": 0.8, "y": 0.0, "w": 0.2, "h": 0.1, "reason": "user"} in result["ignored_regions"]
    frames = {f["type"]: f for f in result["frames"]}
    assert abs(frames["first"]["frame_number"] - truth.first_frame) <= 1  # type: ignore[attr-defined]
    assert abs(frames["last"]["frame_number"] - truth.last_frame) <= 1  # type: ignore[attr-defined]

    status = cli("status", result["video_id"], "--api", server)
    assert status.returncode == 0 and "completed" in status.stdout and "first frame" in status.stdout
    listing = cli("--api", server, "list")  # a global option before the command is not read as --api-key
    assert listing.returncode == 0 and result["video_id"] in listing.stdout
    empty = cli("list", "--api", server, "--status", "cancelled")
    assert empty.returncode == 0 and empty.stdout.startswith("no cancelled videos")


def test_several_uploads_print_in_argument_order(server: str, recording: tuple[Path, object],
                                                 tmp_path: Path) -> None:
    names = ["z-first.mp4", "a-second.mp4", "m-third.mp4"]
    for name in names:
        (tmp_path / name).write_bytes(recording[0].read_bytes())
    uploaded = cli("upload", *(str(tmp_path / name) for name in names), "--no-wait", "--json", "--api", server)
    assert uploaded.returncode == 0, uploaded.stderr
    assert [status["filename"] for status in json.loads(uploaded.stdout)] == names


def test_cli_errors_are_clear(server: str, recording: tuple[Path, object], tmp_path: Path) -> None:
    missing = cli("status", "00000000-0000-4000-8000-000000000000", "--api", server)
    assert missing.returncode == 2 and "not found" in missing.stderr
    fake = tmp_path / "fake.mp4"
    fake.write_bytes(b"definitely not a video" * 10)
    refused = cli("upload", str(fake), "--api", server)
    assert refused.returncode == 2 and "ftyp" in refused.stderr
    nothing = cli("upload", str(tmp_path / "nope.mp4"), "--api", server)
    assert nothing.returncode == 2 and "no such file" in nothing.stderr
    bad_region = cli("upload", str(recording[0]), "--api", server, "--ignore", "0,0,1")
    assert bad_region.returncode != 0 and "four numbers" in bad_region.stderr, bad_region.stderr
    port = free_port()
    unreachable = cli("status", "x", "--api", f"http://127.0.0.1:{port}")
    assert unreachable.returncode == 2 and "Traceback" not in unreachable.stderr
    assert unreachable.stderr.strip() == (f"frame-metric: cannot reach the frame-metric API at http://127.0.0.1:{port} "
                                          "(connection refused); is it running? start one with `frame-metric serve`, "
                                          "or name another with --api URL")


def test_serve_refuses_a_busy_port(server: str, tmp_path: Path) -> None:
    port = server.rsplit(":", 1)[1]
    started = time.monotonic()
    busy = cli("serve", "--port", port, "--data-dir", str(tmp_path), timeout=60)
    assert busy.returncode == 2 and "in use" in busy.stderr
    assert time.monotonic() - started < 30


def test_task_commands(server: str, recording: tuple[Path, object], tmp_path: Path) -> None:
    from openpyxl import load_workbook

    uploaded = cli("upload", str(recording[0]), "--api", server, "--json")
    assert uploaded.returncode == 0, uploaded.stderr
    video = json.loads(uploaded.stdout)[0]
    created = cli("task", "create", "启动 任务", "--user", "e2e", "--api", server)
    assert created.returncode == 0, created.stderr
    task_id = created.stdout.split()[0]

    added = cli("task", "add", task_id, video["video_id"], "--notes", "冷启动", "--api", server)
    assert added.returncode == 0 and "added 1" in added.stdout, added.stderr
    unknown = cli("task", "add", task_id, "00000000-0000-4000-8000-000000000000", "--api", server)
    assert unknown.returncode == 1 and "not found" in unknown.stderr
    stats = json.loads(cli("task", "stats", task_id, "--json", "--api", server).stdout)
    assert stats["completed_videos"] == 1 and stats["avg_duration"] == video["measured_duration"]
    shown = cli("task", "show", task_id, "--api", server)
    assert video["video_id"] in shown.stdout and "ms" in shown.stdout
    assert task_id in cli("task", "list", "--user", "e2e", "--api", server).stdout

    exported = cli("task", "export", task_id, "-o", str(tmp_path), "--api", server)
    assert exported.returncode == 0, exported.stderr
    path = Path(exported.stdout.strip())
    assert path.parent == tmp_path and path.name.startswith("启动 任务_timing_data_") and path.suffix == ".xlsx"
    sheet = load_workbook(path)["Timing"]
    assert sheet.max_row == 2 and sheet["E2"].value == video["video_id"]
    as_csv = cli("task", "export", task_id, "--format", "csv", "-o", str(tmp_path / "t.csv"), "--api", server)
    assert as_csv.returncode == 0 and (tmp_path / "t.csv").read_bytes().startswith(b"\xef\xbb\xbf")

    removed = cli("task", "remove", task_id, video["video_id"], "--api", server)
    assert removed.returncode == 0
    missing = cli("task", "stats", "nope", "--api", server)
    assert missing.returncode == 2 and "not found" in missing.stderr
