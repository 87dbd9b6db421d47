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
        assert sampler.launched is not None
        # The reference is the process's own CPU time over the same window: an absolute threshold would
        # fail on a loaded machine, where a busy loop gets less than a core.
        shell = psutil.Process(sampler.launched.pid)  # the family: the shell and the busy loop under it

        def family_cpu() -> float:
            return sum(sum(p.cpu_times()[:2]) for p in [shell, *shell.children(recursive=True)])

        started, cpu_before = time.monotonic(), family_cpu()
        time.sleep(0.5)
        values = {s.metric: s.value for s in sampler.read(ALL, clock)}
        expected = (family_cpu() - cpu_before) / (time.monotonic() - started) * 100
    finally:
        sampler.close()
    assert values["app_cpu_per_core"] > 5  # it is busy, whatever the machine's load
    assert values["app_cpu_per_core"] == pytest.approx(expected, abs=max(10.0, expected * 0.25))  # top-style
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
