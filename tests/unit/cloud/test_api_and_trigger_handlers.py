"""The API and upload-trigger handlers, invoked in-process with the sample events of tests/events
against in-process moto (S3, DynamoDB, Step Functions without execution)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from frame_metric.data import Video
from tests.unit.cloud.handlers import event, load_handler

SAMPLE_EVENTS = ["s3_object_created.json", "sqs_upload_notification.json"]


@pytest.fixture
def aws(moto_stack: dict[str, Any]) -> dict[str, Any]:
    return moto_stack


def _put_event_object(aws: dict[str, Any], data: bytes) -> str:
    record = event("s3_object_created.json")["Records"][0]["s3"]
    key = record["object"]["key"].replace("+", " ")
    aws["s3"].put_object(Bucket=record["bucket"]["name"], Key=key, Body=data)
    return key


def _executions(aws: dict[str, Any]) -> list[dict[str, Any]]:
    return aws["sfn"].list_executions(stateMachineArn=aws["machine"])["executions"]


@pytest.mark.parametrize("sample", SAMPLE_EVENTS)
def test_trigger_starts_one_execution_however_often_the_event_comes(
        aws: dict[str, Any], sample: str, sample_recording: tuple[Path, object]) -> None:
    _put_event_object(aws, sample_recording[0].read_bytes())
    handler = load_handler("UploadTriggerFunction")
    first = handler(event(sample), None)
    assert [o["action"] for o in first["outcomes"]] == ["started"]
    for _ in range(2):  # S3 and SQS deliver at least once
        again = handler(event(sample), None)
        assert [o["action"] for o in again["outcomes"]] == ["duplicate"]
    assert len(_executions(aws)) == 1
    video = Video.get(first["outcomes"][0]["video_id"])
    assert video.status == "processing"
    assert video.filename == "app launch.mp4"  # the '+' of the event key is a space
    assert video.execution_arn == _executions(aws)[0]["executionArn"]


def test_trigger_fails_a_dropped_file_that_is_not_mp4(aws: dict[str, Any]) -> None:
    _put_event_object(aws, b"this is a text file, not a video" * 4)
    outcome = load_handler("UploadTriggerFunction")(event("s3_object_created.json"), None)["outcomes"][0]
    assert outcome["action"] == "rejected"
    video = Video.get(outcome["video_id"])
    assert video.status == "failed" and "ftyp" in video.error_message
    assert _executions(aws) == []


def test_trigger_ignores_keys_outside_the_upload_prefix(aws: dict[str, Any]) -> None:
    sample = event("s3_object_created.json")
    sample["Records"][0]["s3"]["object"]["key"] = "videos/x/frames/0000001.jpg"
    assert load_handler("UploadTriggerFunction")(sample, None)["outcomes"][0]["action"] == "ignored"


def test_api_handler_answers_the_proxy_event(aws: dict[str, Any]) -> None:
    response = load_handler("ApiFunction")(event("api_health.json"), None)
    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == {"status": "healthy", "version": "1.0.0"}


def test_api_handler_routes_path_parameters(aws: dict[str, Any]) -> None:
    sample = event("api_health.json")
    sample["path"] = "/api/v1/video/0b7f4a62-2d55-4c1e-9c55-1d2f2a1b3c4d/status"
    response = load_handler("ApiFunction")(sample, None)
    assert response["statusCode"] == 404
    assert "0b7f4a62-2d55-4c1e-9c55-1d2f2a1b3c4d" in json.loads(response["body"])["detail"]
    sample["path"] = "/no/such/thing"
    assert load_handler("ApiFunction")(sample, None)["statusCode"] == 404


def test_api_handler_refuses_ids_no_key_can_hold(aws: dict[str, Any]) -> None:
    """Behind API Gateway as locally: an id DynamoDB would refuse (keys over 2048/1024 bytes) is a 404,
    a body id a 422, before any table is asked."""
    handler = load_handler("ApiFunction")
    emoji = "\U0001F600"
    for method, path in [("GET", f"/api/v1/video/{'a' * 3000}/status"), ("GET", f"/api/v1/review/{'r' * 3000}/history"),
                         ("DELETE", f"/api/v1/task/some-task/videos/{'v' * 1100}"),
                         ("GET", f"/api/v1/monitor/runs/{emoji * 600}")]:
        sample = event("api_health.json")
        sample["path"], sample["httpMethod"], sample["requestContext"]["httpMethod"] = path, method, method
        response = handler(sample, None)
        assert response["statusCode"] == 404, (path[:60], response)
        assert "printable characters" in json.loads(response["body"])["detail"]
    sample = event("api_health.json")
    sample["path"], sample["httpMethod"], sample["requestContext"]["httpMethod"] = (
        "/api/v1/task/some-task/videos", "POST", "POST")
    sample["body"], sample["isBase64Encoded"] = json.dumps({"video_ids": ["v" * 3000]}), False
    response = handler(sample, None)
    assert response["statusCode"] == 422 and "video_ids" in json.loads(response["body"])["detail"]
