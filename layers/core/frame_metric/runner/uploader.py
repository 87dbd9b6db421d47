"""Streams samples and marks to the ingest endpoint in batches, and keeps them when it cannot.

Every `interval` (0.5 s, so at least once a second) what was collected is cut into batches of at
most 500 samples and 100 marks with increasing `seq`. A batch goes straight to the server while the
spool is empty; on a connection error, a 5xx or a 429 (throttled at the API's edge) it goes to the
spool, and from then on every batch queues behind it so the server receives them in order once it
answers again. Sending resumes after a wait that grows exponentially with full jitter (or what the
server's Retry-After asks), so a crowd of runners refused together does not return together. Resending is safe:
the ingest stores each (run, seq) once. The same thread sends heartbeats and polls the run's status,
so a cancel from the console (or the sweeper failing the run) is noticed within a few seconds. While
batches are being stored neither is sent: a stored batch is a heartbeat, and a run that ended refuses
the next batch (409), which is noticed at once. So a sampling runner costs the API one call per batch,
and hundreds of runners fit one stack's default limits (docs/scale.md)."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from typing import Any

from frame_metric.backoff import backoff_delay
from frame_metric.client import ApiError
from frame_metric.runner.api import MonitorApi, transient
from frame_metric.runner.interfaces import Mark, Sample
from frame_metric.runner.spool import Spool

log = logging.getLogger(__name__)

MAX_SAMPLES = 500
MAX_MARKS = 100
ENDED = ("completed", "failed", "cancelled")


class Uploader:
    def __init__(self, api: MonitorApi, run_id: str, spool: Spool, interval: float = 0.5,
                 heartbeat_s: float = 5.0, status_poll_s: float = 2.0) -> None:
        self.api, self.run_id, self.spool = api, run_id, spool
        self.interval, self.heartbeat_s, self.status_poll_s = interval, heartbeat_s, status_poll_s
        self._lock = threading.Lock()
        self._samples: list[Sample] = []
        self._marks: list[Mark] = []
        self._outbox: deque[dict[str, Any]] = deque()
        # A spool left by an earlier attempt of this run keeps its seqs: continue after them.
        queued = [b["seq"] for b in spool.batches()]
        self.next_seq = max(queued) + 1 if queued else 0
        self.collected = 0  # samples handed to the uploader
        self.delivered = 0  # samples the server acknowledged (stored, or already stored)
        self.dropped = 0  # samples in batches the server refused as malformed (never retried)
        self.reachable = True
        self.throttled = 0  # batches the edge refused with 429 (each spooled and sent again later)
        self._failures = 0  # transient failures in a row: the backoff's exponent
        self._resume_at = 0.0  # monotonic time before which no batch is sent
        self.ended_by_server: dict[str, Any] | None = None  # the run as seen once it ended elsewhere
        self.refused: str | None = None  # the server will take no more batches (run not running, token)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="uploader", daemon=True)
        self._next_heartbeat = self._next_poll = 0.0
        self._last_stored = float("-inf")  # monotonic time the server last stored one of our batches

    # -- feeding -------------------------------------------------------------------------------

    def add_samples(self, samples: list[Sample]) -> None:
        with self._lock:
            self._samples.extend(samples)
            self.collected += len(samples)

    def add_mark(self, mark: Mark) -> None:
        with self._lock:
            self._marks.append(mark)

    @property
    def pending(self) -> int:
        """Batches not yet acknowledged (in memory or in the spool)."""
        return len(self._outbox) + len(self.spool)

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> None:
        now = time.monotonic()
        self._next_heartbeat, self._next_poll = now + self.heartbeat_s, now + self.status_poll_s
        self._thread.start()

    def stop(self, flush_timeout: float = 30.0) -> bool:
        """Stop the background loop, then try to deliver everything for up to `flush_timeout` s.
        True when nothing is left; otherwise the rest stays in the spool file."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        deadline = time.monotonic() + flush_timeout
        while True:
            self._cut()
            self._drain()
            if not self.pending or self.refused:
                return not self.pending
            now = time.monotonic()
            if now >= deadline:
                self._spool_outbox()  # whatever is left must be on disk before we give up
                return False
            time.sleep(max(0.0, min(max(self.interval, self._resume_at - now), 0.5, deadline - now)))

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._cut()
            self._drain()
            now = time.monotonic()
            if now >= self._next_heartbeat:
                self._next_heartbeat = now + self.heartbeat_s
                if now - self._last_stored >= self.heartbeat_s:
                    self._quietly(lambda: self.api.heartbeat(self.run_id))
            if now >= self._next_poll:
                self._next_poll = now + self.status_poll_s
                if now - self._last_stored >= self.status_poll_s:
                    self._poll_status()

    # -- batches -------------------------------------------------------------------------------

    def _cut(self) -> None:
        with self._lock:
            samples, marks = self._samples, self._marks
            self._samples, self._marks = [], []
        while samples or marks:
            chunk, samples = samples[:MAX_SAMPLES], samples[MAX_SAMPLES:]
            chunk_marks, marks = marks[:MAX_MARKS], marks[MAX_MARKS:]
            self._outbox.append({
                "seq": self.next_seq,
                "samples": [{"t": round(s.t, 4), "metric": s.metric, "value": s.value} for s in chunk],
                "marks": [{"t": round(m.t, 4), "name": m.name[:200]} for m in chunk_marks]})
            self.next_seq += 1

    def _spool_outbox(self) -> None:
        while self._outbox:
            self.spool.append(self._outbox.popleft())

    def _drain(self) -> None:
        if self.refused:
            return
        if time.monotonic() < self._resume_at:
            self._spool_outbox()  # backing off: new batches wait on disk behind the others
            return
        if len(self.spool):
            self._spool_outbox()  # keep the order: new batches queue behind the spooled ones
            while (batch := self.spool.head()) is not None:
                if not self._send(batch):
                    return
                self.spool.pop_head()
            return
        while self._outbox:
            if not self._send(self._outbox[0]):
                self._spool_outbox()
                return
            self._outbox.popleft()

    def _send(self, batch: dict[str, Any]) -> bool:
        """True when the batch is done with (stored, duplicate, or refused for good)."""
        try:
            self.api.send_batch(self.run_id, batch)
        except ApiError as exc:
            if transient(exc):
                if exc.status == 429:
                    self.throttled += 1
                if self.reachable:
                    log.warning("server unreachable or busy, spooling batches to %s: %s", self.spool.path, exc.detail)
                self.reachable = False
                self._resume_at = time.monotonic() + backoff_delay(
                    self._failures, base=self.interval, cap=30.0, retry_after=exc.retry_after)
                self._failures += 1
                return False
            if exc.status in (401, 403, 409):
                if exc.status == 409:
                    # How it ended (cancelled from the console, failed by the sweeper), learnt before
                    # `refused` is set: the runner's watch reads them in that order from another thread.
                    self._poll_status()
                self.refused = exc.detail  # the run ended elsewhere or the token is wrong: stop sending
                return False
            log.error("batch %s refused (%s): %s", batch["seq"], exc.status, exc.detail)
            self.dropped += len(batch["samples"])  # malformed for the server: retrying cannot help
            return True
        self.reachable = True
        self._failures = 0
        self._last_stored = time.monotonic()
        self.delivered += len(batch["samples"])
        return True

    def _poll_status(self) -> None:
        try:
            run = self.api.run(self.run_id)
        except ApiError:
            return
        if run.get("status") in ENDED:
            self.ended_by_server = run

    def _quietly(self, call: Any) -> None:
        try:
            call()
        except ApiError as exc:
            log.debug("heartbeat failed: %s", exc.detail)
