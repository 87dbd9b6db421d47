"""The scenario monitoring configuration API over real HTTP against the embedded local cloud: metric
catalog, profiles, versioned scripts, tasks, and every kind of bad input with its 4xx and detail."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

YAML_SCRIPT = """\
- launch_app: com.example.shop
- wait_for_text: {text: Home, timeout: 10}
- mark: home
- repeat:
    times: 3
    steps:
      - swipe: {direction: up, duration_ms: 300}
      - wait: 0.5
- tap: {x: 540, y: 1200}
- screenshot: cart
- stop_app
"""
PYTHON_SCRIPT = "def run(driver):\n    driver.tap(540, 1200)\n    driver.mark('done')\n"


@pytest.fixture(scope="module")
def mon(api: str) -> str:
    return f"{api}/monitor"


def post(url: str, body: Any) -> requests.Response:
    return requests.post(url, json=body, timeout=10)


def put(url: str, body: Any) -> requests.Response:
    return requests.put(url, json=body, timeout=10)


def ok(response: requests.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def refused(response: requests.Response, status: int, *words: str) -> str:
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    for word in words:
        assert word in detail, detail
    return detail


def new_profile(mon: str, **extra: Any) -> dict[str, Any]:
    body = {"name": "smoke", "items": [{"metric": "app_cpu", "thresholds": [{"stat": "avg", "op": "lt", "value": 30}]},
                                       {"metric": "big_jank", "thresholds": [{"stat": "sum", "op": "eq", "value": 0}]},
                                       {"metric": "fps", "interval_ms": 500}], **extra}
    return ok(post(f"{mon}/profiles", body))


def new_script(mon: str, kind: str = "yaml", content: str = YAML_SCRIPT) -> dict[str, Any]:
    return ok(post(f"{mon}/scripts", {"name": f"{kind} scenario", "kind": kind, "content": content,
                                      "created_by": "alice"}))


def new_task(mon: str, profile_id: str, script_id: str | None = None, **extra: Any) -> dict[str, Any]:
    body = {"name": "checkout", "target": {"kind": "android", "package": "com.example.shop"},
            "profile_id": profile_id, "script_id": script_id, **extra}
    return ok(post(f"{mon}/tasks", body))


# -- catalog --------------------------------------------------------------------------------------

def test_catalog(mon: str) -> None:
    items = ok(requests.get(f"{mon}/items", timeout=10))
    names = {item["name"] for item in items}
    assert {"app_cpu", "app_cpu_per_core", "memory_pss_graphics", "memory_uss", "big_jank", "fds"} <= names
    android = {i["name"] for i in ok(requests.get(f"{mon}/items", params={"source": "android"}, timeout=10))}
    assert "fps" in android and "memory_uss" not in android and "app_cpu" in android
    cpu = ok(requests.get(f"{mon}/items/app_cpu", timeout=10))
    assert cpu["unit"] == "%" and cpu["source"] == "both" and "avg" in cpu["stats"]
    refused(requests.get(f"{mon}/items/cpu_load", timeout=10), 404, "unknown metric 'cpu_load'")
    refused(requests.get(f"{mon}/items", params={"source": "ios"}, timeout=10), 422, "source must be one of")


# -- profiles -------------------------------------------------------------------------------------

def test_profile_crud(mon: str) -> None:
    profile = new_profile(mon, description="cpu and jank", created_by="alice")
    pid = profile["profile_id"]
    intervals = {item["metric"]: item["interval_ms"] for item in profile["items"]}
    assert intervals == {"app_cpu": 1000, "big_jank": 1000, "fps": 500}  # defaults filled in
    assert ok(requests.get(f"{mon}/profiles/{pid}", timeout=10)) == profile
    assert pid in [p["profile_id"] for p in ok(requests.get(f"{mon}/profiles", params={"limit": 100}, timeout=10))]
    changed = ok(put(f"{mon}/profiles/{pid}", {"name": "renamed", "items": [{"metric": "memory_pss"}]}))
    assert changed["name"] == "renamed" and changed["description"] == "cpu and jank"
    assert [item["metric"] for item in changed["items"]] == ["memory_pss"]
    assert ok(requests.delete(f"{mon}/profiles/{pid}", timeout=10))["message"]
    refused(requests.get(f"{mon}/profiles/{pid}", timeout=10), 404, pid)


@pytest.mark.parametrize(("items", "words"), [
    ([{"metric": "cpu"}], ["unknown metric 'cpu'"]),
    ([{"metric": "app_cpu"}, {"metric": "app_cpu"}], ["listed twice"]),
    ([{"metric": "memory_pss", "interval_ms": 200}], ["faster than every 1000 ms"]),
    ([{"metric": "big_jank", "thresholds": [{"stat": "p90", "op": "lt", "value": 1}]}], ["p90 does not apply"]),
    ([{"metric": "fps", "thresholds": [{"stat": "avg", "op": "below", "value": 1}]}], ["items.0.thresholds.0.op"]),
    ([], ["items"]),
    ([{"metric": "fps", "colour": "red"}], ["colour"]),
])
def test_bad_profiles_are_refused_and_not_stored(mon: str, items: list[Any], words: list[str]) -> None:
    name = f"bad-{uuid.uuid4()}"
    refused(post(f"{mon}/profiles", {"name": name, "items": items}), 422, *words)
    stored = ok(requests.get(f"{mon}/profiles", params={"limit": 100}, timeout=10))
    assert name not in {p["name"] for p in stored}


def test_profile_bad_bodies_and_ids(mon: str) -> None:
    refused(requests.post(f"{mon}/profiles", data=b"{not json", timeout=10), 400, "not valid JSON")
    refused(requests.post(f"{mon}/profiles", timeout=10), 400, "JSON body")
    refused(post(f"{mon}/profiles", {"items": [{"metric": "fps"}]}), 422, "name")
    refused(put(f"{mon}/profiles/nope", {"name": "x"}), 404, "profile nope not found")
    refused(requests.delete(f"{mon}/profiles/nope", timeout=10), 404, "profile nope not found")
    pid = new_profile(mon)["profile_id"]
    refused(put(f"{mon}/profiles/{pid}", {}), 422, "nothing to update")
    refused(put(f"{mon}/profiles/{pid}", {"items": [{"metric": "warp"}]}), 422, "unknown metric 'warp'")
    stored = ok(requests.get(f"{mon}/profiles/{pid}", timeout=10))["items"]
    assert [item["metric"] for item in stored] == ["app_cpu", "big_jank", "fps"]  # unchanged


@pytest.mark.parametrize("params", [{"skip": -1}, {"limit": 0}, {"limit": 101}, {"limit": "ten"}])
def test_bad_paging(mon: str, params: dict[str, Any]) -> None:
    for path in ("profiles", "scripts", "tasks"):
        refused(requests.get(f"{mon}/{path}", params=params, timeout=10), 422, next(iter(params)))


# -- scripts --------------------------------------------------------------------------------------

def test_script_versions(mon: str) -> None:
    script = new_script(mon)
    sid = script["script_id"]
    assert script["version"] == 1 and script["latest_version"] == 1 and script["content"] == YAML_SCRIPT
    second = YAML_SCRIPT.replace("cart", "basket")
    updated = ok(put(f"{mon}/scripts/{sid}", {"content": second, "created_by": "bob", "name": "v2"}))
    assert (updated["version"], updated["latest_version"], updated["name"]) == (2, 2, "v2")
    assert updated["version_created_by"] == "bob" and updated["created_by"] == "alice"
    assert ok(requests.get(f"{mon}/scripts/{sid}", timeout=10))["content"] == second
    assert ok(requests.get(f"{mon}/scripts/{sid}", params={"version": 1}, timeout=10))["content"] == YAML_SCRIPT
    versions = ok(requests.get(f"{mon}/scripts/{sid}/versions", timeout=10))
    assert [v["version"] for v in versions] == [2, 1]
    listed = ok(requests.get(f"{mon}/scripts", params={"limit": 100}, timeout=10))
    assert {"script_id": sid, "latest_version": 2} .items() <= next(s for s in listed if s["script_id"] == sid).items()
    refused(requests.get(f"{mon}/scripts/{sid}", params={"version": 3}, timeout=10), 404, "no version 3")
    refused(requests.get(f"{mon}/scripts/{sid}", params={"version": 0}, timeout=10), 422, "version")
    refused(put(f"{mon}/scripts/{sid}", {"content": second, "kind": "python"}), 422, "kind")
    assert ok(requests.delete(f"{mon}/scripts/{sid}", timeout=10))["message"]
    refused(requests.get(f"{mon}/scripts/{sid}", timeout=10), 404, sid)
    refused(requests.get(f"{mon}/scripts/{sid}/versions", timeout=10), 404, sid)


def test_python_script(mon: str) -> None:
    script = new_script(mon, "python", PYTHON_SCRIPT)
    assert script["kind"] == "python"
    refused(put(f"{mon}/scripts/{script['script_id']}", {"content": "def run(driver):\n    if x\n"}), 422,
            "invalid python script", "line 2")
    assert ok(requests.get(f"{mon}/scripts/{script['script_id']}/versions", timeout=10))[0]["version"] == 1


def test_invalid_scripts_are_refused_with_lines(mon: str) -> None:
    bad = "- launch_app: com.example.shop\n- tap: {x: 1}\n- fly: away\n"
    refused(post(f"{mon}/scripts", {"name": "bad", "kind": "yaml", "content": bad}), 422,
            "invalid yaml script", "line 2", "tap needs x and y together", "line 3", "unknown step 'fly'")
    result = ok(post(f"{mon}/scripts/validate", {"kind": "yaml", "content": bad}))
    assert result["valid"] is False
    assert [(e["line"], e["column"]) for e in result["errors"]] == [(2, 8), (3, 3)]
    good = ok(post(f"{mon}/scripts/validate", {"kind": "yaml", "content": YAML_SCRIPT}))
    assert good == {"valid": True, "errors": [], "steps": 9}
    python = ok(post(f"{mon}/scripts/validate", {"kind": "python", "content": "import os\n\ndef go(d):\n    pass\n"}))
    assert python["valid"] is False and "run(driver)" in python["errors"][0]["message"]
    refused(post(f"{mon}/scripts/validate", {"kind": "lua", "content": "x"}), 422, "kind")
    refused(post(f"{mon}/scripts", {"name": "x", "kind": "yaml", "content": ""}), 422, "content")
    refused(put(f"{mon}/scripts/nope", {"content": YAML_SCRIPT}), 404, "script nope not found")
    refused(requests.delete(f"{mon}/scripts/nope", timeout=10), 404, "script nope not found")


def test_concurrent_updates_get_distinct_versions(mon: str) -> None:
    sid = new_script(mon)["script_id"]
    writers = 6

    def update(n: int) -> int:
        body = {"content": YAML_SCRIPT + f"- mark: writer {n}\n", "created_by": f"writer{n}"}
        return int(ok(put(f"{mon}/scripts/{sid}", body))["version"])

    with ThreadPoolExecutor(writers) as pool:
        versions = list(pool.map(update, range(writers)))
    assert sorted(versions) == list(range(2, writers + 2))
    stored = ok(requests.get(f"{mon}/scripts/{sid}/versions", timeout=10))
    assert [v["version"] for v in stored] == list(range(writers + 1, 0, -1))
    for entry in stored[:-1]:  # each version holds the content of the writer that claimed it
        content = ok(requests.get(f"{mon}/scripts/{sid}", params={"version": entry["version"]}, timeout=10))
        assert content["content"].endswith(f"- mark: writer {entry['created_by'][6:]}\n")


# -- tasks ----------------------------------------------------------------------------------------

def test_task_crud_and_references(mon: str) -> None:
    profile, script = new_profile(mon), new_script(mon)
    user = f"u{uuid.uuid4().hex[:8]}"
    task = new_task(mon, profile["profile_id"], script["script_id"], script_version=1, created_by=user,
                    duration_limit_s=120, repeat_count=3, description="checkout flow")
    tid = task["task_id"]
    assert (task["status"], task["last_run_id"], task["last_verdict"], task["run_count"]) == ("idle", None, None, 0)
    assert task["target"]["package"] == "com.example.shop" and task["script_version"] == 1
    assert ok(requests.get(f"{mon}/tasks/{tid}", timeout=10)) == task

    changed = ok(put(f"{mon}/tasks/{tid}", {"repeat_count": 5, "script_version": None,
                                            "target": {"kind": "process", "process_name": "shop-desktop"}}))
    assert changed["repeat_count"] == 5 and changed["script_version"] is None
    assert changed["target"] == {"kind": "process", "process_name": "shop-desktop", "device_serial": None,
                                 "package": None, "pid": None, "command": None}
    assert changed["name"] == "checkout" and changed["description"] == "checkout flow"

    detail = refused(requests.delete(f"{mon}/profiles/{profile['profile_id']}", timeout=10), 409, tid)
    assert "used by tasks" in detail
    refused(requests.delete(f"{mon}/scripts/{script['script_id']}", timeout=10), 409, tid)
    assert ok(requests.delete(f"{mon}/tasks/{tid}", timeout=10))["message"]
    refused(requests.get(f"{mon}/tasks/{tid}", timeout=10), 404, f"task {tid} not found")
    assert ok(requests.delete(f"{mon}/scripts/{script['script_id']}", timeout=10))
    assert ok(requests.delete(f"{mon}/profiles/{profile['profile_id']}", timeout=10))


def test_task_list_filters_and_paging(mon: str) -> None:
    pid = new_profile(mon)["profile_id"]
    user, other = f"u{uuid.uuid4().hex[:8]}", f"u{uuid.uuid4().hex[:8]}"
    mine = [new_task(mon, pid, created_by=user, name=f"t{i}")["task_id"] for i in range(4)]
    theirs = new_task(mon, pid, created_by=other)["task_id"]

    def listed(**params: Any) -> list[str]:
        return [t["task_id"] for t in ok(requests.get(f"{mon}/tasks", params=params, timeout=10))]

    assert listed(user=user, limit=100) == mine[::-1]  # newest first
    assert listed(user=user, limit=2) == mine[::-1][:2]
    assert listed(user=user, skip=2, limit=2) == mine[::-1][2:]
    assert listed(user=user, skip=4) == []
    assert listed(user=user, status="idle", limit=100) == mine[::-1]
    assert listed(user=user, status="running") == []
    idle = listed(status="idle", limit=100)
    assert set(mine) | {theirs} <= set(idle)
    assert listed(limit=1) == [theirs]
    refused(requests.get(f"{mon}/tasks", params={"status": "sleeping"}, timeout=10), 422, "status must be one of")


@pytest.mark.parametrize(("change", "status", "words"), [
    ({"profile_id": "missing"}, 422, ["profile missing not found"]),
    ({"script_id": "missing"}, 422, ["script missing not found"]),
    ({"script_version": 9}, 422, ["no version 9"]),
    ({"script_version": 1, "script_id": None}, 422, ["script_version needs a script_id"]),
    ({"target": {"kind": "android"}}, 422, ["app package"]),
    ({"target": {"kind": "android", "package": "shop"}}, 422, ["target.package"]),
    ({"target": {"kind": "process", "pid": 12, "command": "x"}}, 422, ["exactly one of"]),
    ({"target": {"kind": "process", "package": "com.a.b", "pid": 1}}, 422, ["do not apply"]),
    ({"target": {"kind": "ios", "package": "com.a.b"}}, 422, ["target.kind"]),
    ({"duration_limit_s": 0}, 422, ["duration_limit_s"]),
    ({"repeat_count": "many"}, 422, ["repeat_count"]),
    ({"owner": "me"}, 422, ["owner"]),
])
def test_bad_tasks_are_refused_and_not_stored(mon: str, change: dict[str, Any], status: int,
                                              words: list[str]) -> None:
    pid, sid = new_profile(mon)["profile_id"], new_script(mon)["script_id"]
    user = f"u{uuid.uuid4().hex[:8]}"
    body = {"name": "bad", "target": {"kind": "android", "package": "com.example.shop"}, "profile_id": pid,
            "script_id": sid, "created_by": user, **change}
    refused(post(f"{mon}/tasks", body), status, *words)
    assert ok(requests.get(f"{mon}/tasks", params={"user": user}, timeout=10)) == []
    if "owner" not in change:  # the same change through an update leaves the stored task as it was
        task = new_task(mon, pid, sid, created_by=user)
        refused(put(f"{mon}/tasks/{task['task_id']}", change), status, *words)
        assert ok(requests.get(f"{mon}/tasks/{task['task_id']}", timeout=10)) == task


def test_task_unknown_ids(mon: str) -> None:
    refused(requests.get(f"{mon}/tasks/nope", timeout=10), 404, "task nope not found")
    refused(put(f"{mon}/tasks/nope", {"name": "x"}), 404, "task nope not found")
    refused(requests.delete(f"{mon}/tasks/nope", timeout=10), 404, "task nope not found")
    refused(requests.post(f"{mon}/tasks", data=b"[", timeout=10), 400, "not valid JSON")


def test_documented(cloud: Any) -> None:
    paths = ok(requests.get(f"{cloud.api_url}/openapi.json", timeout=10))["paths"]
    assert {"get", "put", "delete"} <= set(paths["/api/v1/monitor/scripts/{script_id}"])
    assert "post" in paths["/api/v1/monitor/scripts/validate"]


@pytest.mark.parametrize("kind", ["profiles", "scripts"])
def test_a_task_created_while_a_delete_looks_for_users_keeps_what_it_refers_to(
        mon: str, monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    """The race between the delete's search for users and a task being created at that moment: the
    task's transaction moves the item's references_version, so the delete's condition fails (409)."""
    from frame_metric.monitor import tasks as task_module

    profile, script = new_profile(mon), new_script(mon)
    key = profile["profile_id"] if kind == "profiles" else script["script_id"]
    search = task_module.tasks_using
    raced: list[dict[str, Any]] = []

    def search_then_race(attribute: str, value: str) -> list[str]:
        users = search(attribute, value)  # nobody yet...
        if not raced:  # ...and now a task takes it up, before the delete is written
            raced.append(new_task(mon, profile["profile_id"], script["script_id"]))
        return users

    monkeypatch.setattr(task_module, "tasks_using", search_then_race)
    refused(requests.delete(f"{mon}/{kind}/{key}", timeout=10), 409, "just taken up by a task")
    monkeypatch.undo()
    assert requests.get(f"{mon}/{kind}/{key}", timeout=10).status_code == 200  # still there for the task
    refused(requests.delete(f"{mon}/{kind}/{key}", timeout=10), 409, raced[0]["task_id"])  # named now
    assert ok(requests.delete(f"{mon}/tasks/{raced[0]['task_id']}", timeout=10))
    assert ok(requests.delete(f"{mon}/{kind}/{key}", timeout=10))  # unused now: deleted
