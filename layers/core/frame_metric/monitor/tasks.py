"""Scenario monitoring tasks: what to monitor (target), with which profile and script, how long and
how often. Runs (helper module monitor/runs) fill status, last_run_id, last_run_at and last_verdict.

A task's references are checked twice: first with reads, for clear messages, then as condition checks
in the transaction that writes the task, so a profile or script deleted meanwhile cannot leave a task
pointing at nothing.
"""

from __future__ import annotations

import uuid
from typing import Any

from pynamodb.exceptions import DeleteError, DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from frame_metric.data.connection import condition_failed
from frame_metric.data.monitor_config import (
    MonitorProfile,
    MonitorTask,
    MonitorTaskStatus,
    ScenarioScript,
    ScriptVersion,
    Target,
)
from frame_metric.data.video import utcnow
from frame_metric.errors import Conflict, NotFound, ValidationFailed
from frame_metric.monitor.runs import RunService
from frame_metric.monitor.schemas import MessageResponse, TargetModel, TaskCreate, TaskResponse, TaskUpdate
from frame_metric.monitor.store import connection, page


def _target(model: TargetModel) -> Target:
    return Target(**model.model_dump(mode="json"))


def to_response(task: MonitorTask) -> TaskResponse:
    target = {name: getattr(task.target, name) for name in TargetModel.model_fields}
    if target["pid"] is not None:
        target["pid"] = int(target["pid"])
    return TaskResponse(
        task_id=task.task_id, name=task.name, description=task.description,
        target=TargetModel.model_validate(target), profile_id=task.profile_id, script_id=task.script_id,
        script_version=None if task.script_version is None else int(task.script_version),
        duration_limit_s=int(task.duration_limit_s), repeat_count=int(task.repeat_count),
        created_by=task.created_by, status=MonitorTaskStatus(task.status), last_run_id=task.last_run_id,
        last_run_at=task.last_run_at, last_verdict=task.last_verdict, run_count=int(task.run_count or 0),
        created_at=task.created_at, updated_at=task.updated_at,
    )


def get_task(task_id: str) -> MonitorTask:
    try:
        return MonitorTask.get(task_id, consistent_read=True)
    except DoesNotExist:
        raise NotFound(f"task {task_id} not found") from None


def tasks_using(attribute: str, value: str) -> list[str]:
    """Ids of the tasks that refer to a profile or script. A scan: task tables stay small (hundreds),
    and a reference index would need a GSI per attribute for a rare action."""
    condition = getattr(MonitorTask, attribute) == value
    found = MonitorTask.scan(filter_condition=condition, attributes_to_get=["task_id"], consistent_read=True)
    return [task.task_id for task in found]


def delete_unused(item: MonitorProfile | ScenarioScript, kind: str, attribute: str) -> None:
    """Delete a profile or script head that no task refers to: 409 naming the tasks that do, and 409
    when a task took it up between the search and the delete (its references_version moved)."""
    model = type(item)
    key = getattr(item, attribute)
    seen = int(item.references_version or 0)
    users = tasks_using(attribute, key)
    if users:
        raise Conflict(f"{kind} {key} is used by tasks {', '.join(sorted(users))}; "
                       f"delete them or give them another {kind} first")
    unchanged = model.references_version == seen
    if seen == 0:  # items written before the counter existed have none
        unchanged = unchanged | model.references_version.does_not_exist()
    try:
        item.delete(condition=getattr(model, attribute).exists() & unchanged)
    except DeleteError as exc:
        if not condition_failed(exc):
            raise
        try:
            model.get(key, consistent_read=True, attributes_to_get=[attribute])
        except DoesNotExist:
            raise NotFound(f"{kind} {key} not found") from None
        raise Conflict(f"{kind} {key} was just taken up by a task; it is still in use") from None


def _check_references(profile_id: str, script_id: str | None, script_version: int | None) -> None:
    """422, not 404: the URL is fine, the body names something that does not exist."""
    try:
        MonitorProfile.get(profile_id, consistent_read=True, attributes_to_get=["profile_id"])
    except DoesNotExist:
        raise ValidationFailed(f"profile_id: profile {profile_id} not found") from None
    if script_id is None:
        return
    try:
        head = ScenarioScript.get(script_id, consistent_read=True, attributes_to_get=["latest_version"])
    except DoesNotExist:
        raise ValidationFailed(f"script_id: script {script_id} not found") from None
    if script_version is not None and script_version > int(head.latest_version):
        raise ValidationFailed(f"script_version: script {script_id} has no version {script_version}; "
                               f"versions are 1 to {int(head.latest_version)}")


def _guard_references(transaction: TransactWrite, profile_id: str, script_id: str | None,
                      script_version: int | None) -> None:
    """In the task's own transaction: the profile and script exist, and their references_version moves,
    which a concurrent delete of either is conditional on (delete_unused)."""
    transaction.update(MonitorProfile(profile_id), actions=[MonitorProfile.references_version.add(1)],
                       condition=MonitorProfile.profile_id.exists())
    if script_id is not None:
        transaction.update(ScenarioScript(script_id), actions=[ScenarioScript.references_version.add(1)],
                           condition=ScenarioScript.script_id.exists())
    if script_id is not None and script_version is not None:
        transaction.condition_check(ScriptVersion, script_id, script_version,
                                    condition=ScriptVersion.script_id.exists())


def _lost_race(exc: TransactWriteError, profile_id: str, script_id: str | None, version: int | None) -> Exception:
    if not condition_failed(exc):
        return exc
    _check_references(profile_id, script_id, version)  # raises the precise 422 when a reference went away
    return Conflict("the task changed while it was being saved (a run started or it was deleted); try again")


class TaskService:
    def create(self, request: TaskCreate) -> TaskResponse:
        _check_references(request.profile_id, request.script_id, request.script_version)
        task = MonitorTask(str(uuid.uuid4()), name=request.name, description=request.description,
                           target=_target(request.target), profile_id=request.profile_id,
                           script_id=request.script_id, script_version=request.script_version,
                           duration_limit_s=request.duration_limit_s, repeat_count=request.repeat_count,
                           created_by=request.created_by)
        try:
            with TransactWrite(connection=connection()) as transaction:
                _guard_references(transaction, request.profile_id, request.script_id, request.script_version)
                transaction.save(task, condition=MonitorTask.task_id.does_not_exist())
        except TransactWriteError as exc:
            raise _lost_race(exc, request.profile_id, request.script_id, request.script_version) from None
        return to_response(task)

    def get(self, task_id: str) -> TaskResponse:
        return to_response(get_task(task_id))

    def list(self, user: str | None = None, status: str | None = None, skip: int = 0,
             limit: int = 20) -> list[TaskResponse]:
        if status is not None:
            try:
                status = MonitorTaskStatus(status).value
            except ValueError:
                allowed = ", ".join(s.value for s in MonitorTaskStatus)
                raise ValidationFailed(f"status must be one of {allowed}") from None
        query: Any
        if user is not None:
            wanted = None if status is None else MonitorTask.status == status
            query = MonitorTask.by_creator.query(user, scan_index_forward=False, filter_condition=wanted)
        elif status is not None:
            query = MonitorTask.by_status.query(status, scan_index_forward=False)
        else:
            query = MonitorTask.by_created.query("task", scan_index_forward=False)
        return [to_response(task) for task in page(query, skip, limit)]

    def update(self, task_id: str, request: TaskUpdate) -> TaskResponse:
        changes = request.model_fields_set
        if not changes:
            raise ValidationFailed("nothing to update: send at least one field")
        task = get_task(task_id)
        if task.status == MonitorTaskStatus.RUNNING.value:
            raise Conflict(f"task {task_id} is running; change it when the run has finished")
        for required in ("name", "target", "profile_id", "duration_limit_s", "repeat_count"):
            if required in changes and getattr(request, required) is None:
                raise ValidationFailed(f"{required} cannot be null")
        profile_id = request.profile_id or task.profile_id
        script_id = request.script_id if "script_id" in changes else task.script_id
        if "script_version" in changes:
            version = request.script_version
        elif script_id != task.script_id:
            version = None  # a pin on the old script means nothing for the new one
        else:
            version = None if task.script_version is None else int(task.script_version)
        if version is not None and script_id is None:
            raise ValidationFailed("script_version needs a script_id")
        _check_references(profile_id, script_id, version)

        fields: dict[str, Any] = {"name": request.name, "description": request.description,
                                  "profile_id": profile_id, "duration_limit_s": request.duration_limit_s,
                                  "repeat_count": request.repeat_count}
        actions = [getattr(MonitorTask, name).set(value) for name, value in fields.items()
                   if name in changes and value is not None]
        if "description" in changes and request.description is None:
            actions.append(MonitorTask.description.remove())
        if request.target is not None:
            actions.append(MonitorTask.target.set(_target(request.target)))
        actions.append(MonitorTask.script_id.set(script_id) if script_id else MonitorTask.script_id.remove())
        actions.append(MonitorTask.script_version.set(version) if version else MonitorTask.script_version.remove())
        actions.append(MonitorTask.updated_at.set(utcnow()))
        # Only the changed attributes are written: the run fields belong to the runs module.
        condition = MonitorTask.task_id.exists() & (MonitorTask.status != MonitorTaskStatus.RUNNING.value)
        try:
            with TransactWrite(connection=connection()) as transaction:
                _guard_references(transaction, profile_id, script_id, version)
                transaction.update(task, actions=actions, condition=condition)
        except TransactWriteError as exc:
            raise _lost_race(exc, profile_id, script_id, version) from None
        return self.get(task_id)

    def delete(self, task_id: str, force: bool = False) -> MessageResponse:
        """A task with runs is kept (409) unless `force`, which deletes its runs and their samples too."""
        task = get_task(task_id)
        if task.status == MonitorTaskStatus.RUNNING.value:
            raise Conflict(f"task {task_id} is running; cancel the run before deleting the task")
        deleted_runs = RunService().delete_runs_of_task(task_id, force)
        try:
            task.delete(condition=MonitorTask.task_id.exists()
                        & (MonitorTask.status != MonitorTaskStatus.RUNNING.value))
        except Exception as exc:
            if condition_failed(exc):
                raise Conflict(f"task {task_id} started running or was deleted meanwhile") from None
            raise
        suffix = f" with its {deleted_runs} run(s)" if deleted_runs else ""
        return MessageResponse(message=f"task {task_id} deleted{suffix}")
