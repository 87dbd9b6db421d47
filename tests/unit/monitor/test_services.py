"""The services against in-process moto: version numbering under a lost race, references, cleanup."""

from __future__ import annotations

import pytest

from frame_metric.data.monitor_config import ScriptVersion
from frame_metric.errors import Conflict, NotFound, ValidationFailed
from frame_metric.monitor.profiles import ProfileService
from frame_metric.monitor.schemas import ProfileCreate, ScriptCreate, ScriptUpdate, TaskCreate, TaskUpdate
from frame_metric.monitor.scripts import ScriptService, get_head
from frame_metric.monitor.tasks import TaskService

pytestmark = pytest.mark.usefixtures("tables")
SCRIPT = "- wait: 1\n"


def _profile() -> str:
    body = ProfileCreate.model_validate({"name": "p", "items": [{"metric": "fps"}]})
    return ProfileService().create(body).profile_id


def _script() -> str:
    return ScriptService().create(ScriptCreate(name="s", kind="yaml", content=SCRIPT)).script_id


def test_a_stale_writer_loses_and_the_update_takes_the_next_version() -> None:
    service, sid = ScriptService(), _script()
    stale = get_head(sid)
    assert service.update(sid, ScriptUpdate(content="- wait: 2\n")).version == 2
    assert service._write_version(stale, ScriptUpdate(content="- wait: 3\n")) is False  # version 2 is taken
    assert service.get(sid, 2).content == "- wait: 2\n"
    assert service.update(sid, ScriptUpdate(content="- wait: 3\n")).version == 3


def test_invalid_update_stores_nothing() -> None:
    service, sid = ScriptService(), _script()
    with pytest.raises(ValidationFailed, match="line 1"):
        service.update(sid, ScriptUpdate(content="- fly: 1\n"))
    assert get_head(sid).latest_version == 1
    assert [v.version for v in ScriptVersion.query(sid)] == [1]


def test_delete_removes_every_version() -> None:
    service, sid = ScriptService(), _script()
    service.update(sid, ScriptUpdate(content="- wait: 2\n"))
    service.delete(sid)
    assert list(ScriptVersion.query(sid)) == []
    with pytest.raises(NotFound):
        service.get(sid)


def test_task_references_and_in_use_conflicts() -> None:
    pid, sid = _profile(), _script()
    target = {"kind": "process", "pid": 42}
    tasks = TaskService()
    with pytest.raises(ValidationFailed, match="script_version"):
        tasks.create(TaskCreate.model_validate({"name": "t", "target": target, "profile_id": pid,
                                                "script_id": sid, "script_version": 2}))
    task = tasks.create(TaskCreate.model_validate({"name": "t", "target": target, "profile_id": pid,
                                                   "script_id": sid, "script_version": 1}))
    with pytest.raises(Conflict, match=task.task_id):
        ProfileService().delete(pid)
    with pytest.raises(Conflict, match=task.task_id):
        ScriptService().delete(sid)
    other = _script()
    moved = tasks.update(task.task_id, TaskUpdate(script_id=other))
    assert (moved.script_id, moved.script_version) == (other, None)  # the old pin meant the old script
    ScriptService().delete(sid)
    tasks.delete(task.task_id)
    ProfileService().delete(pid)
