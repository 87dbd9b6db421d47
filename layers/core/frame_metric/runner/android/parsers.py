"""Pure parsers for what an Android device prints over adb shell. No I/O here: each function takes the
text a command printed and returns a typed value, or None when the text is not what we expected (a ROM
we do not know, a permission denial, a process that just died). The sampler decides what None means."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

NO_TIMESTAMP = 2**63 - 1  # SurfaceFlinger's "pending fence" marker (INT64_MAX)
JANK_MS = 1000 / 24 * 2  # PerfDog: two frames of a 24 fps film, 83.3 ms
BIG_JANK_MS = 1000 / 24 * 3  # three film frames, 125 ms


# --- CPU ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CpuTotals:
    total: int  # all jiffies of the aggregate "cpu" line
    idle: int  # idle + iowait, for system CPU
    cores: int  # the cpuN lines: online cores only (offline cores are absent on Android)


def parse_proc_stat(text: str) -> CpuTotals | None:
    total = idle = None
    cores = 0
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "cpu":
            values = [int(v) for v in parts[1:] if v.isdigit()]
            if len(values) < 4:
                return None
            # guest/guest_nice are already counted in user/nice: summing them would count twice
            total = sum(values[:8])
            idle = values[3] + (values[4] if len(values) > 4 else 0)
        elif re.fullmatch(r"cpu\d+", parts[0]):
            cores += 1
    if total is None or idle is None:
        return None
    return CpuTotals(total=total, idle=idle, cores=max(cores, 1))


def parse_pid_stat(text: str) -> int | None:
    """utime + stime (jiffies) from /proc/<pid>/stat. The comm field may hold spaces and parentheses,
    so fields are counted after the *last* ') ': state is then field 0, utime 11, stime 12."""
    end = text.rfind(") ")
    if end < 0:
        return None
    fields = text[end + 2:].split()
    if len(fields) < 13 or not (fields[11].isdigit() and fields[12].isdigit()):
        return None
    return int(fields[11]) + int(fields[12])


def cpu_percent(d_proc: int, d_total: int) -> float | None:
    """Normalised to all cores: 100 means every core busy."""
    if d_total <= 0 or d_proc < 0:
        return None
    return min(100.0, 100.0 * d_proc / d_total)


def cpu_percent_top(d_proc: int, d_total: int, cores: int) -> float | None:
    """top-style: 100 per fully used core."""
    normalised = cpu_percent(d_proc, d_total)
    return None if normalised is None else normalised * cores


def system_cpu_percent(before: CpuTotals, after: CpuTotals) -> float | None:
    d_total = after.total - before.total
    if d_total <= 0:
        return None
    return max(0.0, min(100.0, 100.0 * (d_total - (after.idle - before.idle)) / d_total))


# --- memory ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MemInfo:
    pss_kb: int
    java_kb: int | None
    native_kb: int | None
    graphics_kb: int | None


_SUMMARY = re.compile(r"^\s*(Java Heap|Native Heap|Graphics|TOTAL PSS|TOTAL):\s+(\d+)", re.M)
_TABLE_ROW = re.compile(r"^\s*(TOTAL|Native Heap|Dalvik Heap|Gfx dev|EGL mtrack|GL mtrack|Graphics|GL)\s+(\d+)\s", re.M)


def parse_meminfo(text: str) -> MemInfo | None:
    """`dumpsys meminfo <pid>`. Android 6+ prints an App Summary (`TOTAL PSS:` since 10, `TOTAL:` on
    6-9); 4.x/5.x only have the main table, where the first number of a row is its PSS total."""
    summary = {name: int(value) for name, value in _SUMMARY.findall(text)}
    total = summary.get("TOTAL PSS", summary.get("TOTAL"))
    if total is not None and "Java Heap" in summary:
        return MemInfo(total, summary.get("Java Heap"), summary.get("Native Heap"), summary.get("Graphics"))
    rows: dict[str, int] = {}
    for name, value in _TABLE_ROW.findall(text):
        rows.setdefault(name, int(value))  # the first TOTAL row is the PSS table's
    if "TOTAL" not in rows:
        return None
    graphics = [rows[n] for n in ("Gfx dev", "EGL mtrack", "GL mtrack", "Graphics", "GL") if n in rows]
    return MemInfo(rows["TOTAL"], rows.get("Dalvik Heap"), rows.get("Native Heap"),
                   sum(graphics) if graphics else None)


# --- frames ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Frames:
    refresh_ns: int | None
    present_ns: list[int]  # increasing present (or completion) times of new frames


def parse_sf_latency(text: str, after_ns: int = 0) -> Frames | None:
    """`dumpsys SurfaceFlinger --latency <layer>`: the refresh period, then rows of
    desiredPresent / actualPresent / frameReady ns. Column 2 is when the frame reached the screen."""
    lines = text.strip().splitlines()
    if not lines or not lines[0].strip().isdigit():
        return None
    times: list[int] = []
    for line in lines[1:]:
        parts = line.split()
        if len(parts) != 3 or not all(p.isdigit() for p in parts):
            continue
        present = int(parts[1])
        if present in (0, NO_TIMESTAMP) or present <= after_ns:
            continue  # empty ring slot, fence not yet signalled, or seen at the previous read
        times.append(present)
    return Frames(int(lines[0].strip()), sorted(set(times)))


def _gfx_columns(line: str) -> list[str] | None:
    """The column names of a framestats header, whichever Android wrote it. AOSP libs/hwui/FrameInfo.cpp
    (FrameInfoNames) has grown at the front and in the middle: 6 `Flags,IntendedVsync,Vsync,...,
    FrameCompleted`, 7-9 add DequeueBufferDuration/QueueBufferDuration, 10-11 GpuCompleted, 12
    `Flags,FrameTimelineVsyncId,IntendedVsync,...,FrameDeadline,...,DisplayPresentTime`, 13 FrameStartTime,
    14 FrameInterval and CommandSubmissionCompleted, 15 WorkloadTarget, 16 AnimationTime. So columns are
    found by name, never by position."""
    names = [name.strip() for name in line.strip().rstrip(",").split(",")]
    return names if "Flags" in names and "FrameCompleted" in names else None


def parse_gfxinfo_framestats(text: str, after_ns: int = 0) -> Frames | None:
    """`dumpsys gfxinfo <pkg> framestats` (Android 6+): the CSV between ---PROFILEDATA--- markers (one
    block per window). FrameCompleted stands in for the present time; rows with non-zero Flags are not
    real frames (a layout change, a skipped frame). None when no header is there at all (no process,
    no HWUI)."""
    columns: list[str] | None = None
    found = False
    times: list[int] = []
    for line in text.splitlines():
        line = line.strip()
        if "Flags" in line and "," in line:  # a header (every known one starts with it; order not relied on)
            columns = _gfx_columns(line)
            found = found or columns is not None
            continue
        if columns is None or not line or line.startswith("---"):
            continue
        values = line.rstrip(",").split(",")
        if len(values) < len(columns) or not all(v.strip().lstrip("-").isdigit() for v in values[: len(columns)]):
            continue
        row = dict(zip(columns, (int(v) for v in values), strict=False))
        done = row["FrameCompleted"]
        if row["Flags"] != 0 or done in (0, NO_TIMESTAMP) or done <= after_ns:
            continue
        times.append(done)
    if not found:
        return None
    return Frames(None, sorted(set(times)))


def fps(present_ns: list[int]) -> float | None:
    if len(present_ns) < 2 or present_ns[-1] <= present_ns[0]:
        return None
    return (len(present_ns) - 1) * 1e9 / (present_ns[-1] - present_ns[0])


def frame_times_ms(present_ns: list[int]) -> list[float]:
    return [(b - a) / 1e6 for a, b in itertools.pairwise(present_ns)]


@dataclass(frozen=True)
class Jank:
    jank: int
    big_jank: int
    jank_ms: float  # time spent in jank frames, for stutter


def count_jank(frame_ms: list[float], previous: list[float]) -> Jank:
    """PerfDog: a frame is jank when longer than twice the mean of the 3 frames before it and longer
    than 83.3 ms; big jank when also longer than 125 ms. `previous` carries the last 3 frame times of
    the previous read so a jank at a read boundary is still seen."""
    history = list(previous[-3:])
    jank = big = 0
    jank_ms = 0.0
    for ms in frame_ms:
        if len(history) == 3 and ms > 2 * sum(history) / 3:
            if ms > BIG_JANK_MS:
                big += 1
            if ms > JANK_MS:
                jank += 1
                jank_ms += ms
        history = [*history[-2:], ms]
    return Jank(jank, big, jank_ms)


_LAYER_SKIP = ("Background for", "Bounds for", "ActivityRecord{", "Task=", "WindowToken{", "Dim Layer",
               "animation-leash", "Splash Screen")


def pick_layer(listing: str, package: str) -> str | None:
    """The app's visible layer from `dumpsys SurfaceFlinger --list`. A SurfaceView of the app (games,
    video, Flutter) carries the frames when present; else the app window "pkg/activity#N". The last
    match is the newest window (a restarted activity gets a new #N)."""
    names = [line.strip() for line in listing.splitlines() if package in line]
    names = [n for n in names if not n.startswith(_LAYER_SKIP)]
    surface = [n for n in names if n.startswith("SurfaceView")]
    if surface:
        return surface[-1]
    windows = [n for n in names if n.startswith(f"{package}/")]
    return windows[-1] if windows else None


# --- process, network, power, thermal ----------------------------------------------------------------

def parse_pid(text: str, package: str) -> int | None:
    """`pidof <pkg>` ("1234" or "1234 5678") or `ps`/`ps -A` output (NAME is the last column; a
    ":remote" process of the same app is a different name and is not taken)."""
    first = text.strip().split()
    if first and all(p.isdigit() for p in first):
        return int(first[0])
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[-1] == package and parts[1].isdigit():
            return int(parts[1])
    return None


@dataclass(frozen=True)
class ProcStatus:
    uid: int | None
    threads: int | None
    rss_kb: int | None = None


def parse_status(text: str) -> ProcStatus | None:
    """/proc/<pid>/status: real uid, thread count and VmRSS (kB)."""
    uid = re.search(r"^Uid:\s+(\d+)", text, re.M)
    threads = re.search(r"^Threads:\s+(\d+)", text, re.M)
    rss = re.search(r"^VmRSS:\s+(\d+)\s*kB", text, re.M)
    if uid is None and threads is None:
        return None
    return ProcStatus(int(uid.group(1)) if uid else None, int(threads.group(1)) if threads else None,
                      int(rss.group(1)) if rss else None)


@dataclass(frozen=True)
class NetBytes:
    rx: int
    tx: int


def parse_qtaguid(text: str, uid: int) -> NetBytes | None:
    """/proc/net/xt_qtaguid/stats (Android <= 9). Only tag 0x0 rows: tagged rows repeat the bytes of
    the untagged total. Loopback is not traffic."""
    lines = text.strip().splitlines()
    if not lines or not lines[0].startswith("idx"):
        return None
    rx = tx = 0
    for line in lines[1:]:
        parts = line.split()
        if len(parts) < 9 or parts[2] != "0x0" or parts[3] != str(uid) or parts[1] == "lo":
            continue
        rx += int(parts[5])
        tx += int(parts[7])
    return NetBytes(rx, tx)


def parse_net_dev(text: str) -> NetBytes | None:
    """/proc/<pid>/net/dev (Android 10+, where qtaguid is gone): per network namespace, so on a phone
    this is the whole device's traffic, not the app's; loopback excluded."""
    rx = tx = 0
    found = False
    for line in text.splitlines():
        if ":" not in line:
            continue
        iface, _, rest = line.partition(":")
        values = rest.split()
        if iface.strip() == "lo" or len(values) < 9 or not values[0].isdigit():
            continue
        rx += int(values[0])
        tx += int(values[8])
        found = True
    return NetBytes(rx, tx) if found else None


@dataclass(frozen=True)
class Battery:
    level: float | None  # percent
    temperature_c: float | None


def parse_battery(text: str) -> Battery | None:
    level = re.search(r"^\s*level:\s*(-?\d+)", text, re.M)
    scale = re.search(r"^\s*scale:\s*(\d+)", text, re.M)
    temp = re.search(r"^\s*temperature:\s*(-?\d+)", text, re.M)
    if level is None and temp is None:
        return None
    percent = None
    if level is not None:
        full = int(scale.group(1)) if scale and int(scale.group(1)) > 0 else 100
        percent = 100.0 * int(level.group(1)) / full
    return Battery(percent, int(temp.group(1)) / 10 if temp else None)  # tenths of a degree


_CPU_ZONE = re.compile(r"cpu|tsens_tz_sensor|soc_thermal|mtktscpu|apc|cluster|big|little|soc", re.I)


def thermal_celsius(raw: int) -> float | None:
    """Zones report millidegrees on most kernels, degrees on some MediaTek/older ones, tenths on a few."""
    value = raw / 1000 if abs(raw) >= 1000 else raw / 10 if abs(raw) >= 150 else float(raw)
    return value if 0 < value < 150 else None  # negative or huge: a disabled or broken sensor


def parse_thermal(text: str) -> float | None:
    """Lines "<type> <temp>" (one per zone, from a shell loop). The hottest CPU-like zone."""
    hottest: float | None = None
    for line in text.splitlines():
        parts = line.split()
        if len(parts) != 2 or not _CPU_ZONE.search(parts[0]) or not parts[1].lstrip("-").isdigit():
            continue
        celsius = thermal_celsius(int(parts[1]))
        if celsius is not None and (hottest is None or celsius > hottest):
            hottest = celsius
    return hottest


def parse_cpu_freq_mhz(text: str) -> float | None:
    """`cat .../cpu*/cpufreq/scaling_cur_freq` (kHz, one line per online core): the fastest core, which
    is where throttling of the big cluster shows."""
    values = [int(v) for v in text.split() if v.isdigit()]
    return max(values) / 1000 if values else None


def parse_gpu_freq_mhz(text: str) -> float | None:
    """kgsl `gpuclk` / devfreq `cur_freq` print Hz; some Mali drivers print MHz."""
    values = [int(v) for v in text.split() if v.isdigit()]
    if not values or values[0] <= 0:
        return None
    return values[0] / 1e6 if values[0] >= 1_000_000 else float(values[0])


def parse_current_ma(text: str) -> float | None:
    """power_supply `current_now`: µA by the kernel ABI, but some vendors print mA, and the sign for
    discharge differs by vendor. Magnitude in mA: values over 5000 are taken as µA (no phone draws 5 A)."""
    value = text.strip()
    if not value.lstrip("-").isdigit():
        return None
    raw = abs(int(value))
    return raw / 1000 if raw > 5000 else float(raw)


def parse_gpu_load(text: str) -> float | None:
    """Adreno `kgsl-3d0/gpubusy` ("busy total"), or a percentage ("45 %", "45") from
    `gpu_busy_percentage` / Mali `utilization`."""
    parts = text.replace("%", " ").split()
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        busy, total = int(parts[0]), int(parts[1])
        return 100.0 * busy / total if total > 0 else 0.0
    if len(parts) == 1 and parts[0].isdigit() and int(parts[0]) <= 100:
        return float(parts[0])
    return None


def parse_fd_listing(text: str) -> int | None:
    """`ls /proc/<pid>/fd 2>&1`: one name per entry. Other apps' fds are not listable on user builds
    ("Permission denied"); counting lines ourselves keeps that from reading as 0 fds."""
    if "denied" in text or "No such file" in text:
        return None
    return len([line for line in text.split() if line.isdigit()])
