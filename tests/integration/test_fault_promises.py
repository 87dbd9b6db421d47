"""The promises under faults, each named in a test: real error answers from the stores in the middle
of the pipeline (through a fault-injecting proxy, not a patched client), the same S3 event delivered
several times at once. Each ends retried to success or failed with a reason: never duplicated, never
stuck, nothing lost. (More faults: test_pipeline_faults.py, tests/e2e/test_runner.py.)"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from frame_metric.client import FrameMetricClient
from frame_metric.localcloud.cloud import LocalCloud
from tests.integration.conftest import upload, wait_finished
from tests.integration.faults import (
    ACCESS_DENIED,
    SLOW_DOWN,
    THROTTLED,
    FaultProxy,
    dynamodb_call,
    routed_through,
    s3_request,
)
from tests.integration.test_video_pipeline import assert_matches_truth


@pytest.fixture
def dynamodb_faults(cloud: LocalCloud, monkeypatch: pytest.MonkeyPatch) -> Iterator[FaultProxy]:
    assert cloud.tables is not None
    yield from routed_through(monkeypatch, "AWS_ENDPOINT_URL_DYNAMODB", cloud.tables.endpoint)


@pytest.fixture
def s3_faults(cloud: LocalCloud, monkeypatch: pytest.MonkeyPatch) -> Iterator[FaultProxy]:
    assert cloud.objects is not None
    yield from routed_through(monkeypatch, "AWS_ENDPOINT_URL_S3", cloud.objects.endpoint)


def executions_of(cloud: LocalCloud, video_id: str) -> list[dict[str, Any]]:
    sfn = cloud.client("stepfunctions")
    found = sfn.list_executions(stateMachineArn=cloud.settings.state_machine_arn, maxResults=1000)["executions"]
    return [e for e in found if video_id in e["name"]]


def wait_processing(api: str, video_id: str) -> None:
    deadline = time.monotonic() + 30
    while requests.get(f"{api}/video/{video_id}/status", timeout=10).json()["status"] != "processing":
        assert time.monotonic() < deadline, "the upload never started processing"
        time.sleep(0.05)


def test_dynamodb_throttled_mid_pipeline_is_retried_to_success(
        cloud: LocalCloud, api: str, recordings: dict[str, Any], dynamodb_faults: FaultProxy) -> None:
    path, truth = recordings["launch"]
    video_id = upload(api, path)["video_id"]
    wait_processing(api, video_id)
    assert cloud.runtime is not None
    before = len(cloud.runtime.invocations)
    # More refusals than the client's own retries absorb: the step fails and Step Functions retries it.
    rule = dynamodb_faults.fail(dynamodb_call("UpdateItem", video_id), times=6, status=400, body=THROTTLED)
    status = wait_finished(api, video_id)
    assert rule.hits == 6
    assert_matches_truth(status, truth)
    assert len(executions_of(cloud, video_id)) == 1
    # Where the refusals land decides how they are absorbed: a status write's step fails and Step
    # Functions runs it again; a progress write (best-effort) is dropped. Either way one execution
    # finished the video, and each step that ran did so to the end.
    steps = Counter(name for name in cloud.runtime.invocations[before:] if name != "IngestFunction")
    assert steps["FinalizeFunction"] >= 1 and "FailFunction" not in steps, steps


def test_s3_slow_down_mid_pipeline_is_retried_to_success(
        cloud: LocalCloud, api: str, recordings: dict[str, Any], s3_faults: FaultProxy) -> None:
    path, truth = recordings["launch"]
    video_id = upload(api, path)["video_id"]
    # Reads of the pipeline's own objects (probe, features) answer 503 SlowDown, past the S3 client's
    # five attempts: the step fails with a TransientError and is retried.
    rule = s3_faults.fail(s3_request("GET", rf"/videos/{video_id}/"), times=6, status=503, body=SLOW_DOWN,
                          **{"Content-Type": "application/xml"})
    status = wait_finished(api, video_id)
    assert rule.hits == 6
    assert_matches_truth(status, truth)
    assert len(executions_of(cloud, video_id)) == 1


def test_s3_refusing_writes_fails_the_video_with_the_reason(
        cloud: LocalCloud, api: str, recordings: dict[str, Any], s3_faults: FaultProxy) -> None:
    video_id = upload(api, recordings["launch"][0])["video_id"]
    s3_faults.fail(s3_request("PUT", rf"/videos/{video_id}/"), times=10_000, status=403, body=ACCESS_DENIED,
                   **{"Content-Type": "application/xml"})
    status = wait_finished(api, video_id, timeout=60)
    assert status["status"] == "failed"
    assert "AccessDenied" in status["error_message"]
    assert len(executions_of(cloud, video_id)) == 1


def test_the_same_s3_event_three_times_at_once_processes_once(cloud: LocalCloud, api: str,
                                                              recordings: dict[str, Any]) -> None:
    path, truth = recordings["launch"]
    videos_before = {v["video_id"] for v in requests.get(f"{api}/video/list?limit=100", timeout=10).json()}
    client = FrameMetricClient(cloud.api_url)
    ticket = client.upload(path)  # presigned PUT: the store raises the first ObjectCreated itself
    video_id = ticket["video_id"]
    s3 = cloud.client("s3")
    key = next(o["Key"] for o in s3.list_objects_v2(Bucket=cloud.settings.bucket,
                                                       Prefix=f"uploads/{video_id}/")["Contents"])
    head = s3.head_object(Bucket=cloud.settings.bucket, Key=key)
    record = {"eventName": "ObjectCreated:Put", "s3": {"bucket": {"name": cloud.settings.bucket}, "object": {
        "key": key, "size": head["ContentLength"], "eTag": head["ETag"].strip('"'), "sequencer": "0A1B"}}}
    body = json.dumps({"Records": [record]})
    sqs = cloud.client("sqs")
    for _ in range(2):  # two more copies through the queue, as SQS redelivers
        sqs.send_message(QueueUrl=cloud.queue_url, MessageBody=body)
    assert cloud.runtime is not None
    outcomes: list[str] = []
    direct = [threading.Thread(target=lambda: outcomes.append(json.loads(cloud.runtime.invoke(  # type: ignore[union-attr]
        "UploadTriggerFunction", body.encode()).payload)["outcomes"][0]["action"])) for _ in range(2)]
    for thread in direct:  # and two at the same moment, straight to the function
        thread.start()
    for thread in direct:
        thread.join(timeout=60)
    status = wait_finished(api, video_id)
    assert_matches_truth(status, truth)
    time.sleep(2)  # let the queued copies drain
    assert len(executions_of(cloud, video_id)) == 1
    videos_after = {v["video_id"] for v in requests.get(f"{api}/video/list?limit=100", timeout=10).json()}
    assert videos_after - videos_before == {video_id}  # one video, however many deliveries
    assert set(outcomes) <= {"started", "duplicate"}
