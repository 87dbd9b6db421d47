"""Monitoring runs end to end over real HTTP: lifecycle, ingest through the ingest function (as
API Gateway routes it), live polling, results, compare, exports, bad input, the silent-runner sweep."""

from __future__ import annotations

import csv
import io
import json
import time
import uuid
from typing import Any

import pytest
import requests

from frame_metric.data.monitor_config import MonitorProfile, MonitorTask, ProfileItem, Target, Threshold
from frame_metric.data.monitor_runs import MonitorRun, SampleBatch
from frame_metric.data.video import FrameMark, Video
from frame_metric.localcloud.cloud import LocalCloud
from tests.unit.monitor_runs.xlsx import read_sheets


@pytest.fixture
def task(cloud: LocalCloud) -> str:
    """A profile with thresholds and a task, written straight through the models (these tests are about
    runs, not the configuration API)."""
    profile = MonitorProfile(str(uuid.uuid4()), name="launch", items=[
        ProfileItem(metric="app_cpu", interval_ms=1000, thresholds=[Threshold(stat="avg", op="lt", value=50)]),
        ProfileItem(metric="fps", interval_ms=1000, thresholds=[Threshold(stat="min", op="ge", value=30)]),
        ProfileItem(metric="memory_pss", interval_ms=1000)])
    profile.save()
    task = MonitorTask(str(uuid.uuid4()), name="scroll feed", target=Target(kind="android", package="com.app"),
                       profile_id=profile.profile_id)
    task.save()
    return task.task_id


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def new_run(api: str, task_id: str, start: bool = True, **body: Any) -> tuple[str, str]:
    created = requests.post(f"{api}/monitor/tasks/{task_id}/runs", json=body, timeout=10)
    assert created.status_code == 201, created.text
    run_id, token = created.json()["run_id"], created.json()["run_token"]
    if start:
        started = requests.post(f"{api}/monitor/runs/{run_id}/start", headers=auth(token), timeout=10)
        assert started.status_code == 200, started.text
    return run_id, token


def send(api: str, run_id: str, token: str | None, body: Any, raw: bytes | None = None) -> requests.Response:
    headers = auth(token) if token else {}
    data = raw if raw is not None else json.dumps(body).encode()
    return requests.post(f"{api}/monitor/runs/{run_id}/samples", data=data,
                         headers={**headers, "Content-Type": "application/json"}, timeout=10)


def batch(seq: int, n: int = 50, metric: str = "app_cpu", t0: float | None = None, value: float = 10.0,
          marks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    start = seq * n * 0.01 if t0 is None else t0
    return {"seq": seq, "samples": [{"t": round(start + i * 0.01, 4), "metric": metric, "value": value + i % 5}
                                    for i in range(n)], "marks": marks or []}


def test_run_lifecycle_results_and_task(api: str, task: str) -> None:
    run_id, token = new_run(api, task, start=False)
    run = requests.get(f"{api}/monitor/runs/{run_id}", timeout=10).json()
    assert run["status"] == "created" and "token_hash" not in run and "run_token" not in run
    assert [i["metric"] for i in run["profile"]["items"]] == ["app_cpu", "fps", "memory_pss"]
    assert send(api, run_id, token, batch(0)).status_code == 409  # not started yet
    started = requests.post(f"{api}/monitor/runs/{run_id}/start", headers=auth(token),
                            json={"clock_origin": 1234.5}, timeout=10)
    assert started.json()["status"] == "running" and started.json()["clock_origin"] == 1234.5
    assert MonitorTask.get(task).status == "running"
    beat = requests.post(f"{api}/monitor/runs/{run_id}/heartbeat", headers=auth(token), timeout=10)
    assert beat.status_code == 200 and beat.json()["status"] == "running"

    sent: dict[str, list[float]] = {"app_cpu": [], "fps": []}
    for seq in range(4):
        body = batch(seq, metric="app_cpu", value=20.0, marks=[{"t": seq * 0.5, "name": f"step{seq}"}])
        body["samples"] += [{"t": s["t"], "metric": "fps", "value": 55.0 + seq} for s in body["samples"][:10]]
        sent["app_cpu"] += [s["value"] for s in body["samples"] if s["metric"] == "app_cpu"]
        sent["fps"] += [s["value"] for s in body["samples"] if s["metric"] == "fps"]
        response = send(api, run_id, token, body)
        assert response.status_code == 200 and response.json()["stored"], response.text

    finished = requests.post(f"{api}/monitor/runs/{run_id}/finish", headers=auth(token), timeout=10).json()
    # app_cpu avg 22 < 50 and fps min 55 >= 30; memory_pss has no threshold: a pass.
    assert finished["status"] == "completed" and finished["verdict"] == "pass"
    results = requests.get(f"{api}/monitor/runs/{run_id}/results", timeout=10).json()
    cpu = results["metrics"]["app_cpu"]
    assert cpu["count"] == len(sent["app_cpu"]) and cpu["min"] == min(sent["app_cpu"])
    assert cpu["max"] == max(sent["app_cpu"])
    assert cpu["avg"] == pytest.approx(sum(sent["app_cpu"]) / len(sent["app_cpu"]), abs=1e-3)
    assert results["metrics"]["fps"]["min"] == 55.0
    assert [s["name"] for s in results["segments"]] == ["step0", "step1", "step2", "step3"]
    assert results["verdict"] == "pass" and results["failures"] == []
    assert MonitorTask.get(task).last_verdict == results["verdict"]
    assert MonitorTask.get(task).status == "completed"
    listed = requests.get(f"{api}/monitor/tasks/{task}/runs", timeout=10).json()
    assert [r["run_id"] for r in listed] == [run_id]
    # Finishing twice is fine; a finished run takes no more samples.
    assert requests.post(f"{api}/monitor/runs/{run_id}/finish", headers=auth(token), timeout=10).status_code == 200
    assert send(api, run_id, token, batch(9)).status_code == 409
    assert requests.post(f"{api}/monitor/runs/{run_id}/cancel", timeout=10).status_code == 409


def test_duplicate_and_out_of_order_batches_are_stored_once(cloud: LocalCloud, api: str, task: str) -> None:
    run_id, token = new_run(api, task)
    assert cloud.runtime is not None
    before = cloud.runtime.invocations.count("IngestFunction")
    order = [3, 1, 2, 1, 3, 0, 4, 0, 2]
    answers = [send(api, run_id, token, batch(seq)).json() for seq in order]
    assert [a["duplicate"] for a in answers] == [False, False, False, True, True, False, False, True, True]
    assert len(list(SampleBatch.query(run_id))) == 5
    # Served by the ingest function, as API Gateway routes it, not by the API function.
    assert cloud.runtime.invocations.count("IngestFunction") - before == len(order)
    results = requests.get(f"{api}/monitor/runs/{run_id}/results", timeout=10).json()
    assert results["sample_count"] == 5 * 50
    times = [p[0] for p in requests.get(f"{api}/monitor/runs/{run_id}/samples", timeout=10).json()["series"]["app_cpu"]]
    assert len(times) == len(set(times)) == 250  # every sample once, none lost
    # A resent batch after the finish is still answered as a duplicate (a lost answer, retried).
    requests.post(f"{api}/monitor/runs/{run_id}/finish", headers=auth(token), timeout=10)
    assert send(api, run_id, token, batch(4)).json()["duplicate"] is True


def test_bad_input_is_refused_and_nothing_is_lost(api: str, task: str) -> None:
    run_id, token = new_run(api, task)
    assert send(api, run_id, token, batch(0)).status_code == 200

    def refused(response: requests.Response, status: int, words: str) -> None:
        assert response.status_code == status, response.text
        assert words in response.json()["detail"], response.json()

    refused(send(api, run_id, None, batch(1)), 401, "Bearer")
    refused(send(api, run_id, "not-the-token", batch(1)), 403, "does not match")
    refused(send(api, "no-such-run", token, batch(1)), 404, "not found")
    refused(send(api, run_id, token, None, raw=b"{not json"), 400, "not valid JSON")
    refused(send(api, run_id, token, {"samples": []}), 422, "seq")
    refused(send(api, run_id, token, {"seq": 1, "samples": "x"}), 422, "lists")
    refused(send(api, run_id, token, {"seq": 1, "samples": [{"t": 1, "metric": "warp", "value": 1}]}), 422,
            "unknown metric 'warp'")
    refused(send(api, run_id, token, {"seq": 1, "samples": [{"t": 1, "metric": "fps", "value": "fast"}]}), 422,
            "finite number")
    refused(send(api, run_id, token, {"seq": 1, "samples": [{"t": 86400, "metric": "fps", "value": 1}]}), 422,
            "in the future")
    refused(send(api, run_id, token, batch(1, n=501)), 413, "at most 500 samples")
    refused(send(api, run_id, token, None, raw=b" " * (256 * 1024 + 1)), 413, "bytes")
    for action in ("start", "heartbeat", "finish"):
        refused(requests.post(f"{api}/monitor/runs/{run_id}/{action}", timeout=10), 401, "Bearer")
        refused(requests.post(f"{api}/monitor/runs/{run_id}/{action}", headers=auth("x"), timeout=10), 403, "match")
    refused(requests.post(f"{api}/monitor/runs/{run_id}/fail", headers=auth(token), json={}, timeout=10), 422,
            "reason")
    refused(requests.post(f"{api}/monitor/runs/{run_id}/cancel", headers=auth("x"), timeout=10), 403, "match")
    refused(requests.get(f"{api}/monitor/runs/{run_id}/samples", params={"since": -1}, timeout=10), 422, "since")
    refused(requests.get(f"{api}/monitor/runs/{run_id}/export", params={"format": "pdf"}, timeout=10), 422, "csv")
    refused(requests.post(f"{api}/monitor/tasks/no-such-task/runs", json={}, timeout=10), 404, "not found")
    # Nothing refused was stored, and the batch that was accepted is whole.
    assert [b.seq for b in SampleBatch.query(run_id)] == [0]
    assert send(api, run_id, token, batch(1)).json()["stored"] is True
    failed = requests.post(f"{api}/monitor/runs/{run_id}/fail", headers=auth(token),
                           json={"reason": "device disconnected"}, timeout=10).json()
    assert failed["status"] == "failed" and failed["failure_reason"] == "device disconnected"
    refused(send(api, run_id, token, batch(2)), 409, "only while running")
    assert MonitorTask.get(task).status == "failed"


def test_since_cursor_polling_and_downsampling(api: str, task: str) -> None:
    run_id, token = new_run(api, task)
    url = f"{api}/monitor/runs/{run_id}/samples"
    empty = requests.get(url, params={"since": 0}, timeout=10).json()
    assert empty["cursor"] == 0 and empty["series"] == {}
    send(api, run_id, token, batch(0, marks=[{"t": 0.1, "name": "open feed"}]))
    send(api, run_id, token, batch(1))
    first = requests.get(url, params={"since": 0}, timeout=10).json()
    assert first["cursor"] == 2 and len(first["series"]["app_cpu"]) == 100 and first["units"] == {"app_cpu": "%"}
    assert first["marks"] == [{"t": 0.1, "name": "open feed"}]
    assert requests.get(url, params={"since": first["cursor"]}, timeout=10).json()["series"] == {}
    send(api, run_id, token, batch(2))
    second = requests.get(url, params={"since": first["cursor"]}, timeout=10).json()
    assert second["cursor"] == 3 and second["series"]["app_cpu"][0][0] == 1.0

    # A long range is downsampled, and a single spike survives it.
    run_id, token = new_run(api, task)
    for seq in range(8):
        body = batch(seq, n=500, metric="memory_pss", value=100.0)
        if seq == 5:
            body["samples"][123]["value"] = 999.0
        assert send(api, run_id, token, body).status_code == 200
    view = requests.get(f"{api}/monitor/runs/{run_id}/samples", params={"max_points": 200}, timeout=10).json()
    points = view["series"]["memory_pss"]
    assert view["downsampled"] and view["sample_count"] == 4000 and len(points) <= 200
    assert max(p[1] for p in points) == 999.0 and min(p[1] for p in points) == 100.0
    assert [p[0] for p in points] == sorted(p[0] for p in points)


def test_compare_and_failing_verdict(api: str, task: str) -> None:
    runs = []
    for value in (20.0, 80.0):
        run_id, token = new_run(api, task)
        body = batch(0, value=value)
        body["samples"] += [{"t": 0.1, "metric": "fps", "value": 58.0}]
        send(api, run_id, token, body)
        requests.post(f"{api}/monitor/runs/{run_id}/finish", headers=auth(token), timeout=10)
        runs.append(run_id)
    slow = requests.get(f"{api}/monitor/runs/{runs[1]}", timeout=10).json()
    assert slow["verdict"] == "fail"
    failures = requests.get(f"{api}/monitor/runs/{runs[1]}/results", timeout=10).json()["failures"]
    assert [(f["metric"], f["stat"], f["observed"]) for f in failures] == [("app_cpu", "avg", 82.0)]
    compared = requests.get(f"{api}/monitor/runs/compare", params={"a": runs[0], "b": runs[1]}, timeout=10).json()
    assert compared["a"]["verdict"] == "pass" and compared["b"]["verdict"] == "fail"
    cpu = compared["metrics"]["app_cpu"]
    assert cpu["a"]["avg"] == 22.0 and cpu["b"]["avg"] == 82.0 and cpu["delta"]["avg"] == 60.0
    assert cpu["delta"]["avg_pct"] == pytest.approx(272.7273, abs=1e-3)
    assert compared["metrics"]["fps"]["delta"]["avg"] == 0.0
    assert requests.get(f"{api}/monitor/runs/compare", params={"a": runs[0]}, timeout=10).status_code == 422
    assert MonitorTask.get(task).last_verdict == "fail"


def test_exports_open_as_csv_and_excel(api: str, task: str) -> None:
    run_id, token = new_run(api, task)
    send(api, run_id, token, batch(0, n=20, marks=[{"t": 0.0, "name": "启动"}, {"t": 0.1, "name": "scroll"}]))
    response = requests.get(f"{api}/monitor/runs/{run_id}/export", params={"format": "csv"}, timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    header = rows.index(["t_s", "metric", "value", "unit", "segment"])
    samples = rows[header + 1:]
    assert len(samples) == 20 and samples[0][4] == "启动" and samples[-1][4] == "scroll"
    response = requests.get(f"{api}/monitor/runs/{run_id}/export", params={"format": "excel"}, timeout=10)
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    sheets = read_xlsx(response.content)
    assert list(sheets) == ["Summary", "Samples"]
    assert sheets["Samples"][0] == ["t_s", "metric", "value", "unit", "segment"] and len(sheets["Samples"]) == 21
    assert ["run_id", run_id] in sheets["Summary"]


def read_xlsx(data: bytes) -> dict[str, list[list[Any]]]:
    return read_sheets(data)


def test_delete_task_with_runs(api: str, task: str) -> None:
    run_id, token = new_run(api, task)
    send(api, run_id, token, batch(0))
    requests.post(f"{api}/monitor/runs/{run_id}/finish", headers=auth(token), timeout=10)
    kept = requests.delete(f"{api}/monitor/tasks/{task}", timeout=10)
    assert kept.status_code == 409 and "force=true" in kept.json()["detail"]
    assert requests.get(f"{api}/monitor/tasks/{task}", timeout=10).status_code == 200
    assert requests.delete(f"{api}/monitor/tasks/{task}?force=maybe", timeout=10).status_code == 422
    gone = requests.delete(f"{api}/monitor/tasks/{task}?force=true", timeout=10)
    assert gone.status_code == 200 and "1 run" in gone.json()["message"]
    assert requests.get(f"{api}/monitor/tasks/{task}", timeout=10).status_code == 404
    assert list(SampleBatch.query(run_id)) == []
    assert requests.get(f"{api}/monitor/runs/{run_id}", timeout=10).status_code == 404


def test_console_cancel_and_linked_video(api: str, task: str) -> None:
    run_id, _ = new_run(api, task)
    video = Video(str(uuid.uuid4()), filename="launch.mp4", status="completed",
                  first_frame=FrameMark(frame_number=49, timestamp=0.817),
                  last_frame=FrameMark(frame_number=109, timestamp=1.817))
    video.save()
    linked = requests.put(f"{api}/monitor/runs/{run_id}/video", json={"video_id": video.video_id, "offset_s": 2.0},
                          timeout=10).json()
    assert linked["video"]["first_frame_t"] == pytest.approx(2.817)
    assert linked["video"]["last_frame_t"] == pytest.approx(3.817) and linked["video"]["duration"] == 1.0
    assert requests.put(f"{api}/monitor/runs/{run_id}/video", json={"video_id": "nope"}, timeout=10).status_code == 404
    cancelled = requests.post(f"{api}/monitor/runs/{run_id}/cancel", timeout=10).json()
    assert cancelled["status"] == "cancelled" and MonitorTask.get(task).status == "cancelled"


def test_silent_runner_is_failed_by_the_sweeper(api: str, task: str) -> None:
    run_id, token = new_run(api, task, heartbeat_timeout_s=1)
    send(api, run_id, token, batch(0))
    deadline = time.monotonic() + 15  # the test cloud sweeps every 2 s
    while time.monotonic() < deadline:
        run = requests.get(f"{api}/monitor/runs/{run_id}", timeout=10).json()
        if run["status"] != "running":
            break
        time.sleep(0.3)
    assert run["status"] == "failed" and "went silent" in run["failure_reason"]
    # The run is written first, then its task: give the second write its moment.
    for _ in range(50):
        if MonitorTask.get(task).status == "failed":
            break
        time.sleep(0.1)
    assert MonitorTask.get(task).status == "failed"
    assert MonitorRun.get(run_id).finished_at is not None
