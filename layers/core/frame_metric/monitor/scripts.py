"""Scenario scripts. The head item names the script and its latest version; each version is an
immutable item, so a run can always replay exactly the script it used.

Writing a version and moving the head happen in one transaction conditioned on the head's
latest_version, so two concurrent updates can never both claim the same number: the loser re-reads
the head and takes the next one.
"""

from __future__ import annotations

import random
import time
import uuid

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from frame_metric.data.connection import condition_failed
from frame_metric.data.monitor_config import ScenarioScript, ScriptKind, ScriptVersion
from frame_metric.data.video import utcnow
from frame_metric.errors import Conflict, NotFound, ValidationFailed
from frame_metric.monitor import script_validation
from frame_metric.monitor.schemas import (
    MessageResponse,
    ScriptCreate,
    ScriptResponse,
    ScriptSummary,
    ScriptUpdate,
    ScriptValidateRequest,
    ScriptValidateResponse,
    ScriptVersionResponse,
)
from frame_metric.monitor.store import connection, page
from frame_metric.monitor.tasks import delete_unused

UPDATE_ATTEMPTS = 12


def check_script(kind: ScriptKind, content: str) -> None:
    result = script_validation.validate(kind, content)
    if not result.valid:
        shown = "; ".join(error.text() for error in result.errors[:20])
        more = f" (and {len(result.errors) - 20} more)" if len(result.errors) > 20 else ""
        raise ValidationFailed(f"invalid {kind.value} script: {shown}{more}")


def get_head(script_id: str) -> ScenarioScript:
    try:
        return ScenarioScript.get(script_id, consistent_read=True)
    except DoesNotExist:
        raise NotFound(f"script {script_id} not found") from None


def get_version(script_id: str, version: int) -> ScriptVersion:
    try:
        return ScriptVersion.get(script_id, version, consistent_read=True)
    except DoesNotExist:
        raise NotFound(f"script {script_id} has no version {version}") from None


def _summary(head: ScenarioScript) -> ScriptSummary:
    return ScriptSummary(script_id=head.script_id, name=head.name, description=head.description,
                         kind=ScriptKind(head.kind), latest_version=int(head.latest_version),
                         created_by=head.created_by, created_at=head.created_at, updated_at=head.updated_at)


def _response(head: ScenarioScript, version: ScriptVersion) -> ScriptResponse:
    return ScriptResponse(**_summary(head).model_dump(), version=int(version.version), content=version.content,
                          version_created_by=version.created_by, version_created_at=version.created_at)


class ScriptService:
    def validate(self, request: ScriptValidateRequest) -> ScriptValidateResponse:
        return script_validation.validate(request.kind, request.content)

    def create(self, request: ScriptCreate) -> ScriptResponse:
        check_script(request.kind, request.content)
        now = utcnow()
        head = ScenarioScript(str(uuid.uuid4()), name=request.name, description=request.description,
                              kind=request.kind.value, latest_version=1, created_by=request.created_by,
                              created_at=now, updated_at=now)
        version = ScriptVersion(head.script_id, 1, kind=request.kind.value, content=request.content,
                                created_by=request.created_by, created_at=now)
        with TransactWrite(connection=connection()) as transaction:  # never a head without its version
            transaction.save(head, condition=ScenarioScript.script_id.does_not_exist())
            transaction.save(version, condition=ScriptVersion.script_id.does_not_exist())
        return _response(head, version)

    def get(self, script_id: str, version: int | None = None) -> ScriptResponse:
        head = get_head(script_id)
        if version is not None and not 1 <= version <= int(head.latest_version):
            raise NotFound(f"script {script_id} has no version {version}; versions are 1 to "
                           f"{int(head.latest_version)}")
        return _response(head, get_version(script_id, version or int(head.latest_version)))

    def list(self, skip: int = 0, limit: int = 20) -> list[ScriptSummary]:
        query = ScenarioScript.by_created.query("script", scan_index_forward=False)
        return [_summary(head) for head in page(query, skip, limit)]

    def versions(self, script_id: str) -> list[ScriptVersionResponse]:
        get_head(script_id)
        found = ScriptVersion.query(script_id, scan_index_forward=False, consistent_read=True,
                                    attributes_to_get=["script_id", "version", "kind", "created_by", "created_at"])
        return [ScriptVersionResponse(script_id=v.script_id, version=int(v.version), kind=ScriptKind(v.kind),
                                      created_by=v.created_by, created_at=v.created_at) for v in found]

    def update(self, script_id: str, request: ScriptUpdate) -> ScriptResponse:
        head = get_head(script_id)
        check_script(ScriptKind(head.kind), request.content)
        for attempt in range(UPDATE_ATTEMPTS):
            if attempt:
                time.sleep(random.uniform(0.01, 0.05) * attempt)  # spread retrying writers apart
                head = get_head(script_id)
            if self._write_version(head, request):
                return self.get(script_id, int(head.latest_version))
        raise Conflict(f"script {script_id} is being updated by others; try again")

    def _write_version(self, head: ScenarioScript, request: ScriptUpdate) -> bool:
        """Store version latest+1 and move the head to it; False when another update came first."""
        current = int(head.latest_version)
        now = utcnow()
        version = ScriptVersion(head.script_id, current + 1, kind=head.kind, content=request.content,
                                created_by=request.created_by, created_at=now)
        actions = [ScenarioScript.latest_version.set(current + 1), ScenarioScript.updated_at.set(now)]
        if request.name is not None:
            actions.append(ScenarioScript.name.set(request.name))
        if "description" in request.model_fields_set:
            actions.append(ScenarioScript.description.set(request.description) if request.description is not None
                           else ScenarioScript.description.remove())
        try:
            with TransactWrite(connection=connection()) as transaction:
                transaction.update(head, actions=actions, condition=ScenarioScript.latest_version == current)
                transaction.save(version, condition=ScriptVersion.script_id.does_not_exist())
        except TransactWriteError as exc:
            if condition_failed(exc):
                return False
            raise
        head.latest_version = current + 1
        return True

    def delete(self, script_id: str) -> MessageResponse:
        # The head goes first: without it the versions are unreachable, so a failure halfway leaves
        # only invisible leftovers, never a script with missing versions.
        delete_unused(get_head(script_id), "script", "script_id")
        with ScriptVersion.batch_write() as batch:
            for version in ScriptVersion.query(script_id, attributes_to_get=["script_id", "version"]):
                batch.delete(version)
        return MessageResponse(message=f"script {script_id} deleted")
