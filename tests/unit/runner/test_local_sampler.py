"""psutil for real, on a process the test starts."""

from __future__ import annotations

import subprocess
import sys
import time

import psutil
import pytest

from frame_metric.runner.interfaces import RunClock, SamplerError
from frame_metric.runner.local import LocalProcessSampler

BUSY = f"{sys.executable} -c \"import time\nend=time.time()+30\nwhile time.time()<end: pass\""
ALL = {"app_cpu", "app_cpu_per_core", "memory_rss", "memory_uss", "threads", "fds", "disk_read", "disk_write",
       "system_cpu"}


def test_a_launched_busy_command_is_measured_then_stopped() -> None:
    sampler, clock = LocalProcessSampler(command=BUSY), RunClock()
    try:
        first = {s.metric for s in sampler.read(ALL, clock)}
        assert "app_cpu" not in first and "memory_rss" in first  # the first CPU read is the baseline
        time.sleep(0.5)
        values = {s.metric: s.value for s in sampler.read(ALL, clock)}
    finally:
        sampler.close()
    # one busy core is 100 top-style on an idle machine; a 2-core test machine shared with a load of 8
    # gives the loop a tenth of a core or less, still clearly above the 0 of a process that sleeps
    assert values["app_cpu_per_core"] > 2
    assert values["app_cpu"] == pytest.approx(values["app_cpu_per_core"] / psutil.cpu_count(), abs=0.01)
    assert values["memory_rss"] > 1 and values["threads"] >= 1 and values["fds"] >= 3
    assert sampler.launched is not None and sampler.launched.poll() is not None  # close stopped it
    with pytest.raises(SamplerError, match="ended"):
        sampler.read(ALL, clock)


def test_a_pid_target_that_ends_raises_sampler_error() -> None:
    process = subprocess.Popen(["sleep", "30"])
    sampler = LocalProcessSampler(pid=process.pid)
    assert sampler.read({"memory_rss"}, RunClock())
    process.kill()
    process.wait()
    with pytest.raises(SamplerError, match=f"process {process.pid}"):
        sampler.read({"memory_rss"}, RunClock())


def test_a_name_that_matches_nothing_is_a_sampler_error() -> None:
    with pytest.raises(SamplerError, match="no process named"):
        LocalProcessSampler(name="no-such-process-frame-metric")
