"""The Android sampler end to end over the fake adb server."""

from __future__ import annotations

import logging
import time

import adbutils
import pytest

from frame_metric.monitor import catalog
from frame_metric.runner.android.sampler import SUPPORTED, AndroidSampler
from frame_metric.runner.interfaces import RunClock, Sample, SamplerError
from tests.unit.runner_android.fake_adb import Phone


def values(samples: list[Sample]) -> dict[str, float]:
    return {s.metric: s.value for s in samples}


def test_metrics_are_catalog_android_metrics() -> None:
    for name in SUPPORTED:
        metric = catalog.find(name)
        assert metric is not None and metric.supports(catalog.Source.ANDROID), name


def test_end_to_end_values(device: adbutils.AdbDevice, phone: Phone) -> None:
    sampler = AndroidSampler(device, phone.package)
    clock = RunClock()
    first = values(sampler.read(sampler.metrics(), clock))
    # deltas (CPU, network, frames) only set their baselines on the first read
    assert not {"app_cpu", "system_cpu", "net_rx", "fps"} & set(first)
    assert first["memory_pss"] == pytest.approx(100.0)  # 102400 kB
    assert first["memory_pss_graphics"] == pytest.approx(30.0)
    assert first["battery_level"] == 87 and first["battery_temperature"] == pytest.approx(31.2)
    assert first["cpu_temperature"] == pytest.approx(52.0)
    assert first["gpu_load"] == pytest.approx(25.0)
    assert (first["threads"], first["fds"]) == (57, 120)
    assert first["memory_rss"] == pytest.approx(200.0)
    assert first["cpu_freq"] == pytest.approx(2841.6)
    assert first["gpu_freq"] == pytest.approx(585.0)
    assert first["battery_current"] == pytest.approx(412.345)
    time.sleep(0.6)
    second = values(sampler.read(sampler.metrics(), clock))
    assert second["app_cpu"] == pytest.approx(25 / 8, abs=0.6)  # 25% of one core on 8 cores
    assert second["app_cpu_per_core"] == pytest.approx(25, abs=5)
    assert second["system_cpu"] == pytest.approx(50, abs=3)
    assert second["net_rx"] == pytest.approx(100, rel=0.25)  # KB/s; the tagged duplicate row not counted
    assert second["net_tx"] == pytest.approx(10, rel=0.25)
    assert 40 <= second["fps"] <= 61
    assert second["frame_time"] >= 16.0
    assert all(s.t > 0 for s in sampler.read({"battery_level"}, clock))


def test_jank_counted_across_reads(device: adbutils.AdbDevice, phone: Phone) -> None:
    sampler = AndroidSampler(device, phone.package)
    clock, jank, big = RunClock(), 0.0, 0.0
    sampler.read({"jank"}, clock)
    for _ in range(6):  # 3 s: at least one 166 ms hitch of the fake's one per 2 s
        time.sleep(0.5)
        got = values(sampler.read({"jank", "big_jank", "stutter"}, clock))
        jank, big = jank + got["jank"], big + got["big_jank"]
    assert jank >= 1 and big >= 1


def test_only_wanted_metrics(device: adbutils.AdbDevice, phone: Phone) -> None:
    sampler = AndroidSampler(device, phone.package)
    got = sampler.read({"battery_level", "memory_pss"}, RunClock())
    assert {s.metric for s in got} == {"battery_level", "memory_pss"}
    assert not any("dumpsys SurfaceFlinger" in c for c in phone.commands)


def test_follows_a_restarted_app_without_a_spike(device: adbutils.AdbDevice, phone: Phone,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    sampler = AndroidSampler(device, phone.package)
    clock = RunClock()
    sampler.read({"app_cpu", "net_rx"}, clock)
    time.sleep(0.3)
    assert "app_cpu" in values(sampler.read({"app_cpu", "net_rx"}, clock))
    phone.restart_app(5555)
    with caplog.at_level(logging.INFO):
        after = values(sampler.read({"app_cpu", "net_rx", "memory_pss"}, clock))
    assert sampler.pid == 5555
    assert "app_cpu" not in after and "net_rx" not in after  # new baselines, not a cross-process delta
    assert "memory_pss" in after
    assert "pid 4242 -> 5555" in caplog.text
    assert any(c == "dumpsys meminfo 5555" for c in phone.commands)
    time.sleep(0.3)
    again = values(sampler.read({"app_cpu"}, clock))
    assert 0 < again["app_cpu"] < 10


def test_app_not_running_gives_device_metrics_only(device: adbutils.AdbDevice, phone: Phone,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    phone.pid = None
    sampler = AndroidSampler(device, phone.package)
    with caplog.at_level(logging.WARNING):
        got = values(sampler.read({"memory_pss", "battery_level", "threads"}, RunClock()))
        sampler.read({"memory_pss"}, RunClock())
    assert got == {"battery_level": 87}
    assert caplog.text.count("not running") == 1  # said once, not at every read


def test_unreadable_source_gives_no_sample(device: adbutils.AdbDevice, phone: Phone) -> None:
    phone.qtaguid = False  # Android 10+: falls back to /proc/<pid>/net/dev, which the fake lacks too
    sampler = AndroidSampler(device, phone.package)
    clock = RunClock()
    sampler.read({"net_rx"}, clock)
    time.sleep(0.2)
    assert sampler.read({"net_rx", "net_tx"}, clock) == []
    assert "cat /proc/4242/net/dev" in phone.commands


def test_disconnect_raises_sampler_error(device: adbutils.AdbDevice, phone: Phone) -> None:
    sampler = AndroidSampler(device, phone.package)
    clock = RunClock()
    assert sampler.read({"battery_level"}, clock)
    phone.connected = False
    with pytest.raises(SamplerError, match=r"device emulator-5554 disconnected: .*not found"):
        sampler.read(sampler.metrics(), clock)


def test_gfxinfo_fallback_without_a_surfaceflinger_layer(device: adbutils.AdbDevice, phone: Phone) -> None:
    phone.sf_layer = False
    sampler = AndroidSampler(device, phone.package)
    clock = RunClock()
    sampler.read({"fps"}, clock)
    time.sleep(0.5)
    got = values(sampler.read({"fps", "frame_time"}, clock))
    assert got["fps"] == pytest.approx(30, abs=3)
    assert got["frame_time"] == pytest.approx(33.3, abs=1)
    assert f"dumpsys gfxinfo {phone.package} framestats" in phone.commands
    assert not any("--latency" in c for c in phone.commands)


def test_follows_the_layer_of_a_new_activity(device: adbutils.AdbDevice, phone: Phone) -> None:
    sampler = AndroidSampler(device, phone.package)
    clock = RunClock()
    sampler.read({"fps"}, clock)
    time.sleep(0.3)
    assert values(sampler.read({"fps"}, clock))["fps"] > 30
    phone.activity = "DetailActivity"  # the old layer now gives no frames
    time.sleep(0.3)
    assert values(sampler.read({"fps"}, clock))["fps"] > 30
    assert any("DetailActivity#1" in c for c in phone.commands if "--latency" in c)


def test_pid_from_ps_without_pidof(device: adbutils.AdbDevice, phone: Phone) -> None:
    phone.has_pidof = False
    sampler = AndroidSampler(device, phone.package)
    assert values(sampler.read({"threads"}, RunClock())) == {"threads": 57}
    assert sampler.pid == 4242 and "ps" in phone.commands
