"""The seams of the runner: a clock both halves share, samplers that read metrics, and drivers that
perform scenario steps. Android (adb) and local-process implementations live beside this module."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RunClock:
    """One host monotonic clock for the sampler and the script, mapped to wall time once at start.
    `t()` is seconds since the run started: the `t` of every sample and mark sent to the server."""

    origin_monotonic: float = field(default_factory=time.monotonic)
    origin_wall: float = field(default_factory=time.time)

    def t(self) -> float:
        return time.monotonic() - self.origin_monotonic

    def wall(self, t: float) -> float:
        return self.origin_wall + t


@dataclass(frozen=True)
class Sample:
    t: float
    metric: str  # a name from frame_metric.monitor.catalog
    value: float


@dataclass(frozen=True)
class Mark:
    t: float
    name: str


class SamplerError(Exception):
    """The target is gone for good (device disconnected, process ended): the run fails with this."""


class Sampler(ABC):
    """Reads some metrics of one target. `read` is called at each metric's own interval (from the
    profile) by the runner's scheduler; it returns the samples it could take now (possibly none, e.g.
    the first CPU read only sets the baseline for the next delta)."""

    @abstractmethod
    def metrics(self) -> set[str]:
        """The catalog metric names this sampler can produce for its target."""

    @abstractmethod
    def read(self, metrics: set[str], clock: RunClock) -> list[Sample]:
        """Take the wanted metrics now. Raises SamplerError when the target is gone for good."""

    def take_marks(self) -> list[Mark]:
        """What happened to the target since the last call (an app restart, the app gone), as marks for
        the run's timeline. Called by the scheduler after every read, on the reading thread."""
        return []

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release what the sampler holds (subprocesses, connections)."""


class StepError(Exception):
    """A scenario step failed; the run fails naming the step and this message."""


class Driver(ABC):
    """Performs scenario steps on a target. A YAML step maps onto one call; a Python script receives
    the driver object itself (`run(driver)`)."""

    @abstractmethod
    def launch_app(self, package: str | None = None, activity: str | None = None, wait: bool = True) -> None: ...

    @abstractmethod
    def stop_app(self, package: str | None = None) -> None: ...

    @abstractmethod
    def tap(self, x: int | None = None, y: int | None = None, text: str | None = None,
            resource_id: str | None = None) -> None: ...

    @abstractmethod
    def screen_size(self) -> tuple[int, int]:
        """(width, height) in pixels, for steps given as a direction rather than coordinates."""

    @abstractmethod
    def swipe(self, x1: int, y1: int, x2: int, y2: int, duration_ms: int = 300) -> None: ...

    @abstractmethod
    def input_text(self, text: str, clear: bool = False) -> None: ...

    @abstractmethod
    def key(self, key: str | int) -> None: ...

    @abstractmethod
    def wait_for_text(self, text: str, timeout: float = 10.0, gone: bool = False) -> None:
        """Raises StepError when the text did not appear (with `gone`: did not disappear) within the timeout."""

    @abstractmethod
    def screenshot(self, name: str) -> bytes: ...

    @abstractmethod
    def shell(self, command: str, timeout: float = 30.0) -> str: ...

    def wait(self, seconds: float) -> None:
        time.sleep(seconds)

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release what the driver holds."""
