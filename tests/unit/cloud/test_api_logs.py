"""The API function's logs: JSON lines of the shared Powertools logger carrying the request id and the
video_id / run_id a request is about, each outcome logged once at a level that holds at scale."""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from chalice import Response
from chalice.app import Request
from pynamodb.exceptions import GetError
from urllib3 import encode_multipart_formdata

from frame_metric.api.middleware import log_outcome
from frame_metric.data import Video
from frame_metric.observability import DOMAIN_LOGGER, logger, route_domain_logs, tagged
from frame_metric.storage.s3 import ObjectStore
from tests.unit.cloud.handlers import event, load_handler

VIDEO_ID = "0b7f4a62-2d55-4c1e-9c55-1d2f2a1b3c4d"


@pytest.fixture
def logs() -> Iterator[Any]:
    """The JSON lines written since the last call (the logger at INFO, the domain's loggers routed
    through it as on Lambda)."""
    [handler] = logger.handlers
    assert isinstance(handler, logging.StreamHandler)
    domain = logging.getLogger(DOMAIN_LOGGER)
    saved = (handler.stream, logger.log_level, list(domain.handlers), domain.level, domain.propagate)
    stream = io.StringIO()
    handler.stream = stream  # not setStream: it flushes the old stream, maybe an earlier test's closed capture
    logger.setLevel(logging.INFO)
    route_domain_logs()

    def lines() -> list[dict[str, Any]]:
        written = stream.getvalue()
        stream.seek(0)
        stream.truncate()
        return [json.loads(line) for line in written.splitlines()]

    yield lines
    handler.stream = saved[0]
    logger.setLevel(saved[1])
    domain.handlers, domain.propagate = saved[2], saved[4]
    domain.setLevel(saved[3])
    logger.remove_keys(["name"])


def _request(method: str, path: str, body: Any = None) -> dict[str, Any]:
    sample = event("api_health.json")  # requestContext.requestId c6af9ac6-...
    sample["path"], sample["httpMethod"], sample["requestContext"]["httpMethod"] = path, method, method
    if body is not None:
        sample["body"], sample["headers"]["Content-Type"] = json.dumps(body), "application/json"
    return sample


def test_a_refusal_is_logged_once_with_the_video_and_request_ids(moto_stack: dict[str, Any], logs: Any) -> None:
    response = load_handler("ApiFunction")(_request("GET", f"/api/v1/video/{VIDEO_ID}/status"), None)
    assert response["statusCode"] == 404
    [line] = logs()
    assert line["message"] == "request refused" and line["level"] == "INFO"
    assert line["video_id"] == VIDEO_ID and line["request_id"] == "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
    assert line["status"] == 404 and VIDEO_ID in line["detail"] and line["route"] == "/api/v1/video/{video_id}/status"


def test_an_upload_logs_the_video_id_it_created(moto_stack: dict[str, Any], logs: Any) -> None:
    response = load_handler("ApiFunction")(
        _request("POST", "/api/v1/video/upload-url", {"filename": "a.mp4", "size": 1000}), None)
    assert response["statusCode"] == 200
    [line] = logs()
    assert line["message"] == "request done" and line["method"] == "POST"
    assert line["video_id"] == json.loads(response["body"])["video_id"] and line["request_id"]
    # The next request on this thread does not inherit it.
    load_handler("ApiFunction")(_request("GET", "/api/v1/video/list"), None)
    assert logs() == []  # a read succeeded: DEBUG only


def test_a_failed_upload_is_logged_with_the_video_id_it_had_created(
        moto_stack: dict[str, Any], logs: Any, monkeypatch: pytest.MonkeyPatch,
        sample_recording: tuple[Path, object]) -> None:
    def unreachable(*_: Any, **__: Any) -> None:
        raise RuntimeError("storage went away")

    monkeypatch.setattr(ObjectStore, "upload_file", unreachable)
    body, content_type = encode_multipart_formdata(
        {"file": ("launch.mp4", sample_recording[0].read_bytes(), "video/mp4")})
    sample = _request("POST", "/api/v1/video/upload")
    sample["headers"]["Content-Type"] = content_type
    sample["body"], sample["isBase64Encoded"] = base64.b64encode(body).decode(), True
    response = load_handler("ApiFunction")(sample, None)
    assert response["statusCode"] == 500
    [line] = logs()
    assert line["level"] == "ERROR" and "storage went away" in line["exception"]
    assert line["video_id"] and not list(Video.scan())  # nothing half-written, and the log says which it was


def _throttled(*_: Any, **__: Any) -> Any:
    error = ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}},
                        "GetItem")
    raise GetError("Failed to get item", error)


def test_a_throttled_store_is_a_503_with_retry_after_logged_once(moto_stack: dict[str, Any], logs: Any,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Video, "get", _throttled)
    response = load_handler("ApiFunction")(_request("GET", f"/api/v1/video/{VIDEO_ID}/status"), None)
    assert response["statusCode"] == 503 and int(response["headers"]["Retry-After"]) > 0
    assert "busy" in json.loads(response["body"])["detail"]
    [line] = logs()
    assert line["level"] == "WARNING" and line["video_id"] == VIDEO_ID
    assert line["error_code"] == "ProvisionedThroughputExceededException"


def test_a_bug_is_a_500_logged_once_with_its_traceback(moto_stack: dict[str, Any], logs: Any,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(Video, "get", broken)
    response = load_handler("ApiFunction")(_request("GET", f"/api/v1/video/{VIDEO_ID}/progress"), None)
    assert response["statusCode"] == 500 and json.loads(response["body"]) == {
        "detail": "An internal server error occurred."}
    [line] = logs()
    assert line["level"] == "ERROR" and line["video_id"] == VIDEO_ID and line["request_id"]
    assert "RuntimeError: a bug" in line["exception"]


def test_domain_loggers_write_through_the_shared_logger_with_its_keys(logs: Any) -> None:
    with tagged(run_id="run-1", video_id=None):
        logging.getLogger("frame_metric.monitor.runs").warning("no frame table for video %s", "v-9")
    [line] = logs()
    assert line["run_id"] == "run-1" and "video_id" not in line
    assert line["message"] == "no frame table for video v-9" and line["name"] == "frame_metric.monitor.runs"


@pytest.mark.parametrize("route", ["/api/v1/monitor/runs/{run_id}/samples", "/api/v1/monitor/runs/{run_id}/heartbeat"])
def test_runner_traffic_is_not_logged_at_info(logs: Any, route: str) -> None:
    sample = _request("POST", route.replace("{run_id}", "r-1"))
    sample["requestContext"]["resourcePath"], sample["pathParameters"] = route, {"run_id": "r-1"}
    request = Request(sample)
    log_outcome(request, Response(body="{}", status_code=200), 0.01)
    assert logs() == []
    log_outcome(request, Response(body=json.dumps({"detail": "run r-1 is cancelled"}), status_code=409), 0.01)
    assert [line["detail"] for line in logs()] == ["run r-1 is cancelled"]


def test_on_lambda_the_domain_logs_are_routed_at_import() -> None:
    """In a function's own process (AWS_LAMBDA_FUNCTION_NAME set) importing observability is enough; in
    the local cloud's shared process (not set) the domain's loggers stay the CLI's."""
    probe = ("import logging; from frame_metric.observability import tagged\n"
             "with tagged(video_id='v-1'): logging.getLogger('frame_metric.videos.records').warning('late')")
    for name, routed in (("ApiFunction", True), ("", False)):
        env = {**os.environ, "AWS_LAMBDA_FUNCTION_NAME": name, "POWERTOOLS_LOG_LEVEL": "INFO"}
        done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
        if routed:
            line = json.loads(done.stdout)
            assert line["video_id"] == "v-1" and line["name"] == "frame_metric.videos.records" and not done.stderr
        else:
            assert done.stdout == "" and "late" in done.stderr  # stdlib's last resort, as before
