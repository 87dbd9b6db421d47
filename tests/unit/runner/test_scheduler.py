"""Each metric at its own interval, on the run clock; a lost target stops the scheduler with the error."""

from __future__ import annotations

import itertools
import statistics
import time

from frame_metric.runner.interfaces import RunClock, Sample, Sampler, SamplerError
from frame_metric.runner.scheduler import Scheduler


class CountingSampler(Sampler):
    def __init__(self, fail_after: int | None = None) -> None:
        self.reads: list[set[str]] = []
        self.fail_after = fail_after

    def metrics(self) -> set[str]:
        return {"app_cpu", "memory_rss"}

    def read(self, metrics: set[str], clock: RunClock) -> list[Sample]:
        self.reads.append(set(metrics))
        if self.fail_after is not None and len(self.reads) > self.fail_after:
            raise SamplerError("device disconnected")
        return [Sample(clock.t(), metric, 1.0) for metric in sorted(metrics)]


def test_each_metric_is_read_at_its_own_interval() -> None:
    sampler, got = CountingSampler(), []
    scheduler = Scheduler(sampler, {"app_cpu": 100, "memory_rss": 400}, RunClock(), got.extend)
    scheduler.start()
    time.sleep(1.05)
    scheduler.stop()
    cpu = [s.t for s in got if s.metric == "app_cpu"]
    rss = [s.t for s in got if s.metric == "memory_rss"]
    assert 8 <= len(cpu) <= 12 and 3 <= len(rss) <= 4
    assert cpu == sorted(cpu) and cpu[0] < 0.05
    gaps = [b - a for a, b in itertools.pairwise(cpu)]
    # on a loaded machine a slot can be missed (a gap of two intervals), but never caught up in a burst
    assert min(gaps) > 0.07 and 0.08 < statistics.median(gaps) < 0.13
    assert {"app_cpu", "memory_rss"} in sampler.reads  # due together: one read
    assert scheduler.latest == {"app_cpu": 1.0, "memory_rss": 1.0}


def test_a_sampler_error_stops_the_scheduler_with_the_reason() -> None:
    scheduler = Scheduler(CountingSampler(fail_after=2), {"app_cpu": 50}, RunClock(), lambda s: None)
    scheduler.start()
    time.sleep(0.4)
    assert scheduler.stopped and str(scheduler.error) == "device disconnected"
