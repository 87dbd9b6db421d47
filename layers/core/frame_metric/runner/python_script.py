"""Run a Python scenario's `run(driver)` in a child process, with a time limit.

Choice: the driver is *proxied*, not re-created in the child. The child gets a DriverProxy whose
calls travel over a multiprocessing pipe to the runner, which performs them on the real driver and
answers. So one driver (one adb connection, one local driver) serves both kinds of script, marks
are stamped on the runner's clock, and the runner can stop a step in progress by closing the
driver. The child is a `spawn`ed interpreter (no fork of a threaded runner) and is killed with all
its descendants on stop, on the time limit, or when it ends."""

from __future__ import annotations

import multiprocessing
import threading
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from frame_metric.runner.interfaces import Driver, StepError
from frame_metric.runner.local import kill_tree
from frame_metric.runner.steps import StepFailed, Stopped

CALLS = {"launch_app", "stop_app", "tap", "screen_size", "swipe", "input_text", "key", "wait_for_text",
         "screenshot", "shell"}


class DriverProxy:
    """What the script's `run(driver)` receives: the Driver's methods, plus `mark(name)`."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def mark(self, name: str) -> None:
        self._conn.send(("mark", str(name)))

    def wait(self, seconds: float) -> None:
        time.sleep(seconds)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name not in CALLS:
            raise AttributeError(f"the driver has no method {name!r}")

        def call(*args: Any, **kwargs: Any) -> Any:
            self._conn.send(("call", name, args, kwargs))
            status, value = self._conn.recv()
            if status == "error":
                raise StepError(value)
            return value
        return call


def _where(exc: BaseException, filename: str) -> str:
    lines = [frame.lineno for frame in traceback.extract_tb(exc.__traceback__) if frame.filename == filename]
    return f"line {lines[-1]}: " if lines else ""


def _child(conn: Connection, source: str, filename: str) -> None:
    try:
        namespace: dict[str, Any] = {"__name__": "__scenario__", "__file__": filename}
        exec(compile(source, filename, "exec"), namespace)
        namespace["run"](DriverProxy(conn))
    except BaseException as exc:
        conn.send(("failed", f"{_where(exc, filename)}{type(exc).__name__}: {exc}"))
    else:
        conn.send(("done", None))
    conn.close()


class PythonScript:
    def __init__(self, source: str, filename: str = "<scenario>", time_limit: float = 600.0) -> None:
        self.source, self.filename, self.time_limit = source, filename, time_limit

    def run(self, driver: Driver, mark: Callable[[str], None], stop: threading.Event | None = None,
            on_step: Callable[[str], None] = lambda label: None) -> None:
        """Returns when `run(driver)` returned; raises StepFailed (an error, the time limit) or Stopped."""
        stop = stop or threading.Event()
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        process = context.Process(target=_child, args=(child, self.source, self.filename), daemon=True,
                                  name="scenario")
        process.start()
        child.close()
        deadline = time.monotonic() + self.time_limit
        try:
            while True:
                if stop.is_set():
                    raise Stopped()
                if time.monotonic() > deadline:
                    raise StepFailed(f"the python script exceeded its time limit of {self.time_limit:g} s")
                if not parent.poll(0.1):
                    if not process.is_alive() and not parent.poll():
                        raise StepFailed(f"the python script's process died (exit code {process.exitcode})")
                    continue
                try:
                    message = parent.recv()
                except EOFError:
                    raise StepFailed(f"the python script's process died (exit code {process.exitcode})") from None
                kind = message[0]
                if kind == "done":
                    return
                if kind == "failed":
                    raise StepFailed(f"the python script failed: {message[1]}")
                if kind == "mark":
                    mark(message[1])
                elif kind == "call":
                    _, name, args, kwargs = message
                    on_step(f"python: driver.{name}")
                    parent.send(self._perform(driver, name, args, kwargs))
        finally:
            if process.is_alive():
                kill_tree(process.pid)
            process.join(timeout=5)
            parent.close()

    @staticmethod
    def _perform(driver: Driver, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[str, Any]:
        try:
            return "ok", getattr(driver, name)(*args, **kwargs)
        except StepError as exc:
            return "error", f"driver.{name}: {exc}"
        except Exception as exc:  # reported to the script, which may catch it or fail
            return "error", f"driver.{name}: {type(exc).__name__}: {exc}"
