"""The pieces of access control and limits, each at its own boundary: the local API-key rule, the
console-only CORS header, the video limits and the sample retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from importlib import util

import pytest
from chalice.test import Client

from frame_metric.analysis import VideoProbe
from frame_metric.localcloud import access
from frame_metric.monitor.ingest import sample_expiry
from frame_metric.settings import Settings, reset_settings
from frame_metric.videos.limits import VideoLimitExceeded, check_limits
from tests.unit.cloud.handlers import ROOT


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("::1", True), ("localhost", True),
                                                ("0.0.0.0", False), ("192.168.1.20", False), ("", False)])
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert access.is_loopback(host) is loopback


def test_the_local_cloud_refuses_the_network_without_a_key() -> None:
    access.check_bind("127.0.0.1", None)
    access.check_bind("0.0.0.0", "a-key")
    with pytest.raises(access.OpenToNetwork, match="without an API key"):
        access.check_bind("0.0.0.0", None)


def test_which_requests_need_the_key() -> None:
    assert access.needs_key("GET", "/api/v1/video/list")
    assert access.needs_key("GET", "/health")
    assert access.needs_key("GET", "/api/v1/monitor/runs/r1/samples")  # live view: the console's
    assert not access.needs_key("POST", "/api/v1/monitor/runs/r1/samples")  # ingest: run token only
    assert not access.needs_key("OPTIONS", "/api/v1/video/list")
    assert access.key_accepted("k", "k") and not access.key_accepted(None, "k")
    assert not access.key_accepted("k2", "k") and not access.key_accepted("", "k")


@pytest.mark.parametrize(("configured", "origin", "allowed"), [
    ("", "https://console.example.com", None),
    ("https://console.example.com", "https://console.example.com", "https://console.example.com"),
    ("https://console.example.com", "https://evil.example.com", None),
    ("https://console.example.com", None, None),
])
def test_cors_header_only_for_the_console_origin(monkeypatch: pytest.MonkeyPatch, configured: str,
                                                  origin: str | None, allowed: str | None) -> None:
    monkeypatch.setenv("FRAME_METRIC_CORS_ORIGIN", configured)
    reset_settings()
    try:
        spec = util.spec_from_file_location("cors_app_under_test", ROOT / "functions/api/app.py")
        assert spec is not None and spec.loader is not None
        module = util.module_from_spec(spec)
        spec.loader.exec_module(module)
        with Client(module.app) as client:
            headers = {"origin": origin} if origin else {}
            response = client.http.get("/health", headers=headers)
        assert response.status_code == 200
        assert response.headers.get("Access-Control-Allow-Origin") == allowed
    finally:
        reset_settings()


def test_chalice_refusals_and_crashes_answer_in_the_detail_shape() -> None:
    spec = util.spec_from_file_location("shape_app_under_test", ROOT / "functions/api/app.py")
    assert spec is not None and spec.loader is not None
    module = util.module_from_spec(spec)
    spec.loader.exec_module(module)

    @module.app.route("/test-crash")
    def crash() -> None:
        raise RuntimeError("secret-looking internals")

    with Client(module.app) as client:
        wrong_type = client.http.post("/api/v1/video/upload", headers={"content-type": "application/json"},
                                      body=b"{}")
        crashed = client.http.get("/test-crash")
    assert wrong_type.status_code == 415 and "Unsupported media type" in wrong_type.json_body["detail"]
    assert crashed.status_code == 500 and set(crashed.json_body) == {"detail"}
    assert "secret-looking" not in crashed.body.decode()


def _probe(width: int = 720, height: int = 1280, frames: int = 300, duration: float = 10.0) -> VideoProbe:
    return VideoProbe(width=width, height=height, frame_count=frames, fps=30.0, duration=duration,
                      variable_frame_rate=False, codec="h264")


def test_video_limits_name_every_excess() -> None:
    settings = Settings(max_video_seconds=60, max_video_pixels=1920 * 1080, max_video_frames=1000)
    check_limits(_probe(), settings)
    check_limits(_probe(1920, 1080, 1000, 60.0), settings)  # at the limits is fine
    with pytest.raises(VideoLimitExceeded) as raised:
        check_limits(_probe(3840, 2160, 5000, 120.0), settings)
    message = str(raised.value)
    assert "120.0 s long" in message and "3840x2160" in message and "5000 frames" in message


def test_sample_retention_sets_an_expiry_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    reset_settings()
    assert sample_expiry(now) is None
    monkeypatch.setenv("FRAME_METRIC_SAMPLE_RETENTION_DAYS", "30")
    reset_settings()
    try:
        assert sample_expiry(now) == now + timedelta(days=30)
    finally:
        reset_settings()
