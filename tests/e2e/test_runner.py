"""`frame-metric run` as a tester runs it: a stored task on a real local command, against `frame-metric
serve`; then the same with the server killed and restarted mid-run (nothing may be lost)."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import psutil
import pytest
import requests

from tests.serve_process import BIN, ServeProcess

pytestmark = pytest.mark.e2e

# The tag tells this session's targets from those of any other test run on the same machine.
TAG = f"frame-metric-e2e-{uuid.uuid4().hex[:12]}"
BUSY = (f"{sys.executable} -c \"import time\nend=time.time()+120\ntag='{TAG}'\n"
        "while time.time()<end: sum(range(10000))\"")


@pytest.fixture
def serve(runner_serve: ServeProcess) -> ServeProcess:
    return runner_serve  # one served cloud for every runner e2e module (tests/e2e/conftest.py)


def api(serve: ServeProcess, method: str, path: str, body: Any = None) -> Any:
    response = requests.request(method, f"{serve.url}/api/v1/monitor{path}", json=body, timeout=60)
    assert response.status_code < 400, response.text
    return response.json()


def make_task(serve: ServeProcess, script: str, thresholds: list[dict[str, Any]] | None = None,
              duration_s: int = 60) -> str:
    profile = api(serve, "POST", "/profiles", {"name": "e2e", "items": [
        {"metric": "app_cpu", "interval_ms": 200, "thresholds": thresholds or []},
        {"metric": "memory_rss", "interval_ms": 300},
        {"metric": "threads", "interval_ms": 1000}]})
    stored = api(serve, "POST", "/scripts", {"name": "e2e", "kind": "yaml", "content": script})
    task = api(serve, "POST", "/tasks", {"name": "e2e runner", "target": {"kind": "process", "command": BUSY},
                                         "profile_id": profile["profile_id"], "script_id": stored["script_id"],
                                         "duration_limit_s": duration_s})
    return str(task["task_id"])


def restart(serve: ServeProcess) -> None:
    """Same data dir, same port (connections of the killed server lingering in TIME_WAIT must not keep
    it off the port: the local cloud binds with SO_REUSEADDR)."""
    serve.start()


def run_cli(serve: ServeProcess, task_id: str, spool: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([str(BIN), "run", task_id, "--api", serve.url, "--spool-dir", str(spool)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def sent(stdout: str) -> tuple[int, int]:
    found = re.search(r"sent (\d+) of (\d+) samples", stdout)
    assert found, stdout
    return int(found.group(1)), int(found.group(2))


def last_run(serve: ServeProcess, task_id: str) -> dict[str, Any]:
    return api(serve, "GET", f"/tasks/{task_id}/runs")[0]


def test_a_yaml_task_runs_and_its_samples_and_marks_arrive(serve: ServeProcess, tmp_path: Path) -> None:
    script = ("- mark: begin\n- shell: echo hello\n- repeat:\n    times: 2\n    steps:\n      - wait: 0.6\n"
              "- mark: done\n")
    task_id = make_task(serve, script, [{"stat": "avg", "op": "le", "value": 100}])
    out, err = run_cli(serve, task_id, tmp_path).communicate(timeout=60)
    assert "verdict pass" in out, out + err
    delivered, collected = sent(out)
    assert delivered == collected > 0
    run = last_run(serve, task_id)
    assert run["status"] == "completed" and run["verdict"] == "pass"
    results = api(serve, "GET", f"/runs/{run['run_id']}/results")
    assert results["sample_count"] == collected
    assert results["metrics"]["app_cpu"]["count"] > 3 and results["metrics"]["memory_rss"]["min"] > 1
    names = [s["name"] for s in results["segments"]]
    assert names[0] == "begin" and "done" in names
    assert "step 2 shell start" in names and "step 4 wait end" in names
    assert not list(tmp_path.iterdir())  # nothing left in the spool


def test_exit_code_follows_the_verdict_and_a_failing_step(serve: ServeProcess, tmp_path: Path) -> None:
    strict = make_task(serve, "- wait: 0.8\n", [{"stat": "max", "op": "lt", "value": 0.001}])
    failing = make_task(serve, "- mark: x\n- shell: exit 3\n")
    first, second = run_cli(serve, strict, tmp_path), run_cli(serve, failing, tmp_path)
    out, err = first.communicate(timeout=60)
    assert first.returncode == 1 and "verdict fail" in out and "FAILED app_cpu max lt" in out, out + err
    out, err = second.communicate(timeout=60)
    assert second.returncode == 1 and "failed" in out, out + err
    run = last_run(serve, failing)
    assert run["status"] == "failed" and "step 2 shell failed" in run["failure_reason"]


def test_a_server_killed_and_restarted_mid_run_loses_nothing(serve: ServeProcess, tmp_path: Path) -> None:
    go = tmp_path / "go"
    script = f"- mark: before\n- shell: {{command: 'while [ ! -f {go} ]; do sleep 0.1; done', timeout: 120}}\n"
    task_id = make_task(serve, script + "- mark: after\n- wait: 0.5\n", duration_s=150)
    spool = tmp_path / "spool"
    runner = run_cli(serve, task_id, spool)
    deadline = time.monotonic() + 30
    while not (runs := api(serve, "GET", f"/tasks/{task_id}/runs")) or runs[0]["batches"] < 2:
        assert time.monotonic() < deadline and runner.poll() is None
        time.sleep(0.2)
    serve.kill()
    time.sleep(2)  # the runner keeps sampling into its spool meanwhile
    assert runner.poll() is None
    assert list(spool.glob("*.jsonl")), "batches should be spooled while the server is away"
    restart(serve)
    time.sleep(1.5)
    go.touch()
    out, err = runner.communicate(timeout=90)
    assert runner.returncode == 0, out + err
    delivered, collected = sent(out)
    assert delivered == collected
    run = last_run(serve, task_id)
    results = api(serve, "GET", f"/runs/{run['run_id']}/results")
    assert run["status"] == "completed" and results["sample_count"] == collected
    assert [s["name"] for s in results["segments"]][:1] == ["before"] and results["mark_count"] >= 5
    assert not list(spool.glob("*.jsonl"))


def wait_for_batches(serve: ServeProcess, task_id: str, runner: subprocess.Popen[str]) -> str:
    deadline = time.monotonic() + 30
    while not (runs := api(serve, "GET", f"/tasks/{task_id}/runs")) or runs[0]["batches"] < 1:
        assert time.monotonic() < deadline and runner.poll() is None
        time.sleep(0.2)
    return str(runs[0]["run_id"])


def test_ctrl_c_finishes_the_run_and_a_console_cancel_stops_it(serve: ServeProcess, tmp_path: Path) -> None:
    started = time.time() - 1  # only this test's targets (a failed earlier session may have left some)
    interrupted, cancelled = make_task(serve, "- wait: 60\n"), make_task(serve, "- wait: 60\n")
    first, second = run_cli(serve, interrupted, tmp_path), run_cli(serve, cancelled, tmp_path)
    wait_for_batches(serve, interrupted, first)
    first.send_signal(signal.SIGINT)
    run_id = wait_for_batches(serve, cancelled, second)
    api(serve, "POST", f"/runs/{run_id}/cancel")
    out, err = first.communicate(timeout=30)
    assert first.returncode == 0 and "interrupted (Ctrl-C)" in out and ": completed" in out, out + err
    out, err = second.communicate(timeout=30)
    assert second.returncode == 2 and "the run was cancelled on the server" in out, out + err
    leftovers = [p for p in psutil.process_iter(["cmdline", "create_time"]) if p.info["create_time"] >= started
                 and TAG in " ".join(p.info["cmdline"] or [])]
    assert leftovers == [], [(p.pid, p.ppid(), p.info["cmdline"]) for p in leftovers]  # no target left behind


def test_an_ad_hoc_python_script_runs_without_a_stored_task(serve: ServeProcess, tmp_path: Path) -> None:
    script = tmp_path / "scenario.py"
    script.write_text("def run(driver):\n    driver.mark('a')\n    driver.shell('echo x')\n"
                      "    driver.wait(0.6)\n    driver.mark('b')\n")
    done = subprocess.run([str(BIN), "run", "--script", str(script), "--profile", "app_cpu:200,memory_rss",
                           "--target-command", BUSY, "--duration", "30", "--api", serve.url,
                           "--spool-dir", str(tmp_path / "spool")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "verdict none" in done.stdout, done.stdout + done.stderr
    run_id = re.search(r"run (\S+): completed", done.stdout)
    assert run_id
    results = api(serve, "GET", f"/runs/{run_id.group(1)}/results")
    assert [s["name"] for s in results["segments"]] == ["a", "b"] and results["metrics"]["app_cpu"]["count"] > 1


def test_an_android_task_without_a_device_fails_clearly(serve: ServeProcess, tmp_path: Path) -> None:
    profile = api(serve, "POST", "/profiles", {"name": "fps", "items": [{"metric": "fps"}]})
    task = api(serve, "POST", "/tasks", {"name": "phone", "target": {"kind": "android", "package": "com.example.shop",
                                                                     "device_serial": "no-such-serial"},
                                         "profile_id": profile["profile_id"]})
    done = subprocess.run([str(BIN), "run", task["task_id"], "--api", serve.url], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    run = last_run(serve, task["task_id"])
    assert run["status"] == "failed" and run["failure_reason"].startswith("the runner could not start")


def test_the_demo_scenario_runs_and_passes(serve: ServeProcess, capsys: pytest.CaptureFixture[str]) -> None:
    from frame_metric.runner.demo import run_local_demo

    assert run_local_demo(serve.url) == 0
    out = capsys.readouterr().out
    assert "verdict pass" in out and "app_cpu" in out and "memory_rss" in out


def test_a_recording_left_by_the_sampler_is_uploaded_and_linked(serve: ServeProcess, tmp_path: Path) -> None:
    from frame_metric.runner.api import MonitorApi
    from frame_metric.runner.core import Runner, Scenario
    from frame_metric.runner.local import LocalDriver, LocalProcessSampler
    from frame_metric.runner.steps import load_steps
    from frame_metric.samples import generate_app_launch

    clip = tmp_path / "screen.mp4"
    generate_app_launch(clip, width=360, height=800, fps=30.0, seconds=1.5)

    class RecordingSampler(LocalProcessSampler):  # stands in for AndroidSampler(recorder=...)
        def close(self) -> None:
            super().close()
            self.videos = [clip]

    task_id = make_task(serve, "- wait: 0.5\n")
    api_client = MonitorApi(serve.url)
    run = api_client.create_run(task_id)
    runner = Runner(api_client, run, RecordingSampler(command=BUSY), LocalDriver(),
                    Scenario(steps=load_steps("- wait: 0.5\n")), 30, tmp_path / "spool")
    assert runner.execute() == 0
    assert api(serve, "GET", f"/runs/{run['run_id']}")["video_id"]
