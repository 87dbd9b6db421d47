"""Ingest: batches of samples and marks from a run's runner.

Idempotency: a batch is keyed (run_id, seq) and written with a condition that the key is new, so a
batch sent twice is stored once and answered `duplicate: true` (also after the run finished: a runner
that lost the answer to its last batch may resend it). Order does not matter: seq only names a batch.
Every stored batch takes an arrival number from an atomic counter on the run (the live cursor); the
same update checks the run is still running, so no batch lands in a finished run.

Kept light on purpose (no numpy): it is its own small Lambda function.
"""

from __future__ import annotations

import contextlib
import json
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import UpdateError

from frame_metric.data.connection import condition_failed, insert
from frame_metric.data.monitor_runs import MonitorRun, RunStatus, SampleBatch
from frame_metric.data.video import utcnow
from frame_metric.errors import BadRequest, Conflict, NotFound, PayloadTooLarge, ValidationFailed
from frame_metric.ids import is_possible_id
from frame_metric.monitor import tokens
from frame_metric.monitor.catalog import names as catalog_names
from frame_metric.settings import get_settings

MAX_BATCH_BYTES = 256 * 1024
MAX_SAMPLES = 500
MAX_MARKS = 100
MAX_SEQ = 10**12
# Sample times are seconds since the run started on the runner's clock; allow this much clock skew.
FUTURE_SKEW_S = 300.0
PAST_SKEW_S = 60.0


def known_metrics() -> set[str]:
    return set(catalog_names())


@dataclass(frozen=True)
class Batch:
    seq: int
    samples: list[list[Any]]  # [t, metric, value]
    marks: list[list[Any]]  # [t, name]


def _number(value: Any, where: str) -> float:
    # bool is an int in Python; a runner sending true/false has a bug worth naming.
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValidationFailed(f"{where} must be a finite number, got {value!r}")
    return float(value)


def parse_batch(raw: bytes, max_t: float | None = None) -> Batch:
    """Check a batch body: size (413), JSON (400), shape, metric names and times (422)."""
    if len(raw) > MAX_BATCH_BYTES:
        raise PayloadTooLarge(f"a batch may be at most {MAX_BATCH_BYTES} bytes, got {len(raw)}: send smaller batches")
    if not raw:
        raise BadRequest("the request needs a JSON body: {\"seq\": N, \"samples\": [...], \"marks\": [...]}")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("the request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ValidationFailed("the body must be an object: {\"seq\": N, \"samples\": [...], \"marks\": [...]}")
    seq = body.get("seq")
    if isinstance(seq, bool) or not isinstance(seq, int) or not 0 <= seq < MAX_SEQ:
        raise ValidationFailed(f"seq must be an integer from 0, got {seq!r}")
    samples, marks = body.get("samples", []), body.get("marks", [])
    if not isinstance(samples, list) or not isinstance(marks, list):
        raise ValidationFailed("samples and marks must be lists")
    if len(samples) > MAX_SAMPLES or len(marks) > MAX_MARKS:
        raise PayloadTooLarge(f"a batch holds at most {MAX_SAMPLES} samples and {MAX_MARKS} marks, "
                              f"got {len(samples)} and {len(marks)}")
    if not samples and not marks:
        raise ValidationFailed("the batch has no samples and no marks")
    metrics = known_metrics()
    parsed: list[list[Any]] = []
    for index, sample in enumerate(samples):
        if not isinstance(sample, dict):
            raise ValidationFailed(f"samples[{index}] must be an object {{t, metric, value}}")
        metric = sample.get("metric")
        if metric not in metrics:
            raise ValidationFailed(f"samples[{index}].metric: unknown metric {metric!r}")
        t = _number(sample.get("t"), f"samples[{index}].t")
        _check_time(t, max_t, f"samples[{index}].t")
        parsed.append([t, metric, _number(sample.get("value"), f"samples[{index}].value")])
    parsed_marks: list[list[Any]] = []
    for index, mark in enumerate(marks):
        name = mark.get("name") if isinstance(mark, dict) else None
        if not isinstance(name, str) or not name.strip() or len(name) > 200:
            raise ValidationFailed(f"marks[{index}] must be {{t, name}} with a name of 1-200 characters")
        t = _number(mark.get("t"), f"marks[{index}].t")
        _check_time(t, max_t, f"marks[{index}].t")
        parsed_marks.append([t, name.strip()])
    return Batch(seq, parsed, parsed_marks)


def _check_time(t: float, max_t: float | None, where: str) -> None:
    if t < -PAST_SKEW_S:
        raise ValidationFailed(f"{where}: {t} s is before the run started")
    if max_t is not None and t > max_t:
        raise ValidationFailed(f"{where}: {t} s is in the future (the run started {max_t - FUTURE_SKEW_S:.0f} s ago)")


# Checked against for a run that does not exist: no token hashes to it, so an unknown run is answered
# exactly as a known run with no token (401) or a wrong one (403). This route needs no API key: it
# must not tell which run ids exist.
_NO_RUN_HASH = "-"


def ingest(run_id: str, token: str | None, raw: bytes) -> dict[str, Any]:
    run: MonitorRun | None = None
    if is_possible_id(run_id):  # an impossible id (too long for a key) is unknown, not a 500
        with contextlib.suppress(MonitorRun.DoesNotExist):
            run = MonitorRun.get(run_id, consistent_read=True)
    tokens.check(token, run.token_hash if run is not None else _NO_RUN_HASH)
    if run is None:  # a token cannot match the placeholder; kept for the type checker
        raise NotFound(f"run {run_id} not found")
    now = utcnow()
    max_t = (now - run.started_at).total_seconds() + FUTURE_SKEW_S if run.started_at else None
    batch = parse_batch(raw, max_t)
    if _stored(run_id, batch.seq):
        return {"run_id": run_id, "seq": batch.seq, "stored": False, "duplicate": True}
    if run.run_status != RunStatus.RUNNING:
        raise Conflict(f"run {run_id} is {run.status}: it takes samples only while running")
    try:
        # The arrival number, the heartbeat (samples prove the runner is alive) and the running check
        # in one atomic update.
        run.update(actions=[MonitorRun.arrivals.add(1), MonitorRun.last_heartbeat.set(now)],
                   condition=MonitorRun.status == RunStatus.RUNNING.value)
    except UpdateError as exc:
        if condition_failed(exc):
            raise Conflict(f"run {run_id} is no longer running: it takes samples only while running") from None
        raise
    item = SampleBatch(run_id, batch.seq, arrival=int(run.arrivals), count=len(batch.samples),
                       samples_json=json.dumps(batch.samples, separators=(",", ":")),
                       marks_json=json.dumps(batch.marks, separators=(",", ":")), received_at=now,
                       expires_at=sample_expiry(now))
    if not insert(item, SampleBatch.seq.does_not_exist()):  # the same batch raced itself: the other is stored
        return {"run_id": run_id, "seq": batch.seq, "stored": False, "duplicate": True}
    return {"run_id": run_id, "seq": batch.seq, "stored": True, "duplicate": False,
            "samples": len(batch.samples), "marks": len(batch.marks), "arrival": int(run.arrivals)}


def sample_expiry(now: datetime) -> datetime | None:
    days = get_settings().sample_retention_days
    return now + timedelta(days=days) if days > 0 else None


def _stored(run_id: str, seq: int) -> bool:
    try:
        SampleBatch.get(run_id, seq, consistent_read=True, attributes_to_get=["seq"])
    except SampleBatch.DoesNotExist:
        return False
    return True

