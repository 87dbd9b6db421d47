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


@dataclass
class End:
    reason: str
    failure: str | None = None  # set: the run fails with it


class Runner:
    def __init__(self, api: MonitorApi, run: dict[str, Any], sampler: Sampler, driver: Driver | None,
                 scenario: Scenario, duration_limit_s: float, spool_dir: Path, out: TextIO | None = None,
                 err: TextIO | None = None, flush_timeout: float = 120.0) -> None:
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
            if self.scenario.steps is not None and self.driver is not None:
                StepRunner(self.driver, self.mark, self.stop, self._on_step).run(self.scenario.steps)
            elif self.scenario.python is not None and self.driver is not None:
                self.scenario.python.run(self.driver, self.mark, self.stop, self._on_step)
            else:
                return  # monitor only: the duration limit or the user ends the run
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

    def _signal(self, signum: int, frame: FrameType | None) -> None:
        self.interrupted = "interrupted (Ctrl-C)" if signum == signal.SIGINT else "terminated (SIGTERM)"

    # -- the run -------------------------------------------------------------------------------

    def execute(self) -> int:
        scheduler = Scheduler(self.sampler, self.intervals(), self.clock, self.uploader.add_samples)
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
        return code

    def _link_recording(self) -> None:
        """With --record, the android sampler leaves the screen recording's segments in `videos`. The
        first is uploaded and linked to the run; the recorder starts at the first sample read, so its
        t=0 is taken as run time 0 (screenrecord's own start-up latency is not measured)."""
        videos: list[Path] = list(getattr(self.sampler, "videos", None) or [])
        if not videos:
            return
        from frame_metric.client import FrameMetricClient

        try:
            ticket = FrameMetricClient(self.api.base_url).upload(videos[0])
            self.api.call("PUT", f"/runs/{self.run_id}/video", {"video_id": ticket["video_id"], "offset_s": 0.0})
        except ApiError as exc:
            print(f"frame-metric: the screen recording {videos[0]} could not be linked: {exc.detail}", file=self.err)
            return
        extra = f" ({len(videos) - 1} more segments kept locally: {', '.join(map(str, videos[1:]))})" \
            if len(videos) > 1 else ""
        print(f"  screen recording: video {ticket['video_id']} linked to the run{extra}", file=self.out)

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
