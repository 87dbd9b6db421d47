"""Request models: enums as strings, unknown fields refused, targets that fit their kind."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from frame_metric.monitor.schemas import ProfileCreate, ScriptCreate, TargetModel, TaskCreate, TaskUpdate


def test_profile_enums_travel_as_strings() -> None:
    profile = ProfileCreate.model_validate(
        {"name": "p", "items": [{"metric": "app_cpu", "thresholds": [{"stat": "avg", "op": "lt", "value": 30}]}]})
    dumped = profile.model_dump(mode="json")
    assert dumped["items"][0]["thresholds"][0] == {"stat": "avg", "op": "lt", "value": 30.0}


@pytest.mark.parametrize("body", [
    {"name": "p", "items": []},
    {"name": " ", "items": [{"metric": "fps"}]},
    {"name": "p", "items": [{"metric": "fps", "interval_ms": 10}]},
    {"name": "p", "items": [{"metric": "fps", "thresholds": [{"stat": "avg", "op": "<", "value": 1}]}]},
    {"name": "p", "items": [{"metric": "fps"}], "extra": 1},
])
def test_bad_profiles(body: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        ProfileCreate.model_validate(body)


def test_script_kind_and_size() -> None:
    assert ScriptCreate.model_validate({"name": "s", "kind": "python", "content": "x"}).kind.value == "python"
    for body in ({"name": "s", "kind": "lua", "content": "x"}, {"name": "s", "kind": "yaml", "content": ""},
                 {"name": "s", "kind": "yaml", "content": "x" * (256 * 1024 + 1)}):
        with pytest.raises(ValidationError):
            ScriptCreate.model_validate(body)


@pytest.mark.parametrize(("target", "ok"), [
    ({"kind": "android", "package": "com.example.app"}, True),
    ({"kind": "android", "package": "com.example.app", "device_serial": "emulator-5554"}, True),
    ({"kind": "android"}, False),
    ({"kind": "android", "package": "example"}, False),
    ({"kind": "android", "package": "com.a.b", "pid": 3}, False),
    ({"kind": "process", "process_name": "chrome"}, True),
    ({"kind": "process", "pid": 1234}, True),
    ({"kind": "process", "command": "python -m http.server"}, True),
    ({"kind": "process"}, False),
    ({"kind": "process", "pid": 0}, False),
    ({"kind": "process", "pid": 1, "process_name": "x"}, False),
    ({"kind": "ios", "package": "com.a.b"}, False),
])
def test_targets(target: dict[str, object], ok: bool) -> None:
    if ok:
        assert TargetModel.model_validate(target).kind.value == target["kind"]
    else:
        with pytest.raises(ValidationError):
            TargetModel.model_validate(target)


def test_task_defaults_and_version_needs_script() -> None:
    task = TaskCreate.model_validate({"name": "t", "target": {"kind": "process", "pid": 1}, "profile_id": "p"})
    assert (task.duration_limit_s, task.repeat_count, task.created_by, task.script_id) == (600, 1, "anonymous", None)
    with pytest.raises(ValidationError, match="script_version needs a script_id"):
        TaskCreate.model_validate({"name": "t", "target": {"kind": "process", "pid": 1}, "profile_id": "p",
                                   "script_version": 2})


def test_task_update_knows_which_fields_were_sent() -> None:
    update = TaskUpdate.model_validate({"script_version": None})
    assert update.model_fields_set == {"script_version"}
