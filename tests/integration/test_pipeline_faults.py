"""Faults in the middle of the pipeline: retried to success, or failed with a reason, never stuck."""

from __future__ import annotations

import threading
import time
from typing import Any

import requests

from frame_metric.localcloud.cloud import LocalCloud
from frame_metric.pipeline.transient import TransientError
from tests.integration.conftest import upload, wait_finished


def test_transient_error_is_retried_to_success(cloud: LocalCloud, api: str, recordings: dict[str, Any]) -> None:
    assert cloud.runtime is not None
    attempts: list[int] = []

    def throttled_once(event: dict[str, Any]) -> None:
        attempts.append(1)
        if len(attempts) == 1:
            raise TransientError("ThrottlingException: injected")

    cloud.runtime.before_invoke["ProbeFunction"] = throttled_once
    try:
        status = wait_finished(api, upload(api, recordings["launch"][0])["video_id"])
    finally:
        cloud.runtime.before_invoke.pop("ProbeFunction", None)
    assert status["status"] == "completed"
    assert len(attempts) == 2


def test_handler_crash_fails_the_video_with_the_reason(cloud: LocalCloud, api: str,
                                                       recordings: dict[str, Any]) -> None:
    assert cloud.runtime is not None

    def crash(event: dict[str, Any]) -> None:
        raise RuntimeError("injected crash in probe")

    # Probe: the step every video runs (a short one is analysed and selected there too).
    cloud.runtime.before_invoke["ProbeFunction"] = crash
    try:
        status = wait_finished(api, upload(api, recordings["launch"][0])["video_id"])
    finally:
        cloud.runtime.before_invoke.pop("ProbeFunction", None)
    assert status["status"] == "failed"
    assert status["error_message"] == "RuntimeError: injected crash in probe"
    assert status["current_step"] == "failed"


def test_undecodable_video_fails_with_a_named_error(api: str, recordings: dict[str, Any]) -> None:
    data = bytearray(recordings["launch"][0].read_bytes())
    # Keep the box structure (so the upload check passes) but destroy the coded frames.
    start = data.find(b"mdat") + 4
    data[start + 64: start + 64 + 20_000] = bytes(20_000)
    response = requests.post(f"{api}/video/upload", files={"file": ("garbled.mp4", bytes(data), "video/mp4")},
                             timeout=30)
    assert response.status_code == 200
    status = wait_finished(api, response.json()["video_id"])
    # Either the engine copes (decodes what it can and says it needs review) or it fails saying why.
    assert status["status"] in ("completed", "failed")
    if status["status"] == "failed":
        assert status["error_message"]
    else:
        assert status["needs_review"] or status["frames"]


def test_execution_lost_outside_the_pipeline_ends_failed(cloud: LocalCloud, api: str,
                                                         recordings: dict[str, Any]) -> None:
    """An execution stopped behind the API's back (an operator, a timeout) does not strand the video."""
    assert cloud.runtime is not None
    gate = threading.Event()
    cloud.runtime.before_invoke["AnalyseFunction"] = lambda event: gate.wait(20)
    try:
        video_id = upload(api, recordings["launch"][0])["video_id"]
        sfn = cloud.client("stepfunctions")
        arn = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            status = requests.get(f"{api}/video/{video_id}/status", timeout=10).json()
            if status["status"] == "processing" and status["task_id"]:
                arn = f"{cloud.settings.state_machine_arn.replace(':stateMachine:', ':execution:')}:{status['task_id']}"
                break
            time.sleep(0.05)
        assert arn is not None
        sfn.stop_execution(executionArn=arn, error="Operator", cause="stopped by hand")
    finally:
        gate.set()
        cloud.runtime.before_invoke.pop("AnalyseFunction", None)
    status = wait_finished(api, video_id, timeout=30)
    assert status["status"] == "failed"
    assert "stopped" in status["error_message"]
