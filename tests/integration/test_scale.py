"""The stack under a burst, small enough for every `make test` (bench/bench_scale.py is the big one):
the local cloud with the template's trigger concurrency cap, and a share of calls refused as AWS
refuses them under load (Lambda TooManyRequests, DynamoDB ProvisionedThroughputExceeded, API 429).
Uploads queue and all complete, none fails for capacity; a queued video shows `queued` and can be
cancelled; runners behind a 429-answering edge lose no sample."""

from __future__ import annotations

import random
import re
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from frame_metric.client import FrameMetricClient
from frame_metric.data import bind_models
from frame_metric.localcloud.cloud import LocalCloud
from frame_metric.samples import generate_app_launch
from frame_metric.settings import get_settings, reset_settings
from frame_metric.videos import records
from tests.integration.conftest import wait_finished
from tests.integration.faults import (
    THROTTLED,
    TOO_MANY_REQUESTS,
    FaultProxy,
    any_request,
    dynamodb_writes,
    routed_through,
)
from tests.integration.test_runner_outage import make_task
from tests.serve_process import BIN

UPLOADS = 20
SHARE = 0.2
PIPELINE = {"UploadTriggerFunction", "ProbeFunction", "AnalyseFunction", "SelectFunction", "FinalizeFunction"}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scale") / "tiny.mp4"
    generate_app_launch(path, width=96, height=160, fps=10.0, seconds=1.0, tap_at=0.3, load_seconds=0.3)
    return path


@pytest.fixture
def throttled_dynamodb(cloud: LocalCloud, monkeypatch: pytest.MonkeyPatch) -> Iterator[FaultProxy]:
    """A share of every DynamoDB write answered ProvisionedThroughputExceeded, for every function."""
    assert cloud.tables is not None
    for proxy in routed_through(monkeypatch, "AWS_ENDPOINT_URL_DYNAMODB", cloud.tables.endpoint):
        proxy.fail(dynamodb_writes(), times=10**9, status=400, body=THROTTLED, share=SHARE)
        yield proxy


@pytest.fixture
def throttled_lambda(cloud: LocalCloud) -> Iterator[random.Random]:
    assert cloud.runtime is not None
    draw = random.Random(19)
    cloud.runtime.throttle = lambda name: name in PIPELINE and draw.random() < SHARE
    try:
        yield draw
    finally:
        cloud.runtime.throttle = None


def test_the_trigger_runs_with_the_templates_concurrency_cap(cloud: LocalCloud) -> None:
    assert cloud.pipeline_warm.wait(120)  # the pollers start with the pipeline, after the API answers
    pollers = [t for t in threading.enumerate() if t.name.startswith("upload-poller-")]
    assert len(pollers) == cloud.trigger_concurrency == int(
        cloud.template.parameters["TriggerMaxConcurrency"]["Default"]) >= 2


def test_a_burst_of_uploads_under_throttling_all_complete(cloud: LocalCloud, api: str, tiny: Path,
                                                          throttled_lambda: random.Random,
                                                          throttled_dynamodb: FaultProxy) -> None:
    assert cloud.runtime is not None
    client = FrameMetricClient(cloud.api_url)
    started = time.monotonic()
    with ThreadPoolExecutor(10) as pool:
        tickets = list(pool.map(lambda _: client.upload(tiny), range(UPLOADS)))
    ids = [ticket["video_id"] for ticket in tickets]
    with ThreadPoolExecutor(6) as pool:
        finished = list(pool.map(lambda video_id: wait_finished(api, video_id, timeout=150), ids))
    elapsed = time.monotonic() - started
    failed = [(s["video_id"], s["error_message"]) for s in finished if s["status"] != "completed"]
    assert not failed, failed
    assert cloud.runtime.throttled > 0, "some invocations were refused (TooManyRequestsException)"
    assert throttled_dynamodb.rules[0].hits > 0, "some DynamoDB writes were refused"
    # Newest first across the index shards, every one of them once.
    listed = [v["video_id"] for v in requests.get(f"{api}/video/list", params={"limit": 100}, timeout=10).json()]
    assert set(ids) <= set(listed) and len(listed) == len(set(listed))
    created = [v["created_at"] for v in requests.get(f"{api}/video/list", params={"limit": 100}, timeout=10).json()]
    assert created == sorted(created, reverse=True)
    print(f"\n{UPLOADS} uploads with {SHARE:.0%} throttling: all completed in {elapsed:.1f} s, "
          f"{cloud.runtime.throttled} Lambda throttles, {throttled_dynamodb.rules[0].hits} DynamoDB throttles")


def test_a_video_waiting_for_capacity_shows_queued_and_can_be_cancelled(cloud: LocalCloud, api: str,
                                                                        tiny: Path) -> None:
    assert cloud.runtime is not None
    cloud.runtime.throttle = lambda name: name == "ProbeFunction"  # no capacity at all for a while
    try:
        video_id = FrameMetricClient(cloud.api_url).upload(tiny)["video_id"]
        deadline = time.monotonic() + 30
        while (status := requests.get(f"{api}/video/{video_id}/status", timeout=10).json())["status"] != "processing":
            assert time.monotonic() < deadline, status
            time.sleep(0.1)
        assert status["current_step"] == "queued"
        cancelled = requests.post(f"{api}/video/{video_id}/cancel", timeout=10)
        assert cancelled.status_code == 200, cancelled.text
    finally:
        cloud.runtime.throttle = None
    time.sleep(1)
    final = requests.get(f"{api}/video/{video_id}/status", timeout=10).json()
    assert final["status"] == "cancelled"


CAP, CAPPED_UPLOADS = 2, 8


def test_uploads_over_the_in_flight_cap_wait_queued_and_all_complete(cloud: LocalCloud, api: str, tiny: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Admission by capacity: with the cap at 2, a burst waits `queued` in the upload queue (the trigger
    gives its message back), the pipeline never holds more than the cap plus the triggers running at
    once, and every upload completes."""
    monkeypatch.setenv("FRAME_METRIC_MAX_VIDEOS_IN_FLIGHT", str(CAP))
    reset_settings()
    bind_models(get_settings())
    client = FrameMetricClient(cloud.api_url)
    ids: list[str] = []
    most_in_flight, queued_seen, shown = 0, set(), []  # type: ignore[var-annotated]
    watching = threading.Event()

    def watch() -> None:
        nonlocal most_in_flight
        while not watching.is_set():
            videos = [v for v in (records.find_video(video_id) for video_id in list(ids)) if v is not None]
            most_in_flight = max(most_in_flight, sum(v.status == "processing" for v in videos))
            waiting = [v.video_id for v in videos if v.status == "uploading" and v.queued_at]
            if waiting and not queued_seen:  # what a user polling it sees
                shown.append(requests.get(f"{api}/video/{waiting[0]}/status", timeout=10).json())
            queued_seen.update(waiting)
            time.sleep(0.2)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    started = time.monotonic()
    try:
        with ThreadPoolExecutor(CAPPED_UPLOADS) as pool:
            ids.extend(ticket["video_id"] for ticket in pool.map(lambda _: client.upload(tiny), range(CAPPED_UPLOADS)))
        with ThreadPoolExecutor(4) as pool:
            finished = list(pool.map(lambda video_id: wait_finished(api, video_id, timeout=150), ids))
    finally:
        watching.set()
        watcher.join(5)
        monkeypatch.undo()
        reset_settings()
        bind_models(get_settings())
    failed = [(s["video_id"], s["error_message"]) for s in finished if s["status"] != "completed"]
    assert not failed, failed
    assert queued_seen, "some uploads waited for capacity"
    assert 1 <= most_in_flight <= CAP + cloud.trigger_concurrency, most_in_flight
    # Seen a moment later through the API: still waiting, or just admitted and not yet probed.
    assert shown and shown[0]["current_step"] == "queued" and shown[0]["status"] in ("uploading", "processing")
    print(f"\n{CAPPED_UPLOADS} uploads, cap {CAP}: all completed in {time.monotonic() - started:.1f} s, "
          f"{len(queued_seen)} waited queued, at most {most_in_flight} in flight")


def test_a_runner_behind_a_throttling_edge_loses_no_sample(cloud: LocalCloud, api: str, tmp_path: Path) -> None:
    task_id = make_task(api, 4)
    with FaultProxy(cloud.api_url) as edge:
        rule = edge.fail(any_request(), times=10**9, status=429, body=TOO_MANY_REQUESTS, share=0.3)
        runner = subprocess.run([str(BIN), "run", task_id, "--api", edge.url, "--spool-dir", str(tmp_path)],
                                capture_output=True, text=True, timeout=120)
    assert runner.returncode == 0, runner.stdout + runner.stderr
    assert rule.hits > 0
    sent = re.search(r"sent (\d+) of (\d+) samples", runner.stdout)
    assert sent and sent.group(1) == sent.group(2) and int(sent.group(2)) > 0, runner.stdout
    run: dict[str, Any] = requests.get(f"{api}/monitor/tasks/{task_id}/runs", timeout=10).json()[0]
    results = requests.get(f"{api}/monitor/runs/{run['run_id']}/results", timeout=10).json()
    assert run["status"] == "completed"
    assert results["sample_count"] == int(sent.group(2))  # every sample once: none lost, none doubled
