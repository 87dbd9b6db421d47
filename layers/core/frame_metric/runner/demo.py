"""The monitoring part of `frame-metric demo`: a short scenario on a local process, end to end."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from frame_metric.runner.api import MonitorApi
from frame_metric.runner.task import run_task

# A target that does visible work (a CPU-bound loop that also grows its memory) for longer than
# the scenario, so the run ends with the scenario and the runner stops it.
DEMO_COMMAND = (f"{sys.executable} -c \"import time\nblocks=[]\nend=time.time()+60\n"
                "while time.time()<end:\n    blocks.append(bytearray(20000)); sum(range(20000)); "
                "time.sleep(0.001)\"")
DEMO_SCRIPT = """\
- mark: warm up
- wait: 1
- shell: echo scenario running
- repeat:
    times: 2
    steps:
      - mark: busy phase
      - wait: 1.5
- mark: cool down
- wait: 0.5
"""


def run_local_demo(api_url: str) -> int:
    """Creates a profile, a YAML script and a process task (~5 s scenario), runs it, prints the
    summary and returns the run's exit code (0 pass, 1 fail, 2 error)."""
    api = MonitorApi(api_url)
    profile = api.call("POST", "/profiles", {"name": "demo: local process", "items": [
        {"metric": "app_cpu", "interval_ms": 250, "thresholds": [{"stat": "avg", "op": "le", "value": 100}]},
        {"metric": "app_cpu_per_core", "interval_ms": 250},
        {"metric": "memory_rss", "interval_ms": 500, "thresholds": [{"stat": "max", "op": "lt", "value": 4096}]},
        {"metric": "threads", "interval_ms": 1000},
        {"metric": "fds", "interval_ms": 1000},
        {"metric": "disk_write", "interval_ms": 500}]})
    script = api.call("POST", "/scripts", {"name": "demo: local scenario", "kind": "yaml", "content": DEMO_SCRIPT})
    task = api.call("POST", "/tasks", {"name": "demo: local process", "target": {"kind": "process",
                                                                                  "command": DEMO_COMMAND},
                                       "profile_id": profile["profile_id"], "script_id": script["script_id"],
                                       "duration_limit_s": 30})
    with tempfile.TemporaryDirectory(prefix="frame-metric-spool-") as spool:
        return run_task(api_url, task["task_id"], spool_dir=Path(spool))
