"""The runner loses the server for "a minute" (compressed: FRAME_METRIC_OUTAGE_SCALE, default 0.1 of
the real minute and of the real heartbeat timeout) while the server keeps running, sweeper included:
the outage is real (every connection through the runner's only route is dropped), and still no sample
is lost and the run completes. Longer than the heartbeat timeout, the run ends failed with the reason."""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path
from typing import Any

import requests

from frame_metric.data.monitor_runs import MonitorRun
from frame_metric.localcloud.cloud import LocalCloud
from frame_metric.settings import Settings
from tests.integration.faults import FaultProxy
from tests.serve_process import BIN

SCALE = float(os.environ.get("FRAME_METRIC_OUTAGE_SCALE", "0.1"))
OUTAGE_S = 60 * SCALE
HEARTBEAT_TIMEOUT_S = Settings().run_heartbeat_timeout_seconds * SCALE
BUSY = "python3 -c \"import time\nend=time.time()+120\nwhile time.time()<end: sum(range(10000))\""


def make_task(api: str, seconds: float) -> str:
    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = requests.post(f"{api}/monitor{path}", json=body, timeout=10)
        assert response.status_code < 300, response.text
        return response.json()

    profile = post("/profiles", {"name": "outage", "items": [{"metric": "app_cpu", "interval_ms": 200},
                                                             {"metric": "threads", "interval_ms": 1000}]})
    script = post("/scripts", {"name": "outage", "kind": "yaml",
                               "content": f"- mark: before\n- wait: {seconds}\n- mark: after\n- wait: 0.5\n"})
    task = post("/tasks", {"name": "outage", "target": {"kind": "process", "command": BUSY},
                           "profile_id": profile["profile_id"], "script_id": script["script_id"],
                           "duration_limit_s": 300})
    return str(task["task_id"])


def test_a_minute_without_the_server_loses_nothing(cloud: LocalCloud, api: str, tmp_path: Path) -> None:
    task_id = make_task(api, OUTAGE_S + 6)
    with FaultProxy(cloud.api_url) as route:
        runner = subprocess.Popen([str(BIN), "run", task_id, "--api", route.url, "--spool-dir", str(tmp_path)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while not (runs := requests.get(f"{api}/monitor/tasks/{task_id}/runs", timeout=10).json()) \
                or runs[0]["batches"] < 2:
            assert time.monotonic() < deadline and runner.poll() is None, runner.communicate()
            time.sleep(0.2)
        # The run's own heartbeat timeout, compressed like the outage (the runner created the run).
        MonitorRun.get(runs[0]["run_id"]).update(
            actions=[MonitorRun.heartbeat_timeout_s.set(max(1, round(HEARTBEAT_TIMEOUT_S)))])
        route.down = True
        time.sleep(OUTAGE_S)
        assert runner.poll() is None
        assert list(tmp_path.glob("*.jsonl")), "batches should be spooled while the server is away"
        run = requests.get(f"{api}/monitor/runs/{runs[0]['run_id']}", timeout=10).json()
        assert run["heartbeat_timeout_s"] == round(HEARTBEAT_TIMEOUT_S) > OUTAGE_S
        assert run["status"] == "running"  # the sweeper ran all along and kept it
        route.down = False
        out, err = runner.communicate(timeout=120)
    assert runner.returncode == 0, out + err
    found = re.search(r"sent (\d+) of (\d+) samples", out)
    assert found and found.group(1) == found.group(2), out
    results = requests.get(f"{api}/monitor/runs/{run['run_id']}/results", timeout=10).json()
    final = requests.get(f"{api}/monitor/runs/{run['run_id']}", timeout=10).json()
    assert final["status"] == "completed"
    assert results["sample_count"] == int(found.group(2))  # every sample once: none lost, none doubled
    assert [s["name"] for s in results["segments"]][:1] == ["before"]
    assert not list(tmp_path.glob("*.jsonl"))
