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


def _frames_with_known_jank() -> tuple[list[int], int, int]:
    """60 fps from 0.1 s with five long frames among them: by PerfDog's rule (longer than 2x the mean of
    the 3 before and than 83.3 ms; big: than 125 ms) 5 jank, 4 of them big."""
    long_frames = {40: 100.0, 80: 150.0, 120: 200.0, 160: 300.0, 200: 130.0}
    t, times = 0.1e9, []
    for index in range(260):
        t += long_frames.get(index, 1000 / 60) * 1e6
        times.append(int(t))
    return times, 5, 4


def test_jank_counted_once_over_real_frame_times(device: adbutils.AdbDevice, phone: Phone) -> None:
    from frame_metric.monitor import results

    phone.frames_ns, want_jank, want_big = _frames_with_known_jank()
    phone.clock_s = 0.05
    sampler = AndroidSampler(device, phone.package)
    clock, samples = RunClock(), []
    wanted = {"fps", "frame_time", "jank", "big_jank", "stutter"}
    sampler.read(wanted, clock)  # the baseline: no frame yet
    while phone.clock_s < 6.0:  # reads every 0.37 s: some long frames straddle two reads
        phone.clock_s += 0.37
        samples += [(s.t, s.metric, s.value) for s in sampler.read(wanted, clock)]
    assert sum(v for _, m, v in samples if m == "jank") == want_jank
    assert sum(v for _, m, v in samples if m == "big_jank") == want_big
    profile = {"items": [{"metric": "jank", "thresholds": [{"stat": "sum", "op": "le", "value": want_jank}]}]}
    computed = results.compute(samples, [], profile)
    assert computed["jank"] == {"jank": want_jank, "big_jank": want_big}  # not rerun over frame_time means
    assert computed["metrics"]["jank"]["sum"] == want_jank and computed["verdict"] == "pass"
    stricter = {"items": [{"metric": "jank", "thresholds": [{"stat": "sum", "op": "lt", "value": want_jank}]}]}
    assert results.compute(samples, [], stricter)["verdict"] == "fail"


def test_gfxinfo_fallback_reads_the_android12_header(device: adbutils.AdbDevice, phone: Phone) -> None:
    from tests.unit.runner_android.fake_adb import GFX_HEADER_ANDROID12

    phone.sf_layer, phone.gfx_header = False, GFX_HEADER_ANDROID12
    sampler = AndroidSampler(device, phone.package)
    clock = RunClock()
    sampler.read({"fps"}, clock)
    time.sleep(0.5)
    got = values(sampler.read({"fps", "frame_time", "jank"}, clock))
    assert got["fps"] == pytest.approx(30, abs=3) and got["frame_time"] == pytest.approx(33.3, abs=1)
    assert got["jank"] == 0


def test_an_app_restart_is_a_mark(device: adbutils.AdbDevice, phone: Phone) -> None:
    sampler = AndroidSampler(device, phone.package)
    clock = RunClock()
    sampler.read({"memory_pss"}, clock)
    assert sampler.take_marks() == []
    phone.restart_app(5555)
    sampler.read({"memory_pss"}, clock)
    marks = sampler.take_marks()
    assert [m.name for m in marks] == ["app restarted: pid 4242 -> 5555"] and marks[0].t > 0
    assert sampler.take_marks() == []  # taken once
    phone.pid = None
    sampler.read({"memory_pss"}, clock)
    phone.pid = 6000
    sampler.read({"memory_pss"}, clock)
    assert [m.name for m in sampler.take_marks()] == ["app gone: pid 5555 no longer running",
                                                      "app restarted: pid 5555 -> 6000"]


def test_a_pid_gone_between_pidof_and_dumpsys_is_named(device: adbutils.AdbDevice, phone: Phone,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    sampler = AndroidSampler(device, phone.package)
    clock = RunClock()
    phone.vanish_after_pidof = True
    with caplog.at_level(logging.WARNING):
        got = values(sampler.read({"memory_pss", "threads"}, clock))
    assert got == {}
    assert "pid 4242 ended while it was read (the app is no longer running)" in caplog.text
    assert "no TOTAL PSS" not in caplog.text  # not blamed on the output format
    assert [m.name for m in sampler.take_marks()] == ["app gone: pid 4242 no longer running"]
    assert not any(c.startswith("cat /proc/None") for c in phone.commands)


def test_each_new_kind_of_failure_is_reported(device: adbutils.AdbDevice, phone: Phone,
                                              caplog: pytest.LogCaptureFixture,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    sampler = AndroidSampler(device, phone.package)
    clock = RunClock()
    monkeypatch.setattr(phone, "meminfo", lambda pid: "Permission Denial: can't dump meminfo\n")
    with caplog.at_level(logging.WARNING):
        sampler.read({"memory_pss"}, clock)
        sampler.read({"memory_pss"}, clock)  # the same failure again: not repeated
        phone.vanish_after_pidof = True
        sampler.read({"memory_pss"}, clock)  # a new kind of failure of the same source: reported
    assert caplog.text.count("no TOTAL PSS") == 1
    assert "pid 4242 ended while it was read" in caplog.text
