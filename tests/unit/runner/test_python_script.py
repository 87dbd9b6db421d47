"""A Python scenario in a child process: the proxied driver, marks, failures by line, the time limit."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import psutil
import pytest

from frame_metric.runner.python_script import PythonScript
from frame_metric.runner.steps import StepFailed, Stopped
from tests.unit.runner.fakes import FakeDriver


def test_run_gets_a_driver_whose_calls_reach_the_runner() -> None:
    source = ("def run(driver):\n    driver.mark('start')\n    out = driver.shell('ls')\n"
              "    driver.tap(x=1, y=2)\n    driver.mark(out)\n")
    driver, marks = FakeDriver(), []
    PythonScript(source, time_limit=30).run(driver, marks.append)
    assert driver.calls == [("shell", "ls"), ("tap", 1, 2, None, None)]
    assert marks == ["start", "ran ls"]


def test_a_failure_names_the_line_and_a_driver_error_reaches_the_script() -> None:
    source = "def run(driver):\n    x = 1\n    raise ValueError('bad state')\n"
    with pytest.raises(StepFailed, match=r"line 3: ValueError: bad state"):
        PythonScript(source, "<demo>", time_limit=30).run(FakeDriver(), lambda m: None)
    failing = "def run(driver):\n    driver.key('back')\n"
    with pytest.raises(StepFailed, match=r"line 2: StepError: driver.key: key went wrong"):
        PythonScript(failing, "<demo>", time_limit=30).run(FakeDriver(fail_on="key"), lambda m: None)


def test_the_time_limit_kills_the_script_and_its_children(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    source = (f"import subprocess, time\ndef run(driver):\n    p = subprocess.Popen(['sleep', '60'])\n"
              f"    open({str(pid_file)!r}, 'w').write(str(p.pid))\n    while True: time.sleep(0.05)\n")
    started = time.monotonic()
    with pytest.raises(StepFailed, match="time limit of 2 s"):
        PythonScript(source, time_limit=2).run(FakeDriver(), lambda m: None)
    assert time.monotonic() - started < 8
    grandchild = int(pid_file.read_text())
    time.sleep(0.2)
    assert not psutil.pid_exists(grandchild) or psutil.Process(grandchild).status() == psutil.STATUS_ZOMBIE


def test_stop_ends_the_script() -> None:
    stop = threading.Event()
    threading.Timer(1.0, stop.set).start()
    with pytest.raises(Stopped):
        PythonScript("import time\ndef run(driver):\n    time.sleep(60)\n", time_limit=60).run(
            FakeDriver(), lambda m: None, stop)
