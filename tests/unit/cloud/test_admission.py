"""Admission by capacity (pipeline/admission.py): the upload trigger against in-process moto (S3,
DynamoDB, SQS, Step Functions without execution) with a small in-flight cap."""

from __future__ import annotations

import json
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from frame_metric.data import Video, bind_models
from frame_metric.data.video import VideoStatus, utcnow
from frame_metric.localcloud.cloud import _reported_failure
from frame_metric.pipeline import admission
from frame_metric.pipeline.sweeper import reconcile
from frame_metric.settings import get_settings, reset_settings
from frame_metric.videos import records
from tests.unit.cloud.handlers import event, load_handler

CAP = 2
KEY = "uploads/6f1c2a3e-9b4d-4e8f-a1b2-c3d4e5f60718/app launch.mp4"


@pytest.fixture
def aws(moto_stack: dict[str, Any], monkeypatch: pytest.MonkeyPatch,
        sample_recording: tuple[Path, object]) -> dict[str, Any]:
    """The stack with an upload queue, the cap at CAP, and the sample event's object uploaded."""
    sqs = boto3.client("sqs", region_name="us-east-1")
    queue = sqs.create_queue(QueueName="unit-uploads", Attributes={"VisibilityTimeout": "360"})["QueueUrl"]
    monkeypatch.setenv("FRAME_METRIC_MAX_VIDEOS_IN_FLIGHT", str(CAP))
    monkeypatch.setenv("FRAME_METRIC_UPLOAD_QUEUE_URL", queue)
    reset_settings()
    bind_models(get_settings())
    moto_stack["s3"].put_object(Bucket=moto_stack["settings"].bucket, Key=KEY,
                                Body=sample_recording[0].read_bytes())
    return {**moto_stack, "sqs": sqs, "queue": queue}


def queued_message(aws: dict[str, Any], hidden_for: int = 30) -> dict[str, Any]:
    """The sample notification sent through the queue and received as the event source receives it:
    an SQS event record with its receipt handle and receive count."""
    body = event("sqs_upload_notification.json")["Records"][0]["body"]
    aws["sqs"].send_message(QueueUrl=aws["queue"], MessageBody=body)
    message = aws["sqs"].receive_message(QueueUrl=aws["queue"], VisibilityTimeout=hidden_for,
                                         AttributeNames=["ApproximateReceiveCount"])["Messages"][0]
    return {"Records": [{"messageId": message["MessageId"], "receiptHandle": message["ReceiptHandle"],
                         "body": message["Body"], "attributes": message["Attributes"],
                         "eventSource": "aws:sqs"}]}


def processing_videos(count: int) -> None:
    for _ in range(count):
        Video(str(uuid.uuid4()), filename="busy.mp4", status="processing").save()


def executions(aws: dict[str, Any]) -> list[dict[str, Any]]:
    return aws["sfn"].list_executions(stateMachineArn=aws["machine"])["executions"]


def visible(aws: dict[str, Any]) -> int:
    found = aws["sqs"].receive_message(QueueUrl=aws["queue"], VisibilityTimeout=0, WaitTimeSeconds=0)
    return len(found.get("Messages", []))


def test_under_the_cap_an_upload_starts(aws: dict[str, Any]) -> None:
    processing_videos(CAP - 1)
    answer = load_handler("UploadTriggerFunction")(queued_message(aws), None)
    assert [o["action"] for o in answer["outcomes"]] == ["started"]
    assert answer["batchItemFailures"] == [] and len(executions(aws)) == 1


def test_at_the_cap_an_upload_waits_queued_in_the_queue(aws: dict[str, Any],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    processing_videos(CAP)
    monkeypatch.setattr(admission.random, "uniform", lambda low, high: high)  # the longest delay: 5 s
    sqs_event = queued_message(aws, hidden_for=1)
    answer = load_handler("UploadTriggerFunction")(sqs_event, None)
    outcome = answer["outcomes"][0]
    assert outcome["action"] == "deferred" and outcome["message_id"] == sqs_event["Records"][0]["messageId"]
    assert answer["batchItemFailures"] == [{"itemIdentifier": sqs_event["Records"][0]["messageId"]}]
    assert executions(aws) == []
    video = Video.get(outcome["video_id"])
    assert video.status == "uploading" and video.current_step == "queued" and video.queued_at is not None
    time.sleep(1.5)  # past the receive's own 1 s: the trigger hid the message for 5 s
    assert visible(aws) == 0
    first_queued = video.queued_at
    again = load_handler("UploadTriggerFunction")(queued_message(aws), None)  # still full
    assert again["outcomes"][0]["action"] == "deferred"
    assert Video.get(outcome["video_id"]).queued_at == first_queued  # waits since the first time

    records.mark_failed(records.active_videos(VideoStatus.PROCESSING)[0].video_id, "frees a slot")
    started = load_handler("UploadTriggerFunction")(queued_message(aws), None)
    assert [o["action"] for o in started["outcomes"]] == ["started"] and started["batchItemFailures"] == []
    assert Video.get(outcome["video_id"]).status == "processing" and len(executions(aws)) == 1


def test_a_retried_event_of_a_started_video_is_never_deferred(aws: dict[str, Any]) -> None:
    handler = load_handler("UploadTriggerFunction")
    assert handler(queued_message(aws), None)["outcomes"][0]["action"] == "started"
    processing_videos(CAP + 3)
    again = handler(queued_message(aws), None)
    assert [o["action"] for o in again["outcomes"]] == ["duplicate"] and again["batchItemFailures"] == []
    assert len(executions(aws)) == 1


def test_a_queued_video_cancelled_leaves_the_queue(aws: dict[str, Any]) -> None:
    processing_videos(CAP)
    handler = load_handler("UploadTriggerFunction")
    video_id = handler(queued_message(aws), None)["outcomes"][0]["video_id"]
    assert records.mark_cancelled(video_id)
    again = handler(queued_message(aws), None)
    assert [o["action"] for o in again["outcomes"]] == ["duplicate"] and again["batchItemFailures"] == []
    assert Video.get(video_id).status == "cancelled" and executions(aws) == []


def test_without_a_cap_nothing_waits(aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRAME_METRIC_MAX_VIDEOS_IN_FLIGHT", "0")
    reset_settings()
    processing_videos(CAP + 3)
    assert load_handler("UploadTriggerFunction")(queued_message(aws), None)["outcomes"][0]["action"] == "started"


def test_videos_in_flight_counts_every_shard(aws: dict[str, Any]) -> None:
    processing_videos(20)
    Video(str(uuid.uuid4()), filename="done.mp4", status="completed").save()
    assert admission.videos_in_flight() == 20


def test_the_recheck_delay_grows_with_the_receive_count_and_is_jittered() -> None:
    highest = [admission.recheck_delay(n, lambda low, high: high) for n in range(1, 10)]
    assert highest == [5, 10, 15, 20, 25, 30, 35, 40, 45]
    longest = admission.recheck_delay(60, lambda low, high: high)
    assert longest == admission.recheck_delay(500, lambda low, high: high) == 300
    assert admission.recheck_delay(3, lambda low, high: low) == 1  # full jitter, never 0
    drawn = [admission.recheck_delay(60) for _ in range(200)]
    assert all(1 <= d <= 300 for d in drawn) and len(set(drawn)) > 50  # spread out, not together


def test_deferring_hides_each_message_for_its_delay(aws: dict[str, Any]) -> None:
    calls: list[dict[str, Any]] = []

    class Recorder:
        def change_message_visibility(self, **kwargs: Any) -> None:
            calls.append(kwargs)

    messages = [{"messageId": "m1", "receiptHandle": "r1", "attributes": {"ApproximateReceiveCount": "9"}}]
    assert admission.defer_messages(messages, get_settings(), Recorder()) == ["m1"]
    assert calls[0]["QueueUrl"] == aws["queue"] and calls[0]["ReceiptHandle"] == "r1"
    assert 1 <= calls[0]["VisibilityTimeout"] <= 300


def test_the_sweeper_fails_a_queued_video_only_after_the_pipeline_timeout(aws: dict[str, Any]) -> None:
    settings = get_settings()
    long_ago = utcnow() - timedelta(seconds=settings.presign_seconds + 3600)
    waiting = Video(str(uuid.uuid4()), filename="w.mp4", created_at=long_ago, queued_at=long_ago)
    waiting.save()
    assert not reconcile(waiting, settings)  # past its upload deadline, but its file came: it waits
    assert Video.get(waiting.video_id).status == "uploading"
    waiting.queued_at = utcnow() - timedelta(seconds=settings.pipeline_timeout_seconds + 1)
    assert reconcile(waiting, settings)
    failed = Video.get(waiting.video_id)
    assert failed.status == "failed" and "capacity" in failed.error_message

    never = Video(str(uuid.uuid4()), filename="n.mp4", created_at=long_ago)
    never.save()
    assert reconcile(never, settings) and Video.get(never.video_id).error_message == "the upload never completed"


def test_the_local_event_source_reads_batch_item_failures() -> None:
    answer = json.dumps({"outcomes": [], "batchItemFailures": [{"itemIdentifier": "m1"}]}).encode()
    assert _reported_failure(answer, "m1") and not _reported_failure(answer, "m2")
    assert not _reported_failure(b'{"outcomes": []}', "m1") and not _reported_failure(b"not json", "m1")
