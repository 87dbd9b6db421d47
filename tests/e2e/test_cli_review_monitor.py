"""`frame-metric review ...` and `frame-metric monitor ...` as a tester types them, against `frame-metric
serve`: a recording is uploaded and its frames re-marked; two monitoring runs are listed, shown (units,
no jank rows for a process), exported and compared."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import requests

from frame_metric.samples import generate_app_launch
from tests.serve_process import BIN, ServeProcess

pytestmark = pytest.mark.e2e


def cli(serve: ServeProcess, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(BIN), "--api", serve.url, *args], capture_output=True, text=True, timeout=timeout)
    return done


def ok(serve: ServeProcess, *args: str) -> str:
    done = cli(serve, *args)
    assert done.returncode == 0, f"frame-metric {' '.join(args)}: {done.stdout}{done.stderr}"
    return done.stdout


def monitor_api(serve: ServeProcess, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = requests.request(method, f"{serve.url}/api/v1/monitor{path}", json=body, headers=headers, timeout=60)
    assert response.status_code < 400, response.text
    return response.json()


def finished_run(serve: ServeProcess, task_id: str, cpu: float) -> str:
    """A run as a process runner leaves it: app_cpu and memory_rss samples, two marks, finished."""
    created = monitor_api(serve, "POST", f"/tasks/{task_id}/runs", {})
    run_id, token = created["run_id"], created["run_token"]
    monitor_api(serve, "POST", f"/runs/{run_id}/start", {}, token)
    samples = [{"t": i * 0.1, "metric": "app_cpu", "value": cpu + i % 3} for i in range(20)]
    samples += [{"t": i * 0.2, "metric": "memory_rss", "value": 120.0 + i} for i in range(10)]
    monitor_api(serve, "POST", f"/runs/{run_id}/samples", {"seq": 0, "samples": samples, "marks": [
        {"t": 0.0, "name": "open"}, {"t": 1.0, "name": "scroll"}]}, token)
    monitor_api(serve, "POST", f"/runs/{run_id}/finish", {}, token)
    return str(run_id)


@pytest.fixture(scope="module")
def monitoring(shared_serve: ServeProcess) -> dict[str, str]:
    serve = shared_serve
    profile = monitor_api(serve, "POST", "/profiles", {"name": "cli e2e profile", "items": [
        {"metric": "app_cpu", "interval_ms": 200, "thresholds": [{"stat": "avg", "op": "lt", "value": 50}]},
        {"metric": "memory_rss", "interval_ms": 500}]})
    script = monitor_api(serve, "POST", "/scripts", {"name": "cli e2e script", "kind": "yaml",
                                                      "content": "- mark: open\n- wait: 1\n- mark: scroll\n"})
    task = monitor_api(serve, "POST", "/tasks", {
        "name": "cli e2e task", "target": {"kind": "process", "command": "sleep 30"},
        "profile_id": profile["profile_id"], "script_id": script["script_id"], "duration_limit_s": 60})
    first = finished_run(serve, task["task_id"], 10.0)
    second = finished_run(serve, task["task_id"], 20.0)
    return {"profile": profile["profile_id"], "script": script["script_id"], "task": task["task_id"],
            "first": first, "second": second}


def test_monitor_catalog_profiles_scripts_tasks(runner_serve: ServeProcess, monitoring: dict[str, str]) -> None:
    serve = runner_serve
    metrics = ok(serve, "monitor", "metrics", "--source", "process")
    assert re.search(r"^app_cpu +% +both", metrics, re.M) and "memory_uss" in metrics and "fps" not in metrics
    assert monitoring["profile"] in ok(serve, "monitor", "profile", "list", "--limit", "100")
    profile = ok(serve, "monitor", "profile", "show", monitoring["profile"])
    assert "cli e2e profile" in profile and re.search(r"app_cpu +every 200 ms +pass when avg lt 50 %", profile)
    assert monitoring["script"] in ok(serve, "monitor", "script", "list", "--limit", "100")
    script = ok(serve, "monitor", "script", "show", monitoring["script"])
    assert "cli e2e script  yaml v1" in script and "- mark: scroll" in script
    assert monitoring["task"] in ok(serve, "monitor", "task", "list", "--limit", "100")
    task = ok(serve, "monitor", "task", "show", monitoring["task"])
    assert "profile:  cli e2e profile" in task and "script:   cli e2e script v1 (always the latest)" in task
    assert "target:   process command sleep 30" in task  # names, not ids
    assert monitoring["first"] in task and monitoring["second"] in task
    shown = json.loads(ok(serve, "monitor", "task", "show", monitoring["task"], "--json"))
    assert shown["task_id"] == monitoring["task"] and len(shown["runs"]) == 2


def test_monitor_runs_list_show_export_compare(runner_serve: ServeProcess, monitoring: dict[str, str],
                                               tmp_path: Path) -> None:
    serve = runner_serve
    listing = ok(serve, "monitor", "run", "list", monitoring["task"])
    assert listing.index(monitoring["second"]) < listing.index(monitoring["first"])  # newest first
    shown = ok(serve, "monitor", "run", "show", monitoring["first"])
    assert f"run {monitoring['first']}: completed, verdict pass" in shown
    assert re.search(r"^  app_cpu +% +20 +10\.95", shown, re.M) and re.search(r"^  memory_rss +MB +10", shown, re.M)
    assert "jank" not in shown  # a process target does not measure jank: no rows of 0

    written = ok(serve, "monitor", "run", "export", monitoring["first"], "-o", str(tmp_path)).strip()
    text = Path(written).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert ["segment", "metric", "unit", "count", "min", "max", "avg", "median", "p90", "p95", "sum"] in rows
    assert ["t_s", "metric", "value", "unit", "segment"] in rows
    assert not any(row and row[0] in ("jank", "big_jank") for row in rows)
    excel = ok(serve, "monitor", "run", "export", monitoring["first"], "--format", "excel", "-o",
               str(tmp_path / "run.xlsx")).strip()
    assert Path(excel).read_bytes()[:2] == b"PK"

    compared = ok(serve, "monitor", "run", "compare", monitoring["first"], monitoring["second"])
    assert "avg a" in compared and "jank" not in compared
    row = re.search(r"^app_cpu +% +10\.95 +20\.95 +\+10\.00 \(\+91%\)", compared, re.M)
    assert row, compared
    as_json = json.loads(ok(serve, "monitor", "run", "compare", monitoring["first"], monitoring["second"], "--json"))
    assert as_json["metrics"]["memory_rss"]["unit"] == "MB"


def test_monitor_commands_say_what_is_wrong(runner_serve: ServeProcess) -> None:
    missing = cli(runner_serve, "monitor", "run", "show", "no-such-run")
    assert missing.returncode == 2 and "not found" in missing.stderr and "Traceback" not in missing.stderr
    nothing = cli(runner_serve, "monitor", "task", "list", "--user", "nobody-at-all")
    assert nothing.returncode == 0 and nothing.stdout.strip() == "no monitoring tasks"


@pytest.fixture(scope="module")
def uploaded(shared_serve: ServeProcess, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("review") / "launch.mp4"
    generate_app_launch(path, width=360, height=800, fps=30.0, seconds=3.0)
    result = json.loads(ok(shared_serve, "upload", str(path), "--json"))[0]
    assert result["status"] == "completed"
    return str(result["video_id"])


def test_review_show_mark_history(runner_serve: ServeProcess, uploaded: str) -> None:
    serve = runner_serve
    pending = ok(serve, "review", "pending")
    assert pending.strip() == "no videos waiting for review" or re.search(r"confidence", pending)
    shown = ok(serve, "review", "show", uploaded)
    assert "launch.mp4" in shown and "first frame: #" in shown and "last candidates:" in shown
    review = json.loads(ok(serve, "review", "show", uploaded, "--json"))
    numbers = sorted(frame["frame_number"] for frame in review["all_frames"])
    first, last = numbers[1], numbers[-2]
    marked = ok(serve, "review", "mark", uploaded, str(first), f"#{last}", "--reviewer", "qa-li", "--notes", "by eye")
    assert f"marked: first #{first}" in marked and f"last #{last}" in marked and "ms" in marked
    history = ok(serve, "review", "history", uploaded)
    assert "qa-li" in history and f"-> #{first}-#{last}" in history and "(by eye)" in history
    wrong = cli(serve, "review", "mark", uploaded, "999999", str(last), "--reviewer", "qa-li")
    assert wrong.returncode == 2 and "not an extracted frame" in wrong.stderr
    backwards = cli(serve, "review", "mark", uploaded, str(last), str(first), "--reviewer", "qa-li")
    assert backwards.returncode == 2 and "must come after" in backwards.stderr
