"""Where a step's time goes: each step logs its phases (download, probe, analyse, images, writes) as
one line, with the figures attached to the log record, so `make bench-pipeline` and CloudWatch alike
can tell a slow download from a slow decode."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)


class StepPhases:
    def __init__(self, step: str, video_id: str) -> None:
        self.step, self.video_id = step, video_id
        self.seconds: dict[str, float] = {}
        self._started = time.monotonic()

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        started = time.monotonic()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.monotonic() - started

    def report(self) -> None:
        total = time.monotonic() - self._started
        figures = " ".join(f"{name}={seconds:.3f}s" for name, seconds in self.seconds.items())
        log.info("step %s of video %s took %.3f s: %s", self.step, self.video_id, total, figures,
                 extra={"step": self.step, "video_id": self.video_id, "phases": dict(self.seconds),
                        "total": total})
