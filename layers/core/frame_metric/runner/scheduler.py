"""Reads each profile metric at its own interval on one thread, stamping samples with the run clock.

One thread (not one per metric) because a sampler keeps delta state (CPU times, I/O counters) that
is not meant to be read concurrently; metrics due at the same moment are read in one call. A slow
read delays the next ones but never makes them pile up: a missed slot is skipped, not caught up."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from frame_metric.runner.interfaces import Mark, RunClock, Sample, Sampler, SamplerError

log = logging.getLogger(__name__)


class Scheduler:
    def __init__(self, sampler: Sampler, intervals_ms: dict[str, int], clock: RunClock,
                 sink: Callable[[list[Sample]], None], on_mark: Callable[[Mark], None] | None = None) -> None:
        self.sampler, self.clock, self.sink, self.on_mark = sampler, clock, sink, on_mark
        self.intervals = {metric: max(ms, 1) / 1000 for metric, ms in intervals_ms.items()}
        self.error: SamplerError | None = None  # set when the target is gone: the run fails with it
        self.latest: dict[str, float] = {}  # for the live line
        self.failed_reads = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="sampler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    @property
    def stopped(self) -> bool:
        return not self._thread.is_alive()

    def _loop(self) -> None:
        due = dict.fromkeys(self.intervals, self.clock.t())
        while not self._stop.is_set():
            now = self.clock.t()
            wanted = {metric for metric, at in due.items() if at <= now}
            if wanted:
                try:
                    samples = self.sampler.read(wanted, self.clock)
                except SamplerError as exc:
                    self.error = exc
                    return
                except Exception:  # a glitch in one read (a parse error, a timeout) must not end the run
                    log.exception("reading %s failed", ", ".join(sorted(wanted)))
                    self.failed_reads += 1
                    samples = []
                for sample in samples:
                    self.latest[sample.metric] = sample.value
                if samples:
                    self.sink(samples)
                for mark in self.sampler.take_marks():  # an app restart goes on the timeline
                    if self.on_mark is not None:
                        self.on_mark(mark)
                after = self.clock.t()
                for metric in wanted:
                    step = self.intervals[metric]
                    nxt = due[metric] + step
                    due[metric] = nxt if nxt > after else after + step - (after - due[metric]) % step
            self._stop.wait(max(0.0, min(due.values()) - self.clock.t()))
