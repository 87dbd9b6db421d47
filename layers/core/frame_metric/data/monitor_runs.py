"""Scenario monitoring runs and their samples.

A run is one execution of a monitoring task. Its samples never live in the run item (DynamoDB's
400 KB item limit): each batch the runner sends is its own item in the sample-batches table, keyed
(run_id, seq) so a resent batch is stored once, and bounded in size by the ingest rules.
"""

from __future__ import annotations

from enum import StrEnum

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection, LocalSecondaryIndex
from pynamodb.models import Model

from frame_metric.data.video import utcnow


class RunStatus(StrEnum):
    CREATED = "created"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.CANCELLED)


class _RunsByTask(GlobalSecondaryIndex["MonitorRun"]):
    """A task's run history, newest first. Keys only: a fleet of runners running one task updates its
    runs' counters thousands of times a second, and none of those writes may land on this one key."""

    class Meta:
        index_name = "by_task"
        projection = KeysOnlyProjection()

    task_id = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class _ActiveRuns(GlobalSecondaryIndex["MonitorRun"]):
    """Running runs for the sweeper (silent runners) without scanning the table. Sparse and sharded:
    only a running run carries active_shard ("running#0".."running#7", data/sharding.py), and the
    index holds keys only, so the heartbeats and sample counters of a thousand runners never write it."""

    class Meta:
        index_name = "active_runs"
        projection = KeysOnlyProjection()

    active_shard = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class MonitorRun(Model):
    class Meta:
        table_name = "frame-metric-monitor-runs"
        region = "us-east-1"
        host: str | None = None

    run_id = UnicodeAttribute(hash_key=True)
    task_id = UnicodeAttribute()
    status = UnicodeAttribute(default=RunStatus.CREATED.value)
    active_shard = UnicodeAttribute(null=True)  # set while running only (the active_runs index)
    # sha256 of the runner's token: a leaked table never hands out a token.
    token_hash = UnicodeAttribute()
    script_id = UnicodeAttribute(null=True)
    script_version = NumberAttribute(null=True)
    # The profile as it was when the run was created (JSON): later edits do not change old verdicts.
    profile_json = UnicodeAttribute(default="{}")
    created_at = UTCDateTimeAttribute(default=utcnow)
    started_at = UTCDateTimeAttribute(null=True)
    finished_at = UTCDateTimeAttribute(null=True)
    last_heartbeat = UTCDateTimeAttribute(null=True)
    # Seconds of silence after which the sweeper fails the run (the runner may ask for its own).
    heartbeat_timeout_s = NumberAttribute(default=60)
    failure_reason = UnicodeAttribute(null=True)
    verdict = UnicodeAttribute(null=True)  # pass | fail | None (no thresholds or not finished)
    summary_json = UnicodeAttribute(null=True)  # results computed at the end of the run
    video_id = UnicodeAttribute(null=True)
    video_offset_s = NumberAttribute(default=0)  # run time at which the recording's t=0 happened
    # Several recordings in run-time order (JSON [{"video_id", "offset_s"}]), e.g. the segments of a
    # screen recording restarted at screenrecord's 3-minute limit. video_id/video_offset_s stay the
    # first of them, so readers of the single recording keep working.
    videos_json = UnicodeAttribute(null=True)
    # The runner's monotonic clock reading at sample time 0 (informational: sample times are relative).
    clock_origin = NumberAttribute(null=True)
    # Atomic counter: every stored batch takes the next arrival number (the live `since` cursor).
    arrivals = NumberAttribute(default=0)
    created_by = UnicodeAttribute(null=True)
    updated_at = UTCDateTimeAttribute(default=utcnow)

    by_task = _RunsByTask()
    active_runs = _ActiveRuns()

    @property
    def run_status(self) -> RunStatus:
        return RunStatus(self.status)


class _BatchesByArrival(LocalSecondaryIndex["SampleBatch"]):
    """A run's batches in arrival order. Local, not global: it can be read strongly consistently, so a
    live poll never misses a batch that is already stored."""

    class Meta:
        index_name = "by_arrival"
        projection = AllProjection()

    run_id = UnicodeAttribute(hash_key=True)
    arrival = NumberAttribute(range_key=True)


class SampleBatch(Model):
    class Meta:
        table_name = "frame-metric-monitor-sample-batches"
        region = "us-east-1"
        host: str | None = None

    run_id = UnicodeAttribute(hash_key=True)
    seq = NumberAttribute(range_key=True)
    arrival = NumberAttribute()
    count = NumberAttribute(default=0)
    # Compact JSON: [[t, metric, value], ...] and [[t, name], ...]; t is seconds on the run's clock.
    samples_json = UnicodeAttribute(default="[]")
    marks_json = UnicodeAttribute(default="[]")
    received_at = UTCDateTimeAttribute(default=utcnow)
    # DynamoDB TTL (template.yaml SampleBatchesTable): set only while FRAME_METRIC_SAMPLE_RETENTION_DAYS > 0.
    expires_at = TTLAttribute(null=True)

    by_arrival = _BatchesByArrival()
