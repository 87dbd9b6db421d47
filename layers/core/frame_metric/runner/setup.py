"""From a task and a run to the pieces a Runner needs: the target's sampler and driver, the scenario,
and (for ad hoc runs) the profile, script and task created on the fly."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from frame_metric.monitor.script_validation import validate_python
from frame_metric.runner.api import MonitorApi
from frame_metric.runner.core import Scenario
from frame_metric.runner.interfaces import Driver, Sampler
from frame_metric.runner.local import LocalDriver, LocalProcessSampler
from frame_metric.runner.python_script import PythonScript
from frame_metric.runner.steps import ScriptInvalid, load_steps


class Unavailable(Exception):
    """This installation cannot run the target (a package it needs does not import)."""


def build_target(target: dict[str, Any], device: str | None = None, record: bool = False,
                 **android_options: Any) -> tuple[Sampler, Driver]:
    """`android_options` go to android.create_target: driver (auto/adb/u2), say, segment_seconds."""
    if target["kind"] == "process":
        sampler = LocalProcessSampler(pid=target.get("pid"), name=target.get("process_name"),
                                      command=target.get("command"))
        return sampler, LocalDriver()
    return _android(target, device, record, android_options)


def _android(target: dict[str, Any], device: str | None, record: bool,
             options: dict[str, Any]) -> tuple[Sampler, Driver]:
    """Imported lazily: a process run never touches adb."""
    try:
        from frame_metric.runner.android import create_target
    except ImportError as exc:  # adbutils is a dependency; a broken install should still say what is missing
        raise Unavailable(f"android targets need adbutils, which cannot be imported here: {exc}") from None
    return create_target(device or target.get("device_serial"), target["package"], record, **options)


def load_scenario(api: MonitorApi, run: dict[str, Any], time_limit: float, repeat: int = 1) -> Scenario:
    """The script version the run snapshotted, played `repeat` times (the task's repeat_count); no
    script means monitor only."""
    if not run.get("script_id"):
        return Scenario()
    script = api.script(run["script_id"], run.get("script_version"))
    return scenario_from(script["kind"], script["content"], script.get("name") or "scenario", time_limit, repeat)


def scenario_from(kind: str, content: str, name: str, time_limit: float, repeat: int = 1) -> Scenario:
    if kind == "yaml":
        return Scenario(steps=load_steps(content), repeat=repeat)
    checked = validate_python(content)
    if not checked.valid:
        raise ScriptInvalid("the python script is not valid: "
                            + "; ".join(f"line {e.line}: {e.message}" for e in checked.errors))
    return Scenario(python=PythonScript(content, filename=f"<{name}>", time_limit=time_limit), repeat=repeat)


# -- ad hoc: a script and a profile without a stored task -------------------------------------------

_ITEM = re.compile(r"^([a-z_]+)(?::(\d+))?$")


def ensure_profile(api: MonitorApi, spec: str) -> str:
    """An existing profile id, or a metrics list `app_cpu,memory_rss:500` (interval in ms optional)
    stored as a new profile without thresholds."""
    items = [part.strip() for part in spec.split(",") if part.strip()]
    if all(_ITEM.match(item) for item in items) and not _exists(api, f"/profiles/{spec}"):
        body = []
        for item in items:
            matched = _ITEM.match(item)
            assert matched is not None
            entry: dict[str, Any] = {"metric": matched.group(1)}
            if matched.group(2):
                entry["interval_ms"] = int(matched.group(2))
            body.append(entry)
        return api.call("POST", "/profiles", {"name": f"ad hoc {time.strftime('%Y-%m-%d %H:%M:%S')}",
                                              "items": body})["profile_id"]
    return spec


def _exists(api: MonitorApi, path: str) -> bool:
    from frame_metric.client import ApiError

    try:
        api.call("GET", path)
    except ApiError as exc:
        if exc.status in (404, 422):
            return False
        raise
    return True


def create_adhoc_task(api: MonitorApi, script: Path | None, profile: str, target: dict[str, Any],
                      duration_s: int, repeat: int = 1) -> str:
    """Stores the script (kind from the extension: .py is python, anything else YAML), the profile if
    given as metrics, and a task; the run then is an ordinary run of that task, visible in the console."""
    script_id = None
    if script is not None:
        kind = "python" if script.suffix == ".py" else "yaml"
        script_id = api.call("POST", "/scripts", {"name": f"ad hoc {script.name}"[:200], "kind": kind,
                                                  "content": script.read_text(encoding="utf-8")})["script_id"]
    task = api.call("POST", "/tasks", {
        "name": f"ad hoc {script.name if script else 'monitoring'}"[:200], "target": target,
        "profile_id": ensure_profile(api, profile), "script_id": script_id, "duration_limit_s": duration_s,
        "repeat_count": repeat})
    return str(task["task_id"])
