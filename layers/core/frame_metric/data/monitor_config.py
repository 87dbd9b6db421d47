"""Scenario monitoring configuration: profiles (which metrics, how often, pass/fail thresholds),
scenario scripts with immutable versions, and monitoring tasks."""

from __future__ import annotations

from enum import StrEnum

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from frame_metric.data.video import utcnow


class ScriptKind(StrEnum):
    YAML = "yaml"
    PYTHON = "python"


class TargetKind(StrEnum):
    ANDROID = "android"
    PROCESS = "process"


class MonitorTaskStatus(StrEnum):
    IDLE = "idle"  # never run
    RUNNING = "running"
    COMPLETED = "completed"  # last run finished (see last_verdict)
    FAILED = "failed"  # last run failed (script error, device lost, runner silent)
    CANCELLED = "cancelled"


class Threshold(MapAttribute):
    stat = UnicodeAttribute()  # avg | min | max | median | p90 | count
    op = UnicodeAttribute()  # lt | le | gt | ge | eq
    value = NumberAttribute()


class ProfileItem(MapAttribute):
    metric = UnicodeAttribute()
    interval_ms = NumberAttribute()
    thresholds = ListAttribute(of=Threshold, default=list)


# One index class per model: PynamoDB binds an index class to the model that uses it.
class _ProfilesByCreated(GlobalSecondaryIndex["MonitorProfile"]):
    class Meta:
        index_name = "by_created"
        projection = AllProjection()

    listing = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class _ScriptsByCreated(GlobalSecondaryIndex["ScenarioScript"]):
    class Meta:
        index_name = "by_created"
        projection = AllProjection()

    listing = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class _TasksByCreated(GlobalSecondaryIndex["MonitorTask"]):
    class Meta:
        index_name = "by_created"
        projection = AllProjection()

    listing = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class MonitorProfile(Model):
    class Meta:
        table_name = "frame-metric-monitor-profiles"
        region = "us-east-1"
        host: str | None = None

    profile_id = UnicodeAttribute(hash_key=True)
    listing = UnicodeAttribute(default="profile")
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    items = ListAttribute(of=ProfileItem, default=list)
    # Bumped by every task write that refers to the profile (monitor/tasks.py): a delete is conditional
    # on it, so a task created while the delete looks for users is never left pointing at nothing.
    references_version = NumberAttribute(default=0)
    created_by = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute(default=utcnow)
    updated_at = UTCDateTimeAttribute(default=utcnow)

    by_created = _ProfilesByCreated()


class ScenarioScript(Model):
    """The script's head: name, kind and its latest version. Versions are separate, immutable items."""

    class Meta:
        table_name = "frame-metric-monitor-scripts"
        region = "us-east-1"
        host: str | None = None

    script_id = UnicodeAttribute(hash_key=True)
    listing = UnicodeAttribute(default="script")
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    kind = UnicodeAttribute()
    latest_version = NumberAttribute(default=1)
    references_version = NumberAttribute(default=0)  # as MonitorProfile's
    created_by = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute(default=utcnow)
    updated_at = UTCDateTimeAttribute(default=utcnow)

    by_created = _ScriptsByCreated()


class ScriptVersion(Model):
    class Meta:
        table_name = "frame-metric-monitor-script-versions"
        region = "us-east-1"
        host: str | None = None

    script_id = UnicodeAttribute(hash_key=True)
    version = NumberAttribute(range_key=True)
    kind = UnicodeAttribute()
    content = UnicodeAttribute()
    created_by = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute(default=utcnow)


class Target(MapAttribute):
    kind = UnicodeAttribute()  # android | process
    device_serial = UnicodeAttribute(null=True)
    package = UnicodeAttribute(null=True)
    process_name = UnicodeAttribute(null=True)
    pid = NumberAttribute(null=True)
    command = UnicodeAttribute(null=True)


class _TasksByCreator(GlobalSecondaryIndex["MonitorTask"]):
    class Meta:
        index_name = "by_creator"
        projection = AllProjection()

    created_by = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class _TasksByStatus(GlobalSecondaryIndex["MonitorTask"]):
    class Meta:
        index_name = "by_status"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class MonitorTask(Model):
    class Meta:
        table_name = "frame-metric-monitor-tasks"
        region = "us-east-1"
        host: str | None = None

    task_id = UnicodeAttribute(hash_key=True)
    listing = UnicodeAttribute(default="task")
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    target = Target()
    profile_id = UnicodeAttribute()
    script_id = UnicodeAttribute(null=True)
    script_version = NumberAttribute(null=True)  # None: the latest version when a run starts
    duration_limit_s = NumberAttribute(default=600)
    repeat_count = NumberAttribute(default=1)
    created_by = UnicodeAttribute(default="anonymous")
    status = UnicodeAttribute(default=MonitorTaskStatus.IDLE.value)
    last_run_id = UnicodeAttribute(null=True)
    last_run_at = UTCDateTimeAttribute(null=True)
    last_verdict = UnicodeAttribute(null=True)  # pass | fail
    run_count = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute(default=utcnow)
    updated_at = UTCDateTimeAttribute(default=utcnow)

    by_created = _TasksByCreated()
    by_creator = _TasksByCreator()
    by_status = _TasksByStatus()
