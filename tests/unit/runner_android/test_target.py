"""create_target: the entry point `frame-metric run` uses for android targets."""

from __future__ import annotations

import time
from pathlib import Path

import adbutils
import pytest

from frame_metric.runner.android import AdbDriver, AndroidSampler, connect, create_target
from frame_metric.runner.interfaces import RunClock, SamplerError
from tests.unit.runner_android.fake_adb import MP4, FakeAdbServer, Phone


@pytest.fixture
def client(server: FakeAdbServer) -> adbutils.AdbClient:
    return adbutils.AdbClient(host="127.0.0.1", port=server.port, socket_timeout=10)


def test_single_device_is_picked(client: adbutils.AdbClient, phone: Phone) -> None:
    assert connect(None, client).serial == phone.serial


def test_unknown_or_missing_device(client: adbutils.AdbClient, phone: Phone) -> None:
    with pytest.raises(SamplerError, match="device other-1 is not connected"):
        connect("other-1", client)
    phone.connected = False
    with pytest.raises(SamplerError, match="adb lists: none"):
        connect(None, client)


def test_no_adb_server() -> None:
    with pytest.raises(SamplerError, match="cannot reach the adb server"):
        connect(None, adbutils.AdbClient(host="127.0.0.1", port=1, socket_timeout=2))


def test_record_with_the_sampler(client: adbutils.AdbClient, phone: Phone, tmp_path: Path) -> None:
    sampler, driver = create_target(None, phone.package, record=True, client=client, recordings_dir=tmp_path)
    assert isinstance(sampler, AndroidSampler) and isinstance(driver, AdbDriver)
    sampler.read({"battery_level"}, RunClock())
    time.sleep(0.3)
    sampler.close()
    assert [p.read_bytes() for p in sampler.videos] == [MP4]
    assert sampler.videos[0].parent == tmp_path


def test_wired_into_the_runner_setup(server: FakeAdbServer, phone: Phone, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANDROID_ADB_SERVER_HOST", "127.0.0.1")
    monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", str(server.port))
    from frame_metric.runner.setup import build_target

    sampler, driver = build_target({"kind": "android", "package": phone.package})
    assert isinstance(sampler, AndroidSampler) and isinstance(driver, AdbDriver)
