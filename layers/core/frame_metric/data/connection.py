"""Point every PynamoDB model at the table names and endpoint of the current settings.

PynamoDB reads `Meta` at class level, so the local cloud, tests and Lambda handlers bind once at
start-up instead of freezing names at import time.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import PutError
from pynamodb.models import Model

from frame_metric.data.monitor_config import MonitorProfile, MonitorTask, ScenarioScript, ScriptVersion
from frame_metric.data.monitor_runs import MonitorRun, SampleBatch
from frame_metric.data.review import ReviewEntry
from frame_metric.data.tasks import TaskVideo, TimingTask
from frame_metric.data.video import Video
from frame_metric.settings import Settings, get_settings


def table_bindings(settings: Settings) -> list[tuple[type[Model], str]]:
    """Every model with the table name it lives in under these settings."""
    return [
        (Video, settings.videos_table),
        (MonitorProfile, settings.profiles_table),
        (ScenarioScript, settings.scripts_table),
        (ScriptVersion, settings.script_versions_table),
        (MonitorTask, settings.monitor_tasks_table),
        (MonitorRun, settings.monitor_runs_table),
        (SampleBatch, settings.sample_batches_table),
        (TimingTask, settings.timing_tasks_table),
        (TaskVideo, settings.task_videos_table),
        (ReviewEntry, settings.review_history_table),
    ]


def bind_models(settings: Settings | None = None) -> None:
    settings = settings or get_settings()
    for model, table_name in table_bindings(settings):
        binding = (table_name, settings.region, settings.dynamodb_endpoint_url)
        if (model.Meta.table_name, getattr(model.Meta, "region", None), getattr(model.Meta, "host", None)) == binding:
            # Unchanged: keep the connection. Pipeline steps bind on every call, and locally all functions
            # share these classes: dropping it would make every other function rebuild its client.
            continue
        model.Meta.table_name, model.Meta.region, model.Meta.host = binding
        # Drop a cached connection so the next call uses the new endpoint.
        model._connection = None


def condition_failed(exc: Exception) -> bool:
    """A conditional write or a transaction lost: the state it expected has changed meanwhile."""
    return getattr(exc, "cause_response_code", None) in ("ConditionalCheckFailedException",
                                                         "TransactionCanceledException",
                                                         "TransactionConflictException")


def insert(item: Model, absent: Any) -> bool:
    """Write a new item on the condition `absent` (its key does not exist); False when it does: a
    repeated event or request found its own earlier write."""
    try:
        item.save(condition=absent)
    except PutError as exc:
        if condition_failed(exc):
            return False
        raise
    return True
