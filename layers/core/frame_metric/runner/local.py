"""Local process targets: a psutil sampler and a driver that can run commands.

The sampler measures the target process and its descendants together (a command the runner
launches through a shell, or an app with worker processes, is one thing to the tester)."""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import time
from dataclasses import dataclass

import psutil

from frame_metric.runner.interfaces import Driver, RunClock, Sample, Sampler, SamplerError, StepError

MB = 1024 * 1024
PROCESS_METRICS = {"app_cpu", "app_cpu_per_core", "system_cpu", "memory_rss", "memory_uss", "threads", "fds",
                   "disk_read", "disk_write", "net_rx", "net_tx"}


def kill_tree(pid: int, timeout: float = 3.0) -> None:
    """SIGTERM a process and all its descendants, SIGKILL what is still there after `timeout`."""
    try:
        root = psutil.Process(pid)
        family = [*root.children(recursive=True), root]
    except psutil.NoSuchProcess:
        return
    for process in family:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.terminate()
    _, alive = psutil.wait_procs(family, timeout=timeout)
    for process in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    psutil.wait_procs(alive, timeout=timeout)


def launch(command: str) -> subprocess.Popen[bytes]:
    """Start a command in its own session, so stopping it reaches everything it started."""
    return subprocess.Popen(command, shell=True, start_new_session=True, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def find_by_name(name: str) -> psutil.Process:
    """The oldest process whose name (or executable base name) is `name`: a parent, not a worker."""
    found = []
    for process in psutil.process_iter(["name", "exe", "create_time"]):
        exe = os.path.basename(process.info.get("exe") or "")
        if name in (process.info.get("name"), exe) and process.pid != os.getpid():
            found.append(process)
    if not found:
        raise SamplerError(f"no process named {name!r} is running")
    return min(found, key=lambda p: p.info.get("create_time") or 0)


@dataclass
class _Baseline:
    at: float
    cpu: dict[int, float]
    io: tuple[float, float] | None
    net: tuple[float, float] | None


class LocalProcessSampler(Sampler):
    """psutil readings of one process (by pid, by name, or a command it launches) and its children.

    app_cpu is normalised to all cores (0-100) and app_cpu_per_core is top-style (100 per busy core);
    both and the I/O and network rates are deltas, so the first read of each only sets the baseline.
    memory_uss needs permission to read the process's maps: it is skipped when refused."""

    def __init__(self, pid: int | None = None, name: str | None = None, command: str | None = None) -> None:
        if sum(x is not None for x in (pid, name, command)) != 1:
            raise ValueError("give exactly one of pid, name, command")
        self.launched: subprocess.Popen[bytes] | None = launch(command) if command else None
        try:
            if self.launched is not None:
                self.process = psutil.Process(self.launched.pid)
            elif pid is not None:
                self.process = psutil.Process(pid)
            else:
                self.process = find_by_name(str(name))
        except psutil.NoSuchProcess:
            raise SamplerError(f"process {pid} does not exist") from None
        self.label = command or name or str(pid)
        self.cores = psutil.cpu_count() or 1
        self._known: dict[int, psutil.Process] = {self.process.pid: self.process}
        self._last: _Baseline | None = None
        self._uss_allowed = True
        psutil.cpu_percent(None)  # baseline of the machine-wide CPU

    def metrics(self) -> set[str]:
        return set(PROCESS_METRICS)

    def _family(self) -> list[psutil.Process]:
        if self.launched is not None and self.launched.poll() is not None:
            raise SamplerError(f"the target command ended (exit code {self.launched.returncode}): {self.label}")
        try:
            if not self.process.is_running() or self.process.status() == psutil.STATUS_ZOMBIE:
                raise psutil.NoSuchProcess(self.process.pid)
            children = self.process.children(recursive=True)
        except psutil.NoSuchProcess:
            raise SamplerError(f"the target process {self.process.pid} ({self.label}) ended") from None
        # Keep the same Process objects across reads: psutil caches what identifies a process by them.
        family = [self.process]
        for child in children:
            family.append(self._known.setdefault(child.pid, child))
        return family

    def read(self, metrics: set[str], clock: RunClock) -> list[Sample]:
        family = self._family()
        t, now = clock.t(), time.monotonic()
        cpu: dict[int, float] = {}
        rss = uss = 0.0
        threads = fds = 0
        io_read = io_write = 0.0
        for process in family:
            try:
                with process.oneshot():
                    times = process.cpu_times()
                    cpu[process.pid] = times.user + times.system
                    rss += process.memory_info().rss
                    threads += process.num_threads()
                    if "fds" in metrics and hasattr(process, "num_fds"):
                        fds += process.num_fds()
                    if "memory_uss" in metrics and self._uss_allowed:
                        try:
                            uss += process.memory_full_info().uss
                        except psutil.AccessDenied:
                            self._uss_allowed = False
                    if hasattr(process, "io_counters"):
                        counters = process.io_counters()
                        io_read += counters.read_bytes
                        io_write += counters.write_bytes
            except psutil.NoSuchProcess:
                if process is self.process:
                    raise SamplerError(f"the target process {self.process.pid} ({self.label}) ended") from None
                self._known.pop(process.pid, None)  # a child that ended between listing and reading
            except psutil.AccessDenied:
                continue
        net = psutil.net_io_counters()
        current = _Baseline(now, cpu, (io_read, io_write), (net.bytes_recv, net.bytes_sent) if net else None)
        out: list[Sample] = []

        def add(metric: str, value: float) -> None:
            if metric in metrics:
                out.append(Sample(t, metric, round(value, 3)))

        add("memory_rss", rss / MB)
        if self._uss_allowed:
            add("memory_uss", uss / MB)
        add("threads", threads)
        if hasattr(self.process, "num_fds"):
            add("fds", fds)
        add("system_cpu", psutil.cpu_percent(None))
        last, self._last = self._last, current
        if last is not None and now > last.at:
            elapsed = now - last.at
            # A child not seen at the last read was born since (children are listed at every read), so
            # all of its CPU time falls in this interval.
            used = sum(max(0.0, v - last.cpu.get(pid, 0.0)) for pid, v in cpu.items())
            per_core = 100.0 * used / elapsed
            add("app_cpu_per_core", per_core)
            add("app_cpu", per_core / self.cores)
            if last.io and current.io:
                add("disk_read", max(0.0, current.io[0] - last.io[0]) / 1024 / elapsed)
                add("disk_write", max(0.0, current.io[1] - last.io[1]) / 1024 / elapsed)
            if last.net and current.net:
                add("net_rx", max(0.0, current.net[0] - last.net[0]) / 1024 / elapsed)
                add("net_tx", max(0.0, current.net[1] - last.net[1]) / 1024 / elapsed)
        return out

    def close(self) -> None:
        if self.launched is not None:
            kill_tree(self.launched.pid)
            self.launched.wait(timeout=10)


class LocalDriver(Driver):
    """Scenario steps for a process target: shell commands, waits and marks. Steps about screens and
    apps have no meaning for a local process and fail naming the step."""

    def __init__(self) -> None:
        self._running: subprocess.Popen[str] | None = None
        self._closed = False

    def _refuse(self, step: str) -> StepError:
        return StepError(f"{step} needs an android target; a local process target can run shell, wait and mark")

    def launch_app(self, package: str | None = None, activity: str | None = None, wait: bool = True) -> None:
        raise self._refuse("launch_app")

    def stop_app(self, package: str | None = None) -> None:
        raise self._refuse("stop_app")

    def tap(self, x: int | None = None, y: int | None = None, text: str | None = None,
            resource_id: str | None = None) -> None:
        raise self._refuse("tap")

    def screen_size(self) -> tuple[int, int]:
        raise self._refuse("swipe")  # only swipes by direction ask for the screen size

    def swipe(self, x1: int, y1: int, x2: int, y2: int, duration_ms: int = 300) -> None:
        raise self._refuse("swipe")

    def input_text(self, text: str, clear: bool = False) -> None:
        raise self._refuse("input_text")

    def key(self, key: str | int) -> None:
        raise self._refuse("key")

    def wait_for_text(self, text: str, timeout: float = 10.0, gone: bool = False) -> None:
        raise self._refuse("wait_for_text")

    def screenshot(self, name: str) -> bytes:
        raise self._refuse("screenshot")

    def shell(self, command: str, timeout: float = 30.0) -> str:
        if self._closed:
            raise StepError("the run is stopping")
        process = subprocess.Popen(command, shell=True, start_new_session=True, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self._running = process
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_tree(process.pid)
            process.communicate()
            raise StepError(f"{shlex.quote(command)} did not end within {timeout:g} s") from None
        finally:
            self._running = None
        if self._closed:
            raise StepError("the run is stopping")
        if process.returncode != 0:
            tail = output.strip().splitlines()[-3:]
            raise StepError(f"{command!r} exited with {process.returncode}" + (f": {' | '.join(tail)}" if tail else ""))
        return output

    def close(self) -> None:
        """Stop a command still running (the run ended while a shell step was waiting)."""
        self._closed = True
        running = self._running
        if running is not None and running.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(running.pid, signal.SIGTERM)
            kill_tree(running.pid)
