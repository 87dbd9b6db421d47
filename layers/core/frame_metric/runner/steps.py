"""Run a YAML scenario on a Driver: each step becomes one driver call between two marks.

The script is checked with the server's own validator (monitor.script_validation) before anything
runs, then loaded with the safe loader and normalised (shorthands expanded) into Step values, so
the executor never sees a shape the validator did not accept."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from frame_metric.monitor.script_validation import REPEAT, STEPS, validate_yaml
from frame_metric.runner.interfaces import Driver, StepError


class ScriptInvalid(ValueError):
    """The script does not validate; the message lists the problems by line."""


class StepFailed(Exception):
    """A step failed: the run fails with this message, which names the step."""


class Stopped(Exception):
    """The run is ending (duration limit, Ctrl-C, cancel): the scenario stops between steps."""


@dataclass(frozen=True)
class Step:
    kind: str
    args: dict[str, Any] = field(default_factory=dict)
    steps: tuple[Step, ...] = ()  # a repeat's body
    times: int = 1


def _normalise(raw: Any) -> Step:
    if isinstance(raw, str):
        return Step(raw)  # `- stop_app` alone
    (kind, value), = raw.items()
    if kind == REPEAT:
        return Step(kind, steps=tuple(_normalise(s) for s in value["steps"]), times=int(value["times"]))
    spec = STEPS[kind]
    if value is None:
        return Step(kind)
    if not isinstance(value, dict):
        value = {spec.shorthand: value}
    return Step(kind, dict(value))


def load_steps(content: str) -> list[Step]:
    checked = validate_yaml(content)
    if not checked.valid:
        problems = "; ".join(f"line {e.line}: {e.message}" for e in checked.errors)
        raise ScriptInvalid(f"the YAML script is not valid: {problems}")
    return [_normalise(raw) for raw in yaml.safe_load(content)]


def swipe_points(direction: str, width: int, height: int) -> tuple[int, int, int, int]:
    """A finger stroke over the middle 50 % of the screen; `up` moves the finger up (content scrolls down)."""
    cx, cy = width // 2, height // 2
    dx, dy = width // 4, height // 4
    return {"up": (cx, cy + dy, cx, cy - dy), "down": (cx, cy - dy, cx, cy + dy),
            "left": (cx + dx, cy, cx - dx, cy), "right": (cx - dx, cy, cx + dx, cy)}[direction]


class StepRunner:
    """Runs steps in order, emitting `step N <kind> start` / `end` marks around each (N counts executed
    steps from 1, repeats included) and the name of each `mark` step. Stops between steps and during
    waits when `stop` is set."""

    def __init__(self, driver: Driver, mark: Callable[[str], None], stop: threading.Event | None = None,
                 on_step: Callable[[str], None] = lambda label: None, screenshots: Path | None = None) -> None:
        self.driver, self.mark, self.on_step = driver, mark, on_step
        self.stop = stop or threading.Event()
        self.screenshots = screenshots
        self.count = 0

    def run(self, steps: list[Step] | tuple[Step, ...]) -> None:
        for step in steps:
            if step.kind == REPEAT:
                for _ in range(step.times):
                    self.run(step.steps)
                continue
            if self.stop.is_set():
                raise Stopped()
            self.count += 1
            label = f"step {self.count} {step.kind}"
            self.on_step(label)
            if step.kind == "mark":
                self.mark(str(step.args["name"]))
                continue
            self.mark(f"{label} start")
            try:
                self._do(step)
            except Stopped:
                raise
            except StepError as exc:
                raise StepFailed(f"{label} failed: {exc}") from None
            except Exception as exc:  # a driver bug or a lost device: still the step's failure
                raise StepFailed(f"{label} failed: {type(exc).__name__}: {exc}") from None
            self.mark(f"{label} end")

    def _do(self, step: Step) -> None:
        a, d = step.args, self.driver
        match step.kind:
            case "launch_app":
                d.launch_app(a.get("package"), a.get("activity"), wait=bool(a.get("wait", True)))
            case "stop_app":
                d.stop_app(a.get("package"))
            case "tap":
                if "text" in a and "timeout" in a:
                    d.wait_for_text(a["text"], float(a["timeout"]))
                x, y = a.get("x"), a.get("y")
                d.tap(int(x) if x is not None else None, int(y) if y is not None else None,
                      text=a.get("text"), resource_id=a.get("id"))
            case "swipe":
                duration = int(a.get("duration_ms", 300))
                if "direction" in a:
                    width, height = d.screen_size()
                    d.swipe(*swipe_points(a["direction"], width, height), duration_ms=duration)
                else:
                    (x1, y1), (x2, y2) = a["from"], a["to"]
                    d.swipe(int(x1), int(y1), int(x2), int(y2), duration_ms=duration)
            case "input_text":
                d.input_text(a["text"], clear=bool(a.get("clear", False)))
            case "key":
                d.key(a["key"])
            case "wait":
                if self.stop.wait(float(a["seconds"])):  # interruptible, unlike driver.wait
                    raise Stopped()
            case "wait_for_text":
                d.wait_for_text(a["text"], float(a.get("timeout", 10.0)), gone=bool(a.get("gone", False)))
            case "screenshot":
                name = str(a.get("name") or f"step-{self.count}")
                image = d.screenshot(name)
                if self.screenshots is not None:
                    self.screenshots.mkdir(parents=True, exist_ok=True)
                    # numbered by step: a screenshot inside a repeat keeps every take
                    (self.screenshots / f"{self.count:03d}-{name}.png").write_bytes(image)
            case "shell":
                d.shell(a["command"], timeout=float(a.get("timeout", 30.0)))
            case _:
                raise StepError(f"unknown step {step.kind}")
