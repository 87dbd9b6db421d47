"""`frame-metric serve` with the user's own stores (MinIO, LocalStack...): a separately started moto
server stands in for them (S3 and DynamoDB on one endpoint, checking no credentials of its own). serve
starts no embedded store, creates the bucket and the tables there, and an upload (through the API, or
dropped straight into the bucket) runs the pipeline to its result, stored in that server."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import psutil
import pytest
import requests
from botocore.config import Config

from frame_metric.localcloud.cloud import free_port
from frame_metric.samples import generate_app_launch
from tests.serve_process import ServeProcess

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "own-store-user", "AWS_SECRET_ACCESS_KEY": "own-store-secret"}
BUCKET = "frame-metric-local-videos"


@pytest.fixture(scope="module")
def own_store() -> Iterator[str]:
    port = free_port()
    server = subprocess.Popen([str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                requests.get(f"{url}/moto-api/", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def client(service: str, url: str) -> Any:
    return boto3.client(service, endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                        config=Config(s3={"addressing_style": "path"}))


def wait_status(api: str, video_id: str, timeout: float = 180) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = requests.get(f"{api}/video/{video_id}/status", timeout=10).json()
        if status.get("status") in ("completed", "failed", "cancelled"):
            return status
        time.sleep(0.3)
    raise AssertionError(f"video {video_id} did not finish: {status}")


def test_serve_uses_the_stores_it_is_given(own_store: str, tmp_path: Path) -> None:
    recording = tmp_path / "launch.mp4"
    generate_app_launch(recording, width=360, height=800, fps=30.0, seconds=3.0)
    # the S3 endpoint by flag, the DynamoDB one through settings (the environment)
    serve = ServeProcess(tmp_path / "data", free_port(), extra_args=["--s3-endpoint", own_store],
                         env={**CREDENTIALS, "FRAME_METRIC_DYNAMODB_ENDPOINT": own_store}).start()
    try:
        assert serve.process is not None
        children = {child.name() for child in psutil.Process(serve.process.pid).children(recursive=True)}
        assert not children & {"java", "node"}, children  # no embedded store started
        api = f"{serve.url}/api/v1"
        with recording.open("rb") as handle:
            uploaded = requests.post(f"{api}/video/upload", files={"file": ("launch.mp4", handle, "video/mp4")},
                                     timeout=60)
        assert uploaded.status_code == 200, uploaded.text
        first = wait_status(api, uploaded.json()["video_id"])
        assert first["status"] == "completed", first

        s3, dynamodb = client("s3", own_store), client("dynamodb", own_store)
        keys = {item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
        assert any(first["video_id"] in key for key in keys), keys  # the results are in the given store
        tables = dynamodb.list_tables()["TableNames"]
        videos = next(name for name in tables if name.startswith("frame-metric-local-") and "ideo" in name)
        assert dynamodb.scan(TableName=videos, Select="COUNT")["Count"] >= 1

        # a file dropped straight into the bucket (no notification can reach us: the prefix is polled)
        s3.upload_file(str(recording), BUCKET, "uploads/dropped.mp4")
        deadline = time.monotonic() + 60
        dropped: list[dict[str, Any]] = []
        while time.monotonic() < deadline and not dropped:
            listed = requests.get(f"{api}/video/list", params={"limit": 100}, timeout=10).json()
            items = listed["items"] if isinstance(listed, dict) else listed
            dropped = [v for v in items if v["video_id"] != first["video_id"]]
            time.sleep(0.3)
        assert dropped, "the dropped upload was never picked up"
        assert wait_status(api, dropped[0]["video_id"])["status"] == "completed"
    finally:
        assert serve.interrupt() == 0


def test_serve_refuses_an_endpoint_that_is_no_url(tmp_path: Path) -> None:
    result = subprocess.run([str(Path(sys.executable).parent / "frame-metric"), "serve", "--port", str(free_port()),
                             "--data-dir", str(tmp_path), "--s3-endpoint", "localhost:9000"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "--s3-endpoint must be an http:// or https:// URL" in result.stdout + result.stderr
