"""Run one stored task: create its run, build the target and the scenario, hand them to a Runner."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any, TextIO

from frame_metric.client import ApiError
from frame_metric.runner.api import MonitorApi
from frame_metric.runner.core import ERROR, FAIL, Runner
from frame_metric.runner.interfaces import SamplerError
from frame_metric.runner.setup import Unavailable, build_target, load_scenario
from frame_metric.runner.steps import ScriptInvalid

DEFAULT_SPOOL = Path.home() / ".frame-metric" / "spool"
DEFAULT_SCREENSHOTS = Path("frame-metric-screenshots")


def run_task(api_url: str, task_id: str, device: str | None = None, record: bool = False,
             spool_dir: Path = DEFAULT_SPOOL, out: TextIO | None = None, err: TextIO | None = None,
             flush_timeout: float = 120.0, driver: str = "auto", screenshots: Path | None = DEFAULT_SCREENSHOTS,
             segment_seconds: int | None = None) -> int:
    """`screenshots`: the folder under which `screenshot` steps leave <run id>/NNN-name.png (None: not
    kept). `segment_seconds`: length of one screenrecord segment with `record` (default 170 s)."""
    out, err = out or sys.stdout, err or sys.stderr
    api = MonitorApi(api_url)
    try:
        task = api.task(task_id)
    except ApiError as exc:
        print(f"frame-metric: {exc.detail}", file=err)
        return ERROR
    if record and task["target"]["kind"] == "process":
        print("frame-metric: --record applies to android targets; a local process has no screen to record",
              file=err)
    try:
        run = api.create_run(task_id)
    except ApiError as exc:
        print(f"frame-metric: cannot create a run of task {task_id}: {exc.detail}", file=err)
        return ERROR
    print(f"run {run['run_id']} of task {task['name']!r} ({task_id})", file=err)
    try:
        scenario = load_scenario(api, run, float(task["duration_limit_s"]), int(task.get("repeat_count") or 1))
        options: dict[str, Any] = {"driver": driver, "say": lambda note: print(f"frame-metric: {note}", file=err)}
        if segment_seconds:
            options["segment_seconds"] = segment_seconds
        sampler, step_driver = build_target(task["target"], device, record, **options)
    except (SamplerError, ScriptInvalid, Unavailable, ApiError) as exc:
        reason = exc.detail if isinstance(exc, ApiError) else str(exc)
        print(f"frame-metric: {reason}", file=err)
        # Best effort: if even this fails the run stays `created`, which the console shows as never started.
        with contextlib.suppress(ApiError):
            api.fail(run["run_id"], f"the runner could not start: {reason}")
        return FAIL if isinstance(exc, SamplerError) else ERROR
    if scenario.repeat > 1:
        print(f"the script plays {scenario.repeat} times (the task's repeat_count); marks name the iteration",
              file=err)
    runner = Runner(api, run, sampler, step_driver, scenario, float(task["duration_limit_s"]), spool_dir,
                    out=out, err=err, flush_timeout=flush_timeout,
                    screenshots=screenshots / str(run["run_id"]) if screenshots is not None else None)
    try:
        return runner.execute()
    except ApiError as exc:
        print(f"frame-metric: {exc.detail}", file=err)
        return ERROR

