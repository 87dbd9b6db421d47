"""A run from start to verdict: sampler and scenario side by side on one clock, streamed to the API.

The runner owns the end of a run. It ends when the scenario ends, when the task's duration limit
passes, on Ctrl-C or SIGTERM, when the run is cancelled from the console, or when the target goes
away (SamplerError). Then it stops the scenario and every child process, delivers what it holds
(spooling to disk while the server is away), and finishes or fails the run.

Exit codes: 0 the run passed (or has no thresholds), 1 it failed (a threshold, a step, the target),
2 it could not be judged (cancelled, the server never came back, an API refusal)."""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from frame_metric.client import ApiError
from frame_metric.runner.api import MonitorApi, transient
from frame_metric.runner.interfaces import Driver, Mark, RunClock, Sampler
from frame_metric.runner.python_script import PythonScript
from frame_metric.runner.scheduler import Scheduler
from frame_metric.runner.spool import Spool
from frame_metric.runner.steps import Step, StepFailed, StepRunner, Stopped
from frame_metric.runner.summary import LiveLine, describe
from frame_metric.runner.uploader import Uploader

log = logging.getLogger(__name__)

PASS, FAIL, ERROR = 0, 1, 2


@dataclass(frozen=True)
class Scenario:
    """What the run plays on the target: YAML steps, a Python script, or nothing (monitor only)."""

    steps: list[Step] | None = None
    python: PythonScript | None = None
    # The task's repeat_count: the script plays this many times within the one run, each iteration's
    # marks prefixed "iteration i/n " so results show every iteration's segments side by side.
    repeat: int = 1


@dataclass
class End:
    reason: str
    failure: str | None = None  # set: the run fails with it


class Runner:
    def __init__(self, api: MonitorApi, run: dict[str, Any], sampler: Sampler, driver: Driver | None,
                 scenario: Scenario, duration_limit_s: float, spool_dir: Path, out: TextIO | None = None,
                 err: TextIO | None = None, flush_timeout: float = 120.0, screenshots: Path | None = None) -> None:
        self.api, self.run_id, self.sampler, self.driver = api, run["run_id"], sampler, driver
        self.profile = run.get("profile") or {}
        self.scenario, self.duration_limit = scenario, float(duration_limit_s)
        # Resolved now, not at import: a redirected or captured sys.stdout must be the one used.
        self.out, self.err, self.flush_timeout = out or sys.stdout, err or sys.stderr, flush_timeout
        self.clock = RunClock()
        self.spool = Spool(Path(spool_dir) / f"{self.run_id}.jsonl")
        self.uploader = Uploader(api, self.run_id, self.spool)
        self.stop = threading.Event()
        self.step = ""
        self.script_end: End | None = None
        self.interrupted: str | None = None
        self.screenshots = screenshots  # where `screenshot` steps leave their PNGs (None: not kept)

    # -- wiring --------------------------------------------------------------------------------

    def intervals(self) -> dict[str, int]:
        can = self.sampler.metrics()
        wanted = {item["metric"]: int(item["interval_ms"]) for item in self.profile.get("items", [])}
        skipped = sorted(set(wanted) - can)
        if skipped:
            print(f"frame-metric: this target cannot give {', '.join(skipped)}; not sampled", file=self.err)
        return {metric: ms for metric, ms in wanted.items() if metric in can}

    def mark(self, name: str) -> None:
        self.uploader.add_mark(Mark(self.clock.t(), name))

    def _on_step(self, label: str) -> None:
        self.step = label

    def _play(self) -> None:
        try:
            if self.driver is None or (self.scenario.steps is None and self.scenario.python is None):
                return  # monitor only: the duration limit or the user ends the run
            times = max(1, self.scenario.repeat)
            for iteration in range(1, times + 1):
                if self.stop.is_set():
                    raise Stopped()
                self._play_once(self.driver, iteration, times)
            self.script_end = End("the scenario ended")
        except Stopped:
            pass
        except StepFailed as exc:
            self.script_end = End("a scenario step failed", str(exc))
        except Exception as exc:
            log.exception("the scenario crashed")
            self.script_end = End("the scenario crashed", f"the scenario crashed: {type(exc).__name__}: {exc}")
        finally:
            self.step = "scenario ended" if self.script_end else self.step

    def _play_once(self, driver: Driver, iteration: int, times: int) -> None:
        prefix = f"iteration {iteration}/{times} " if times > 1 else ""
        folder = self.screenshots
        if folder is not None and times > 1:
            folder = folder / f"iteration-{iteration}"

        def mark(name: str) -> None:
            self.mark(prefix + name)

        def on_step(label: str) -> None:
            self._on_step(prefix + label)

        if prefix:
            self.mark(f"{prefix}start")
        if self.scenario.steps is not None:
            StepRunner(driver, mark, self.stop, on_step, screenshots=folder).run(self.scenario.steps)
        elif self.scenario.python is not None:
            self.scenario.python.run(driver, mark, self.stop, on_step)
        if prefix:
            self.mark(f"{prefix}end")

    def _signal(self, signum: int, frame: FrameType | None) -> None:
        self.interrupted = "interrupted (Ctrl-C)" if signum == signal.SIGINT else "terminated (SIGTERM)"

    # -- the run -------------------------------------------------------------------------------

    def execute(self) -> int:
        scheduler = Scheduler(self.sampler, self.intervals(), self.clock, self.uploader.add_samples,
                              self.uploader.add_mark)
        player = threading.Thread(target=self._play, name="scenario", daemon=True)
        handlers = self._install_signals()
        live = LiveLine(self.err)
        try:
            self.api.start(self.run_id, self.clock.origin_monotonic)
            self.uploader.start()
            scheduler.start()
            player.start()
            end = self._watch(scheduler, live)
        finally:
            live.close()
            self.stop.set()
            if self.driver is not None:
                self.driver.close()  # ends a shell step or a driver call in progress
            if player.is_alive():  # not started when `start` was refused
                player.join(timeout=15)
            scheduler.stop()
            self.sampler.close()  # kills a command the runner launched; an android recorder pulls its video
            self._restore_signals(handlers)
        code = self._conclude(end)
        self._link_recording()
        if self.screenshots is not None and self.screenshots.is_dir():
            taken = sum(1 for _ in self.screenshots.rglob("*.png"))
            print(f"  screenshots: {taken} in {self.screenshots}", file=self.out)
        return code

    def _link_recording(self) -> None:
        """With --record, the android sampler leaves the screen recording's segments in `videos` and the
        host monotonic time each began in `video_starts`. Each is uploaded as a frame-metric video and
        linked to the run at its offset on the run's timeline, in order. A segment that cannot be
        uploaded is reported and kept on disk; the others still go."""
        videos: list[Path] = list(getattr(self.sampler, "videos", None) or [])
        starts: list[float] = list(getattr(self.sampler, "video_starts", None) or [])
        if not videos:
            return
        from frame_metric.client import FrameMetricClient

        client = FrameMetricClient(self.api.base_url)
        for index, video in enumerate(videos):
            # without a start time (a sampler that does not say) a segment is taken to begin at run time 0
            offset = round(starts[index] - self.clock.origin_monotonic, 3) if index < len(starts) else 0.0
            try:
                ticket = client.upload(video)
                self.api.call("POST", f"/runs/{self.run_id}/videos", {"video_id": ticket["video_id"],
                                                                      "offset_s": offset})
            except ApiError as exc:
                print(f"frame-metric: the screen recording {video} could not be linked: {exc.detail}", file=self.err)
                continue
            print(f"  screen recording {index + 1}/{len(videos)}: video {ticket['video_id']} linked at "
                  f"{offset:.2f} s of the run", file=self.out)

    def _watch(self, scheduler: Scheduler, live: LiveLine) -> End:
        while True:
            elapsed = self.clock.t()
            live.show(elapsed, self.step, scheduler.latest, self.uploader)
            if scheduler.error is not None:
                return End("the target went away", str(scheduler.error))
            if self.script_end is not None:
                return self.script_end
            if elapsed >= self.duration_limit:
                return End(f"the duration limit of {self.duration_limit:g} s passed")
            if self.interrupted:
                return End(self.interrupted)
            ended = self.uploader.ended_by_server
            if ended is not None:
                return End(f"the run was {ended['status']} on the server")
            if self.uploader.refused:
                return End(f"the server refused the run's batches: {self.uploader.refused}")
            time.sleep(0.1)

    def _conclude(self, end: End) -> int:
        delivered = self.uploader.stop(self.flush_timeout)
        if not delivered and not self.uploader.refused:
            keep_for_later(self.spool, self.api, end)
            print(f"frame-metric: the server did not come back within {self.flush_timeout:g} s; "
                  f"{len(self.spool)} batches are kept in {self.spool.path}. Send them and end the run with: "
                  f"frame-metric run --resend {self.run_id} --api {self.api.base_url} "
                  f"--spool-dir {self.spool.path.parent}", file=self.err)
            return ERROR
        return close_run(self.api, self.run_id, end, self.uploader, self.out, self.err)

    def _install_signals(self) -> dict[int, Any]:
        if threading.current_thread() is not threading.main_thread():
            return {}  # signals only reach the main thread; a runner started elsewhere is stopped by `stop`
        return {sig: signal.signal(sig, self._signal) for sig in (signal.SIGINT, signal.SIGTERM)}

    @staticmethod
    def _restore_signals(handlers: dict[int, Any]) -> None:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


def _retry(call: Any, attempts: int = 20) -> Any:
    """Finish, fail and results are idempotent, so a lost answer is simply asked again."""
    for attempt in range(attempts):
        try:
            return call()
        except ApiError as exc:
            if not transient(exc) or attempt == attempts - 1:
                raise
            time.sleep(min(0.5 * (attempt + 1), 5))
    raise AssertionError("unreachable")


def close_run(api: MonitorApi, run_id: str, end: End, uploader: Uploader, out: TextIO, err: TextIO) -> int:
    """Finish or fail the run (unless it already ended on the server), print the summary, say the code."""
    try:
        run = uploader.ended_by_server or api.run(run_id)
        if run["status"] == "running":
            run = _retry(lambda: api.fail(run_id, end.failure) if end.failure else api.finish(run_id))
        results = _retry(lambda: api.results(run_id))
    except ApiError as exc:
        print(f"frame-metric: {end.reason}; then the API refused: {exc.detail}", file=err)
        return ERROR
    print(describe(run, results, end.reason), file=out)
    print(f"  sent {uploader.delivered} of {uploader.collected} samples"
          + (f" ({uploader.dropped} refused as malformed)" if uploader.dropped else ""), file=out)
    if run["status"] == "cancelled" or uploader.refused:
        return ERROR
    return FAIL if run["status"] == "failed" or run.get("verdict") == "fail" else PASS


def _pending_path(spool: Spool) -> Path:
    return spool.path.with_suffix(".pending.json")


def keep_for_later(spool: Spool, api: MonitorApi, end: End) -> None:
    """What `--resend` needs besides the batches: the run token (shown only once, so it must be kept;
    an owner-only file next to the spool) and how the run ended."""
    path = _pending_path(spool)
    path.write_text(json.dumps({"token": api.token, "reason": end.reason, "failure": end.failure}), encoding="utf-8")
    path.chmod(0o600)


def resend(api_url: str, run_id: str, spool_dir: Path, out: TextIO | None = None, err: TextIO | None = None,
           flush_timeout: float = 120.0) -> int:
    """Deliver a spool an earlier `frame-metric run` left behind, then end the run as it had ended."""
    out, err = out or sys.stdout, err or sys.stderr
    spool = Spool(Path(spool_dir) / f"{run_id}.jsonl")
    pending = _pending_path(spool)
    if not pending.exists():
        print(f"frame-metric: nothing to resend for run {run_id} in {spool_dir}", file=err)
        return ERROR
    kept = json.loads(pending.read_text(encoding="utf-8"))
    api = MonitorApi(api_url, token=kept["token"])
    uploader = Uploader(api, run_id, spool)
    if not uploader.stop(flush_timeout) and not uploader.refused:
        print(f"frame-metric: the server is still unreachable; {len(spool)} batches remain in {spool.path}", file=err)
        return ERROR
    code = close_run(api, run_id, End(kept["reason"], kept["failure"]), uploader, out, err)
    pending.unlink(missing_ok=True)
    return code
