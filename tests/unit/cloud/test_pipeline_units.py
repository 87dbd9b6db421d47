"""Small pure pieces of the pipeline: names, error reasons, what counts as transient."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from pynamodb.exceptions import PutError

from frame_metric.pipeline.execution import execution_name
from frame_metric.pipeline.outcome import failure_reason
from frame_metric.pipeline.transient import TransientError, is_transient, step_handler
from frame_metric.pipeline.trigger import ObjectCreated, records_from_event
from frame_metric.settings import Settings
from frame_metric.storage.keys import VideoKeys, safe_filename
from tests.unit.cloud.handlers import event


def client_error(code: str, status: int = 400) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}},
                       "PutItem")


def test_execution_names_are_deterministic_and_valid() -> None:
    video_id = "6f1c2a3e-9b4d-4e8f-a1b2-c3d4e5f60718"
    first = execution_name(video_id, "b", "uploads/x.mp4", "v1")
    assert first == execution_name(video_id, "b", "uploads/x.mp4", "v1")
    assert first != execution_name(video_id, "b", "uploads/x.mp4", "v2")
    assert len(first) <= 80 and all(c.isalnum() or c in "-_" for c in first)


@pytest.mark.parametrize(("exc", "expected"), [
    (client_error("ThrottlingException"), True),
    (client_error("ProvisionedThroughputExceededException"), True),
    (client_error("Whatever", 503), True),
    (client_error("NoSuchKey", 404), False),
    (client_error("ValidationException"), False),
    (EndpointConnectionError(endpoint_url="http://x"), True),
    (PutError("x", cause=client_error("ThrottlingException")), True),
    (ValueError("bad"), False),
])
def test_transient_errors(exc: Exception, expected: bool) -> None:
    assert is_transient(exc) is expected


def test_step_handler_names_transient_failures(fake_aws_env: None) -> None:
    def throttled(event: dict) -> dict:
        raise client_error("SlowDown", 503)

    def broken(event: dict) -> dict:
        raise ValueError("corrupt")

    with pytest.raises(TransientError, match="SlowDown"):
        step_handler(throttled)({}, None)
    with pytest.raises(ValueError):
        step_handler(broken)({}, None)


def test_failure_reason_reads_lambda_errors() -> None:
    sample = event("pipeline_fail.json")["error"]
    assert failure_reason(sample) == "CorruptVideoError: app launch.mp4 is truncated: decoding stopped at frame 41"
    assert failure_reason({"Error": "States.Timeout", "Cause": ""}) == "the pipeline timed out"
    assert failure_reason({"Error": "States.Runtime", "Cause": "bad path"}) == "States.Runtime: bad path"
    assert failure_reason(None).startswith("the pipeline failed")
    cause = json.dumps({"errorType": "Sandbox.Timedout", "errorMessage": "Task timed out after 900.00 seconds"})
    assert "timed out" in failure_reason({"Error": "Sandbox.Timedout", "Cause": cause})


def test_s3_records_from_both_transports() -> None:
    direct = records_from_event(event("s3_object_created.json"))
    via_sqs = records_from_event(event("sqs_upload_notification.json"))
    assert direct == via_sqs
    created = ObjectCreated.from_record(direct[0])
    assert created.key.endswith("/app launch.mp4") and created.version == "0065F1A2B3C4D5E6F7"
    test_event = {"Records": [{"body": json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent"})}]}
    assert records_from_event(test_event) == []


def test_keys_are_safe_for_any_filename() -> None:
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("启动 测试.mp4") == "video.mp4"
    assert safe_filename("noext") == "noext"
    assert safe_filename("my clip (1).mp4") == "my_clip_1.mp4"
    keys = VideoKeys("abc")
    assert keys.upload("uploads/", "a b.mp4") == "uploads/abc/a_b.mp4"
    assert keys.frame_image(12) == "videos/abc/frames/0000012.jpg"


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRAME_METRIC_MAX_VIDEO_BYTES", "1024")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    settings = Settings.from_env()
    assert settings.max_video_bytes == 1024 and settings.endpoint_url == "http://127.0.0.1:9"
    monkeypatch.setenv("FRAME_METRIC_MAX_VIDEO_BYTES", "lots")
    with pytest.raises(ValueError, match="FRAME_METRIC_MAX_VIDEO_BYTES"):
        Settings.from_env()


def test_scratch_copies_are_bounded(moto_stack: dict, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from frame_metric.storage.s3 import ObjectStore

    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    store = ObjectStore(replace(moto_stack["settings"], scratch_bytes=2500))
    for number in range(4):
        moto_stack["s3"].put_object(Bucket=store.bucket, Key=f"uploads/{number}.mp4", Body=bytes([number]) * 1000)
    copies = [store.local_copy(f"uploads/{number}.mp4") for number in range(4)]
    assert copies[3].read_bytes() == bytes([3]) * 1000
    kept = sorted((tmp_path / "frame-metric-cache").glob("*.mp4"))
    assert len(kept) == 2 and copies[3] in kept and copies[0] not in kept
    assert store.local_copy("uploads/3.mp4") == copies[3]  # a second call reuses the copy
