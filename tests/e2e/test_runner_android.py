"""`frame-metric run` on an android task as a tester runs it (the CLI in a subprocess, against `frame-metric
serve`), with the phone behind the fake adb server of the unit tests: the server speaks the adb host
protocol on localhost and answers /proc, dumpsys, input, uiautomator, screencap and screenrecord."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.serve_process import BIN, ServeProcess
from tests.unit.runner_android.fake_adb import MP4, FakeAdbServer, Phone

pytestmark = pytest.mark.e2e

WINDOW = (Path(__file__).parents[1] / "unit" / "runner_android" / "fixtures" / "window_dump.xml").read_text()
SCRIPT = """\
- launch_app
- wait_for_text: {text: Welcome back, timeout: 5}
- tap: Log in
- screenshot: home
- wait_for_text: {text: Loading, gone: true, timeout: 2}
- swipe: {direction: up, duration_ms: 100}
- mark: scrolled
- wait: 1.2
"""


@pytest.fixture
def phone() -> Iterator[tuple[Phone, FakeAdbServer]]:
    device = Phone(package="com.example.app", screen_xml=WINDOW)
    server = FakeAdbServer(device)
    try:
        yield device, server
    finally:
        server.close()


def api(serve: ServeProcess, method: str, path: str, body: Any = None) -> Any:
    response = requests.request(method, f"{serve.url}/api/v1/monitor{path}", json=body, timeout=60)
    assert response.status_code < 400, response.text
    return response.json()


def android_task(serve: ServeProcess, script: str, repeat: int = 1) -> str:
    profile = api(serve, "POST", "/profiles", {"name": "phone e2e", "items": [
        {"metric": "app_cpu", "interval_ms": 250}, {"metric": "memory_pss", "interval_ms": 1000},
        {"metric": "fps", "interval_ms": 500, "thresholds": [{"stat": "avg", "op": "ge", "value": 30}]},
        {"metric": "battery_level"}]})
    stored = api(serve, "POST", "/scripts", {"name": "phone e2e", "kind": "yaml", "content": script})
    target = {"kind": "android", "package": "com.example.app"}
    task = api(serve, "POST", "/tasks", {"name": "phone e2e", "target": target,
                                         "profile_id": profile["profile_id"], "script_id": stored["script_id"],
                                         "duration_limit_s": 60, "repeat_count": repeat})
    return str(task["task_id"])


def run_cli(serve: ServeProcess, server: FakeAdbServer, task_id: str, tmp_path: Path, *extra: str
            ) -> subprocess.Popen[str]:
    env = {**os.environ, "ANDROID_ADB_SERVER_HOST": "127.0.0.1", "ANDROID_ADB_SERVER_PORT": str(server.port)}
    return subprocess.Popen([str(BIN), "run", task_id, "--api", serve.url, "--driver", "adb",
                             "--spool-dir", str(tmp_path / "spool"), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)


def summary_row(out: str, metric: str) -> list[str]:
    row = re.search(rf"^  {metric} +(.*)$", out, re.M)
    assert row, out
    return row.group(1).split()


def test_a_repeated_yaml_scenario_on_a_phone_with_recording(
        runner_serve: ServeProcess, phone: tuple[Phone, FakeAdbServer], tmp_path: Path) -> None:
    device, server = phone
    task_id = android_task(runner_serve, SCRIPT, repeat=2)
    runner = run_cli(runner_serve, server, task_id, tmp_path, "--record", "--record-segment", "2",
                     "--screenshots", str(tmp_path / "shots"))
    out, err = runner.communicate(timeout=90)
    assert runner.returncode == 0 and "verdict pass" in out, out + err
    run_id = re.search(r"run (\S+): completed", out)
    assert run_id, out
    run = api(runner_serve, "GET", f"/runs/{run_id.group(1)}")
    results = api(runner_serve, "GET", f"/runs/{run['run_id']}/results")

    # the summary the tester reads is the one the server computed from what arrived
    delivered, collected = map(int, re.findall(r"sent (\d+) of (\d+) samples", out)[0])
    assert delivered == collected == results["sample_count"] > 10
    for metric in ("app_cpu", "memory_pss", "fps", "battery_level"):
        stats = results["metrics"][metric]
        assert summary_row(out, metric)[1:3] == [str(stats["count"]), f"{stats['avg']:.2f}"]
    assert results["metrics"]["memory_pss"]["avg"] == 100.0  # TOTAL 102400 kB in the fake's meminfo
    assert results["metrics"]["battery_level"]["max"] == 87
    assert 40 < results["metrics"]["fps"]["avg"] <= 61  # 60 fps with a hitch every 2 s

    # repeat_count 2: the script played twice in the one run, each iteration's marks named
    names = [s["name"] for s in results["segments"]]
    for i in (1, 2):
        assert f"iteration {i}/2 start" in names and f"iteration {i}/2 end" in names
        assert f"iteration {i}/2 scrolled" in names and f"iteration {i}/2 step 3 tap start" in names
    assert names.index("iteration 1/2 end") < names.index("iteration 2/2 start")
    assert sum(c.startswith("input tap 540 1880") for c in device.commands) == 2  # the centre of "Log in", twice
    shots = tmp_path / "shots" / run["run_id"]
    assert sorted(p.relative_to(shots).as_posix() for p in shots.rglob("*.png")) == [
        "iteration-1/004-home.png", "iteration-2/004-home.png"]

    # every screenrecord segment became a video linked at its offset, in order
    segments = run["videos"]
    assert len(segments) >= 2, out + err  # a run of ~3 s in segments of 2 s
    offsets = [v["offset_s"] for v in segments]
    assert offsets == sorted(offsets) and offsets[0] < 1.5
    assert all(1.5 < b - a < 3.5 for a, b in itertools.pairwise(offsets))
    assert run["video_id"] == segments[0]["video_id"] and len({v["video_id"] for v in segments}) == len(segments)
    assert len(re.findall(r"screen recording \d+/\d+: video \S+ linked at", out)) == len(segments)
    assert sum(1 for data in device.files.values() if data == MP4) == len(segments)


def test_an_ad_hoc_phone_run_that_disconnects_fails_and_keeps_its_samples(
        runner_serve: ServeProcess, phone: tuple[Phone, FakeAdbServer], tmp_path: Path) -> None:
    device, server = phone
    script = tmp_path / "scenario.yaml"
    script.write_text("- launch_app\n- wait: 60\n")
    env = {**os.environ, "ANDROID_ADB_SERVER_HOST": "127.0.0.1", "ANDROID_ADB_SERVER_PORT": str(server.port)}
    runner = subprocess.Popen([str(BIN), "run", "--script", str(script), "--profile", "app_cpu:250,memory_pss,fps",
                               "--target-package", "com.example.app", "--device", device.serial,
                               "--api", runner_serve.url, "--spool-dir", str(tmp_path / "spool")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    assert runner.stderr is not None
    first = runner.stderr.readline()
    started = re.match(r"run (\S+) of task 'ad hoc scenario.yaml'", first)
    assert started, first
    run_id = started.group(1)
    deadline = time.monotonic() + 30
    while api(runner_serve, "GET", f"/runs/{run_id}")["batches"] < 2:
        assert time.monotonic() < deadline and runner.poll() is None
        time.sleep(0.2)
    device.restart_app(5555)  # the app restarts mid-run: a mark on the timeline and a summary line
    batches = api(runner_serve, "GET", f"/runs/{run_id}")["batches"]
    while api(runner_serve, "GET", f"/runs/{run_id}")["batches"] < batches + 2:
        assert time.monotonic() < deadline and runner.poll() is None
        time.sleep(0.2)
    device.connected = False  # unplugged
    out, err = runner.communicate(timeout=60)
    assert runner.returncode == 1, out + err
    run = api(runner_serve, "GET", f"/runs/{run_id}")
    assert run["status"] == "failed" and "device emulator-5554 disconnected" in run["failure_reason"]
    results = api(runner_serve, "GET", f"/runs/{run_id}/results")
    assert "app restarted: pid 4242 -> 5555" in [s["name"] for s in results["segments"]]
    assert re.search(r"^  app restarted: pid 4242 -> 5555 at \d+\.\d\d s$", out, re.M), out
    delivered, collected = map(int, re.findall(r"sent (\d+) of (\d+) samples", out)[0])
    assert results["sample_count"] == delivered == collected > 0
    assert results["metrics"]["memory_pss"]["count"] >= 1 and "the target went away" in out
