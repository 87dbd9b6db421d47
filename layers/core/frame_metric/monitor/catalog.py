"""The metrics a monitoring run can collect, as typed data.

The catalog is code, not a table: the runner has to know how to sample every entry, so a metric
exists exactly when a release ships its sampler. Profiles and thresholds are checked against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Source(StrEnum):
    ANDROID = "android"  # sampled over adb from a device
    PROCESS = "process"  # sampled with psutil from a process on the tester's machine
    BOTH = "both"


class Stat(StrEnum):
    AVG = "avg"
    MIN = "min"
    MAX = "max"
    MEDIAN = "median"
    P90 = "p90"
    P95 = "p95"
    SUM = "sum"  # event counts (jank, big jank): the total over the run


class Op(StrEnum):
    LT = "lt"
    LE = "le"
    GT = "gt"
    GE = "ge"
    EQ = "eq"


class Category(StrEnum):
    CPU = "cpu"
    MEMORY = "memory"
    RENDERING = "rendering"
    NETWORK = "network"
    POWER = "power"
    THERMAL = "thermal"
    GPU = "gpu"
    SYSTEM = "system"
    IO = "io"


LEVELS = (Stat.AVG, Stat.MIN, Stat.MAX, Stat.MEDIAN, Stat.P90, Stat.P95)
EVENTS = (Stat.SUM, Stat.MAX, Stat.AVG)
# Fastest intervals that give meaningful numbers: dumpsys meminfo takes ~0.3 s on a phone, battery
# and thermal values change slowly and are only refreshed by the kernel every few seconds.
FAST, MEMINFO, SLOW = 200, 1000, 2000


@dataclass(frozen=True)
class Metric:
    name: str
    title: str
    unit: str
    source: Source
    category: Category
    default_interval_ms: int
    min_interval_ms: int
    stats: tuple[Stat, ...]
    description: str

    def supports(self, source: Source) -> bool:
        return self.source in (Source.BOTH, source)


def _m(name: str, title: str, unit: str, source: Source, category: Category, interval: int, minimum: int,
       stats: tuple[Stat, ...], description: str) -> Metric:
    return Metric(name, title, unit, source, category, interval, minimum, stats, description)


A, P, B = Source.ANDROID, Source.PROCESS, Source.BOTH
C = Category

METRICS: tuple[Metric, ...] = (
    _m("app_cpu", "App CPU", "%", B, C.CPU, 1000, FAST, LEVELS,
       "CPU used by the app's process, normalised to all cores (0-100): delta(utime+stime) / delta(total jiffies)."),
    _m("app_cpu_per_core", "App CPU (per core)", "%", B, C.CPU, 1000, FAST, LEVELS,
       "The same CPU use, top-style: 100 per fully used core (0-100 x cores)."),
    _m("system_cpu", "System CPU", "%", B, C.CPU, 1000, FAST, LEVELS,
       "CPU used by the whole device or machine, normalised to all cores (0-100)."),
    _m("cpu_freq", "CPU frequency", "MHz", A, C.CPU, 1000, FAST, LEVELS,
       "Current frequency of each core cluster (scaling_cur_freq); throttling shows here first."),
    _m("memory_pss", "Memory PSS", "MB", A, C.MEMORY, 2000, MEMINFO, LEVELS,
       "Proportional set size of the app (dumpsys meminfo TOTAL PSS)."),
    _m("memory_pss_java", "Memory PSS: Java heap", "MB", A, C.MEMORY, 2000, MEMINFO, LEVELS,
       "Java heap part of the PSS (dumpsys meminfo App Summary)."),
    _m("memory_pss_native", "Memory PSS: native heap", "MB", A, C.MEMORY, 2000, MEMINFO, LEVELS,
       "Native heap part of the PSS."),
    _m("memory_pss_graphics", "Memory PSS: graphics", "MB", A, C.MEMORY, 2000, MEMINFO, LEVELS,
       "Graphics part of the PSS (GL, EGL and gralloc buffers)."),
    _m("memory_rss", "Memory RSS", "MB", B, C.MEMORY, 1000, FAST, LEVELS,
       "Resident set size of the process (shared pages counted in full)."),
    _m("memory_uss", "Memory USS", "MB", P, C.MEMORY, 2000, MEMINFO, LEVELS,
       "Unique set size: memory freed if the process ended (psutil memory_full_info)."),
    _m("fps", "FPS", "fps", A, C.RENDERING, 1000, 500, LEVELS,
       "Frames presented per second (SurfaceFlinger --latency; gfxinfo framestats as fallback)."),
    _m("frame_time", "Frame time", "ms", A, C.RENDERING, 1000, 500, LEVELS,
       "Time between consecutive presented frames: the mean over the frames of each read."),
    _m("jank", "Jank", "count", A, C.RENDERING, 1000, 500, EVENTS,
       "Frames longer than 2x the mean of the previous 3 frames and over 83.3 ms (PerfDog's Jank)."),
    _m("big_jank", "Big jank", "count", A, C.RENDERING, 1000, 500, EVENTS,
       "Jank frames longer than 125 ms (PerfDog's BigJank)."),
    _m("stutter", "Stutter", "%", A, C.RENDERING, 1000, 500, LEVELS,
       "Share of the time spent in jank frames (PerfDog's Stutter)."),
    _m("net_rx", "Network received", "KB/s", B, C.NETWORK, 1000, FAST, (*LEVELS, Stat.SUM),
       "Bytes received by the app's uid on a device; locally by the whole machine (psutil has no per-process net)."),
    _m("net_tx", "Network sent", "KB/s", B, C.NETWORK, 1000, FAST, (*LEVELS, Stat.SUM),
       "Bytes sent, counted like net_rx."),
    _m("battery_level", "Battery level", "%", A, C.POWER, 10000, SLOW, (Stat.MIN, Stat.MAX, Stat.AVG),
       "Charge level from dumpsys battery."),
    _m("battery_current", "Battery current", "mA", A, C.POWER, 2000, 1000, LEVELS,
       "Discharge current (current_now); only meaningful while the device is not charging."),
    _m("battery_temperature", "Battery temperature", "°C", A, C.THERMAL, 5000, SLOW, LEVELS,
       "Battery temperature from dumpsys battery."),
    _m("cpu_temperature", "CPU temperature", "°C", A, C.THERMAL, 5000, 1000, LEVELS,
       "Hottest CPU thermal zone (/sys/class/thermal)."),
    _m("gpu_load", "GPU load", "%", A, C.GPU, 1000, FAST, LEVELS,
       "GPU busy percentage (Adreno kgsl gpubusy, Mali utilization); not every device exposes it."),
    _m("gpu_freq", "GPU frequency", "MHz", A, C.GPU, 1000, FAST, LEVELS,
       "Current GPU clock where the driver exposes it."),
    _m("threads", "Threads", "count", B, C.SYSTEM, 2000, 1000, LEVELS,
       "Number of threads of the process; steady growth is a leak."),
    _m("fds", "File descriptors", "count", B, C.SYSTEM, 2000, 1000, LEVELS,
       "Open file descriptors of the process; steady growth is a leak."),
    _m("disk_read", "Disk read", "KB/s", P, C.IO, 1000, FAST, (*LEVELS, Stat.SUM),
       "Bytes read by the process (psutil io_counters)."),
    _m("disk_write", "Disk write", "KB/s", P, C.IO, 1000, FAST, (*LEVELS, Stat.SUM),
       "Bytes written by the process."),
)

BY_NAME: dict[str, Metric] = {metric.name: metric for metric in METRICS}


def find(name: str) -> Metric | None:
    return BY_NAME.get(name)


def unit_of(name: str) -> str:
    """The unit a metric's values are in ("" for a name the catalog does not know)."""
    metric = BY_NAME.get(name)
    return metric.unit if metric else ""


def names() -> list[str]:
    return [metric.name for metric in METRICS]


def available_on(source: Source | None) -> list[Metric]:
    """The metrics a target kind can give; `both` means metrics available on either kind."""
    if source is None:
        return list(METRICS)
    if source == Source.BOTH:
        return [metric for metric in METRICS if metric.source == Source.BOTH]
    return [metric for metric in METRICS if metric.supports(source)]
