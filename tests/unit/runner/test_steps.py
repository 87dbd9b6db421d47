"""YAML steps on a driver: calls, marks around each step, failures naming the step, stopping."""

from __future__ import annotations

import threading
import time

import pytest

from frame_metric.runner.interfaces import StepError
from frame_metric.runner.local import LocalDriver
from frame_metric.runner.steps import ScriptInvalid, StepFailed, StepRunner, Stopped, load_steps, swipe_points
from tests.unit.runner.fakes import FakeDriver

SCRIPT = """\
- launch_app: com.example.shop
- mark: home shown
- repeat:
    times: 2
    steps:
      - swipe: {direction: up, duration_ms: 200}
      - wait: 0.01
- tap: {x: 540, y: 1200}
- tap: Login
- swipe: {from: [1, 2], to: [3, 4]}
- input_text: coffee
- key: enter
- shell: echo hi
- stop_app
"""


def test_steps_call_the_driver_and_emit_marks() -> None:
    driver, marks = FakeDriver(), []
    runner = StepRunner(driver, marks.append)
    runner.run(load_steps(SCRIPT))
    up = swipe_points("up", 1080, 2400)
    assert driver.calls == [
        ("launch_app", "com.example.shop", None, True), ("swipe", *up, 200), ("swipe", *up, 200),
        ("tap", 540, 1200, None, None), ("tap", None, None, "Login", None), ("swipe", 1, 2, 3, 4, 300),
        ("input_text", "coffee", False), ("key", "enter"), ("shell", "echo hi"), ("stop_app", None)]
    assert up == (540, 1800, 540, 600)  # finger moves up
    assert marks[:4] == ["step 1 launch_app start", "step 1 launch_app end", "home shown", "step 3 swipe start"]
    assert "step 6 wait end" in marks and marks[-1] == "step 13 stop_app end"


def test_a_failing_step_fails_naming_the_step() -> None:
    marks: list[str] = []
    with pytest.raises(StepFailed, match=r"step 2 tap failed: tap went wrong"):
        StepRunner(FakeDriver(fail_on="tap"), marks.append).run(load_steps("- mark: a\n- tap: OK\n- key: back\n"))
    assert marks == ["a", "step 2 tap start"]


def test_an_invalid_script_is_refused_by_line() -> None:
    with pytest.raises(ScriptInvalid, match="line 2"):
        load_steps("- wait: 1\n- fly: away\n")


def test_stop_interrupts_a_wait() -> None:
    stop = threading.Event()
    threading.Timer(0.2, stop.set).start()
    started = time.monotonic()
    with pytest.raises(Stopped):
        StepRunner(FakeDriver(), lambda m: None, stop).run(load_steps("- wait: 30\n"))
    assert time.monotonic() - started < 2


def test_the_local_driver_runs_shell_and_refuses_screen_steps() -> None:
    driver = LocalDriver()
    assert driver.shell("echo local").strip() == "local"
    with pytest.raises(StepError, match="exited with 3"):
        driver.shell("echo oops; exit 3")
    with pytest.raises(StepError, match="did not end within"):
        driver.shell("sleep 5", timeout=0.3)
    with pytest.raises(StepFailed, match="step 1 tap failed: tap needs an android target"):
        StepRunner(driver, lambda m: None).run(load_steps("- tap: Login\n"))


def test_screenshots_are_kept_numbered_by_step(tmp_path) -> None:
    driver = FakeDriver()
    script = "- screenshot: home\n- repeat:\n    times: 2\n    steps:\n      - screenshot: cart\n- screenshot\n"
    StepRunner(driver, lambda name: None, screenshots=tmp_path / "shots").run(load_steps(script))
    assert sorted(p.name for p in (tmp_path / "shots").iterdir()) == [
        "001-home.png", "002-cart.png", "003-cart.png", "004-step-4.png"]


def test_wait_for_text_gone_reaches_the_driver() -> None:
    driver = FakeDriver()
    StepRunner(driver, lambda name: None).run(load_steps("- wait_for_text: {text: Loading, gone: true, timeout: 2}\n"))
    assert driver.calls == [("wait_for_text", "Loading", 2.0, "gone")]


def test_gone_is_checked_by_the_servers_validator_with_its_line() -> None:
    with pytest.raises(ScriptInvalid, match=r"line 4: wait_for_text.gone must be true or false"):
        load_steps("- wait: 1\n- wait_for_text:\n    text: Loading\n    gone: maybe\n")
