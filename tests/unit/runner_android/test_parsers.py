"""Each parser against real-format outputs of several Android versions and ROMs (fixtures/)."""

from __future__ import annotations

import pytest

from frame_metric.runner.android import parsers as p
from frame_metric.runner.android import uixml
from tests.unit.runner_android.conftest import fixture


def test_proc_stat_android13_eight_cores() -> None:
    totals = p.parse_proc_stat(fixture("proc_stat_android13.txt"))
    assert totals is not None
    assert totals.cores == 8
    assert totals.total == 1204345 + 45234 + 987123 + 23456789 + 12345 + 0 + 23456 + 0
    assert totals.idle == 23456789 + 12345


def test_proc_stat_counts_only_online_cores() -> None:
    totals = p.parse_proc_stat(fixture("proc_stat_android5_offline_cores.txt"))
    assert totals is not None and totals.cores == 2  # hotplugged-off cores have no cpuN line


def test_proc_stat_garbage() -> None:
    assert p.parse_proc_stat("") is None
    assert p.parse_proc_stat("cat: /proc/stat: Permission denied") is None


@pytest.mark.parametrize("line, expected", [
    ("12345 (com.example.app) S 678 678 0 0 -1 1077952832 52133 0 12 0 2093 731 0 0 10 -10 87 0 1234", 2824),
    # comm with spaces and parentheses: only fields after the last ") " count
    ("4242 (pool (x) 1) R 600 600 0 0 -1 4194368 100 0 0 0 75 25 0 0 20 0 42 0 99", 100),
    ("3456 (le.app:remote) S 201 201 0 0 -1 1077952832 10 0 0 0 7 3 0 0 20 0 12 0 5", 10),
])
def test_pid_stat(line: str, expected: int) -> None:
    assert p.parse_pid_stat(line) == expected


def test_pid_stat_unreadable() -> None:
    assert p.parse_pid_stat("cat: /proc/1/stat: No such file or directory") is None
    assert p.parse_pid_stat("1 (x) S 1 2") is None


def test_cpu_percent_normalised_and_top_style() -> None:
    assert p.cpu_percent(50, 800) == pytest.approx(6.25)
    assert p.cpu_percent_top(50, 800, 8) == pytest.approx(50.0)
    assert p.cpu_percent(5, 0) is None
    assert p.cpu_percent(-1, 100) is None


def test_system_cpu() -> None:
    before, after = p.CpuTotals(1000, 800, 4), p.CpuTotals(2000, 1300, 4)
    assert p.system_cpu_percent(before, after) == pytest.approx(50.0)
    assert p.system_cpu_percent(after, after) is None


@pytest.mark.parametrize("name, pss, java, native, graphics", [
    ("meminfo_android13.txt", 137897, 17440, 38484, 32276),  # TOTAL PSS: + Rss columns (10+)
    ("meminfo_android9.txt", 65157, 10964, 22048, 19728),  # App Summary with TOTAL: (6-9)
    ("meminfo_android44.txt", 36315, 12410, 6748, 3040 + 2120),  # no App Summary (4.4): table rows
])
def test_meminfo(name: str, pss: int, java: int, native: int, graphics: int) -> None:
    assert p.parse_meminfo(fixture(name)) == p.MemInfo(pss, java, native, graphics)


def test_meminfo_no_process() -> None:
    assert p.parse_meminfo(fixture("meminfo_no_process.txt")) is None


def test_sf_latency_skips_empty_slots_and_pending() -> None:
    frames = p.parse_sf_latency(fixture("sf_latency_android9.txt"))
    assert frames is not None and frames.refresh_ns == 16666666
    assert len(frames.present_ns) == 27
    pending = p.parse_sf_latency(fixture("sf_latency_android12_120hz.txt"))
    assert pending is not None and len(pending.present_ns) == 126  # the INT64_MAX row is not a frame
    assert p.fps(pending.present_ns) == pytest.approx(120, rel=1e-3)


def test_sf_latency_only_newer_than_last_seen() -> None:
    frames = p.parse_sf_latency(fixture("sf_latency_android9.txt"))
    assert frames is not None
    later = p.parse_sf_latency(fixture("sf_latency_android9.txt"), after_ns=frames.present_ns[20])
    assert later is not None and later.present_ns == frames.present_ns[21:]


def test_sf_latency_unknown_layer_and_garbage() -> None:
    frames = p.parse_sf_latency(fixture("sf_latency_unknown_layer.txt"))
    assert frames == p.Frames(16666666, [])
    assert p.parse_sf_latency("Can't find layer") is None


def test_fps_and_jank_on_a_hitch() -> None:
    frames = p.parse_sf_latency(fixture("sf_latency_android9.txt"))
    assert frames is not None
    times = p.frame_times_ms(frames.present_ns)
    assert max(times) == pytest.approx(150.0)
    assert p.fps(frames.present_ns) == pytest.approx(26 / ((25 * 16666666 + 150_000_000) / 1e9))
    jank = p.count_jank(times, [])
    assert (jank.jank, jank.big_jank) == (1, 1)
    assert jank.jank_ms == pytest.approx(150.0)


@pytest.mark.parametrize("frames, previous, expected", [
    ([16.7, 16.7, 16.7, 90.0], [], (1, 0)),  # > 2x mean and > 83.3 ms: jank, not big
    ([16.7, 16.7, 16.7, 80.0], [], (0, 0)),  # > 2x mean but under 83.3 ms
    ([100.0, 100.0, 100.0, 130.0], [], (0, 0)),  # long, but not twice the previous mean
    ([200.0], [16.7, 16.7, 16.7], (1, 1)),  # history from the previous read counts
    ([200.0], [16.7], (0, 0)),  # fewer than 3 previous frames: not judged
])
def test_count_jank(frames: list[float], previous: list[float], expected: tuple[int, int]) -> None:
    jank = p.count_jank(frames, previous)
    assert (jank.jank, jank.big_jank) == expected


def test_fps_needs_two_frames() -> None:
    assert p.fps([]) is None
    assert p.fps([5]) is None


# Every header AOSP's FrameInfoNames (libs/hwui/FrameInfo.cpp) has had: 6 (14 columns), 9 (16), 10 (17),
# 12 (FrameTimelineVsyncId second, 20), 13 (21), 14 (23), 15 (24), 16 (25)
GFX_VERSIONS = ["android6", "android9", "android10", "android12", "android13", "android14", "android15",
                "android16"]


@pytest.mark.parametrize("version", GFX_VERSIONS)
def test_gfxinfo_framestats_every_android_version(version: str) -> None:
    text = fixture(f"gfxinfo_framestats_{version}.txt")
    frames = p.parse_gfxinfo_framestats(text)
    assert frames is not None
    # the Flags=1 row is dropped, its duplicate with Flags=0 kept once
    assert frames.present_ns == [2416008000000, 2416024666666, 2416041333332, 2416058000000]
    newer = p.parse_gfxinfo_framestats(text, after_ns=2416024666666)
    assert newer is not None and newer.present_ns == [2416041333332, 2416058000000]


def test_gfxinfo_columns_by_name_not_position() -> None:
    text = "---PROFILEDATA---\nFrameCompleted,Vsync,Flags,\n500,1,0\n700,2,4\n900,3,0\n---PROFILEDATA---\n"
    frames = p.parse_gfxinfo_framestats(text)
    assert frames is not None and frames.present_ns == [500, 900]


def test_gfxinfo_without_frames() -> None:
    assert p.parse_gfxinfo_framestats("No process found for: com.example.app") is None
    assert p.parse_gfxinfo_framestats("---PROFILEDATA---\nFlags,Unknown\n1,2\n") is None  # no FrameCompleted


@pytest.mark.parametrize("name, layer", [
    ("sf_list_android7.txt", "com.example.app/com.example.app.MainActivity"),
    ("sf_list_android10.txt", "SurfaceView - com.example.app/com.example.app.MainActivity#0"),
    ("sf_list_android13.txt", "SurfaceView[com.example.app/com.example.app.GameActivity](BLAST)#1153"),
])
def test_pick_layer(name: str, layer: str) -> None:
    assert p.pick_layer(fixture(name), "com.example.app") == layer


def test_pick_layer_absent() -> None:
    assert p.pick_layer(fixture("sf_list_android7.txt"), "com.other") is None


@pytest.mark.parametrize("text, pid", [
    ("12345\n", 12345),
    ("12345 12399", 12345),
    (fixture("ps_android8.txt"), 12345),
    (fixture("ps_android6.txt"), 3321),  # not the :remote process listed first
    ("", None),
])
def test_parse_pid(text: str, pid: int | None) -> None:
    assert p.parse_pid(text, "com.example.app") == pid


def test_status() -> None:
    text = ("Name:\tcom.example.app\nState:\tS (sleeping)\nUid:\t10123\t10123\t10123\t10123\n"
            "VmRSS:\t  201234 kB\nThreads:\t87\n")
    assert p.parse_status(text) == p.ProcStatus(10123, 87, 201234)
    assert p.parse_status("Uid:\t10123\t10123\t10123\t10123\nThreads:\t3\n") == p.ProcStatus(10123, 3, None)
    assert p.parse_status("cat: /proc/1/status: No such file or directory") is None


def test_qtaguid_sums_untagged_rows_of_the_uid() -> None:
    # both counter sets (fg/bg), every interface but lo, no tagged duplicates
    assert p.parse_qtaguid(fixture("qtaguid_stats.txt"), 10123) == p.NetBytes(
        1048576 + 524288 + 4096, 204800 + 102400 + 2048)
    assert p.parse_qtaguid("cat: /proc/net/xt_qtaguid/stats: No such file or directory", 10123) is None


def test_net_dev_without_loopback() -> None:
    assert p.parse_net_dev(fixture("net_dev_android12.txt")) == p.NetBytes(73925112 + 1000000, 4480 + 5412340 + 200000)
    assert p.parse_net_dev("cat: /proc/1/net/dev: No such file") is None


def test_battery() -> None:
    assert p.parse_battery(fixture("battery_android13.txt")) == p.Battery(76.0, 29.8)
    assert p.parse_battery(fixture("battery_emulator_android7.txt")) == p.Battery(50.0, 0.0)
    assert p.parse_battery("Can't find service: battery") is None


@pytest.mark.parametrize("name, celsius", [
    ("thermal_qualcomm.txt", 48.3),  # millidegrees; the -273000 placeholder zone ignored
    ("thermal_mediatek.txt", 51.23),
    ("thermal_old_degrees.txt", 47.0),  # whole degrees on some older kernels
])
def test_thermal(name: str, celsius: float) -> None:
    assert p.parse_thermal(fixture(name)) == pytest.approx(celsius)


def test_thermal_units() -> None:
    assert p.thermal_celsius(45500) == 45.5
    assert p.thermal_celsius(455) == 45.5
    assert p.thermal_celsius(45) == 45.0
    assert p.thermal_celsius(-273000) is None
    assert p.parse_thermal("") is None


@pytest.mark.parametrize("text, load", [
    ("  1200  4800\n", 25.0),  # Adreno gpubusy
    ("37 %", 37.0),  # gpu_busy_percentage / Mali gpu_busy
    ("0 0", 0.0),
    ("cat: /sys/class/kgsl/kgsl-3d0/gpubusy: Permission denied", None),
])
def test_gpu_load(text: str, load: float | None) -> None:
    assert p.parse_gpu_load(text) == load


def test_fd_listing() -> None:
    assert p.parse_fd_listing("0\n1\n2\n3\n") == 4
    assert p.parse_fd_listing("ls: /proc/1/fd: Permission denied") is None


def test_uiautomator_dump() -> None:
    nodes = uixml.parse_nodes(fixture("window_dump.xml") + "\nUI hierchary dumped to: /dev/tty")
    assert len(nodes) == 4
    login = uixml.find(nodes, text="Log in")
    assert login is not None and login.center == (540, 1880)
    assert uixml.find(nodes, text="Welcome") is not None  # substring after no exact match
    settings = uixml.find(nodes, text="Settings")  # content-desc of an icon button
    assert settings is not None and settings.center == (1010, 170)
    assert uixml.find(nodes, resource_id="login") == login
    assert uixml.find(nodes, resource_id="com.example.app:id/login") == login
    assert uixml.find(nodes, text="Missing") is None
    assert uixml.parse_nodes("ERROR: could not get idle state.") == []


def test_cpu_and_gpu_frequency() -> None:
    assert p.parse_cpu_freq_mhz("300000\n1804800\n2841600\n") == pytest.approx(2841.6)
    assert p.parse_cpu_freq_mhz("") is None
    assert p.parse_gpu_freq_mhz("585000000") == pytest.approx(585.0)  # kgsl gpuclk, Hz
    assert p.parse_gpu_freq_mhz("800") == 800.0  # Mali clock, MHz
    assert p.parse_gpu_freq_mhz("cat: gpuclk: Permission denied") is None


@pytest.mark.parametrize("text, ma", [
    ("-412345", 412.345),  # Pixel: µA, negative while discharging
    ("412345", 412.345),  # vendors with the other sign
    ("412", 412.0),  # vendors printing mA
    ("", None),
])
def test_battery_current(text: str, ma: float | None) -> None:
    assert p.parse_current_ma(text) == (pytest.approx(ma) if ma is not None else None)
