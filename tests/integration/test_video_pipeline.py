"""A recording goes in over HTTP and comes out timed, through S3 -> SQS -> trigger -> Step Functions."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
import requests

from frame_metric.analysis import analyze_video
from frame_metric.localcloud.cloud import LocalCloud
from frame_metric.samples import GroundTruth
from tests.integration.conftest import upload, wait_finished


def assert_matches_truth(status: dict[str, Any], truth: GroundTruth) -> None:
    assert status["status"] == "completed", status
    frames = {frame["type"]: frame for frame in status["frames"]}
    assert abs(frames["first"]["frame_number"] - truth.first_frame) <= 1
    assert abs(frames["last"]["frame_number"] - truth.last_frame) <= 1
    assert status["measured_duration"] == pytest.approx(
        frames["last"]["timestamp"] - frames["first"]["timestamp"], abs=1e-6)


def test_multipart_upload_is_timed_frame_exact(api: str, recordings: dict[str, Any]) -> None:
    path, truth = recordings["launch"]
    accepted = upload(api, path)
    assert accepted["status"] == "uploading" and accepted["message"] and accepted["task_id"]
    status = wait_finished(api, accepted["video_id"])
    assert status["task_id"] == accepted["task_id"]  # the execution that ran is the one announced
    assert_matches_truth(status, truth)
    assert status["progress"] == 100 and status["current_step"] == "completed"
    assert status["task_id"] and status["error_message"] is None
    assert (status["width"], status["height"]) == (360, 800)
    assert status["frame_count"] == truth.frame_count
    # The pipeline's real steps were seen advancing, not just the end state.
    assert "completed" in status["_steps_seen"] and len(status["_steps_seen"]) >= 2
    for frame in status["frames"]:
        image = requests.get(frame["url"], timeout=10)  # presigned: the bucket itself is private
        assert image.status_code == 200 and image.content[:2] == b"\xff\xd8"


def test_presigned_upload_of_a_variable_frame_rate_recording(api: str, recordings: dict[str, Any]) -> None:
    path, truth = recordings["vfr"]
    ticket = requests.post(f"{api}/video/upload-url", json={"filename": path.name, "size": path.stat().st_size},
                           timeout=10).json()
    put = requests.put(ticket["upload_url"], data=path.read_bytes(), headers=ticket["headers"], timeout=30)
    assert put.status_code == 200, put.text
    status = wait_finished(api, ticket["video_id"])
    assert_matches_truth(status, truth)
    assert status["variable_frame_rate"] is True
    frames = {frame["type"]: frame for frame in status["frames"]}
    assert frames["first"]["timestamp"] == pytest.approx(truth.first_timestamp, abs=0.02)


def test_segments_in_parallel_equal_one_pass(api: str, recordings: dict[str, Any]) -> None:
    path, _ = recordings["long"]
    status = wait_finished(api, upload(api, path)["video_id"])
    single = analyze_video(str(path)).to_dict()
    frames = {frame["type"]: frame for frame in status["frames"]}
    assert frames["first"]["frame_number"] == single["first_frame"]["frame_number"]
    assert frames["last"]["frame_number"] == single["last_frame"]["frame_number"]
    assert status["ai_confidence"] == pytest.approx(single["confidence"])


def test_file_dropped_into_the_bucket_is_picked_up(cloud: LocalCloud, api: str, recordings: dict[str, Any]) -> None:
    path, truth = recordings["launch"]
    s3 = cloud.client("s3")
    s3.upload_file(str(path), cloud.settings.bucket, "uploads/dropped by hand/my launch.mp4")
    listed: list[dict[str, Any]] = []
    for _ in range(100):
        listed = [v for v in requests.get(f"{api}/video/list?limit=100", timeout=10).json()
                  if v["filename"] == "my launch.mp4"]
        if listed:
            break
        time.sleep(0.1)
    assert len(listed) == 1
    assert_matches_truth(wait_finished(api, listed[0]["video_id"]), truth)


def test_duplicate_notifications_process_nothing_twice(cloud: LocalCloud, api: str,
                                                       recordings: dict[str, Any]) -> None:
    path, _ = recordings["launch"]
    video_id = upload(api, path)["video_id"]
    status = wait_finished(api, video_id)
    sfn = cloud.client("stepfunctions")

    def executions() -> list[dict[str, Any]]:
        found = sfn.list_executions(stateMachineArn=cloud.settings.state_machine_arn, maxResults=1000)
        return [e for e in found["executions"] if video_id in e["name"]]

    assert len(executions()) == 1
    # The same S3 event, delivered again (at-least-once), twice.
    s3 = cloud.client("s3")
    key = next(o["Key"] for o in s3.list_objects_v2(Bucket=cloud.settings.bucket,
                                                       Prefix=f"uploads/{video_id}/")["Contents"])
    head = s3.head_object(Bucket=cloud.settings.bucket, Key=key)
    record = {"eventName": "ObjectCreated:Put", "s3": {"bucket": {"name": cloud.settings.bucket}, "object": {
        "key": key, "size": head["ContentLength"], "eTag": head["ETag"].strip('"'), "sequencer": "dup"}}}
    assert cloud.runtime is not None
    for _ in range(2):
        result = cloud.runtime.invoke("UploadTriggerFunction", json.dumps({"Records": [record]}).encode())
        assert result.function_error is None
        outcome = json.loads(result.payload)["outcomes"][0]
        assert outcome["video_id"] == video_id and outcome["action"] == "duplicate"
    assert len(executions()) == 1
    assert requests.get(f"{api}/video/{video_id}/status", timeout=10).json()["status"] == status["status"]


def test_cancel_stops_the_execution(cloud: LocalCloud, api: str, recordings: dict[str, Any]) -> None:
    path, _ = recordings["long"]
    gate = threading.Event()
    assert cloud.runtime is not None
    cloud.runtime.before_invoke["AnalyseFunction"] = lambda event: gate.wait(20)
    try:
        video_id = upload(api, path)["video_id"]
        seen = ""
        deadline = time.monotonic() + 30
        while seen != "processing" and time.monotonic() < deadline:
            seen = requests.get(f"{api}/video/{video_id}/progress", timeout=10).json()["status"]
            time.sleep(0.05)
        assert seen == "processing"
        cancelled = requests.post(f"{api}/video/{video_id}/cancel", timeout=10)
        assert cancelled.status_code == 200, cancelled.text
        assert cancelled.json()["status"] == "cancelled"
    finally:
        gate.set()
        cloud.runtime.before_invoke.pop("AnalyseFunction", None)
    status = requests.get(f"{api}/video/{video_id}/status", timeout=10).json()
    assert status["status"] == "cancelled"
    again = requests.post(f"{api}/video/{video_id}/cancel", timeout=10)
    assert again.status_code == 409 and "cancelled" in again.json()["detail"]
    sfn = cloud.client("stepfunctions")
    arn = next(e["executionArn"] for e in sfn.list_executions(
        stateMachineArn=cloud.settings.state_machine_arn, maxResults=1000)["executions"] if video_id in e["name"])
    # moto's executor stops between states (AWS stops at once): the held task finishes, nothing after it.
    deadline = time.monotonic() + 60
    while sfn.describe_execution(executionArn=arn)["status"] == "RUNNING" and time.monotonic() < deadline:
        time.sleep(0.1)
    ended = sfn.describe_execution(executionArn=arn)
    # AWS reports ABORTED. moto's executor, stopped inside a Map iteration, may end FAILED instead (its
    # Map state trips over the abort); either way the execution ended and did nothing after the stop.
    assert ended["status"] in ("ABORTED", "FAILED"), ended
    # Whatever the late steps did, the video stays cancelled.
    time.sleep(0.5)
    assert requests.get(f"{api}/video/{video_id}/status", timeout=10).json()["status"] == "cancelled"
