"""Samples an Android app over adb (no root, no change to device settings)."""

from __future__ import annotations

import logging
import shlex
import time
from pathlib import Path

import adbutils

from frame_metric.runner.android import parsers as p
from frame_metric.runner.android.adb import DeviceGone, shell
from frame_metric.runner.android.recorder import ScreenRecorder
from frame_metric.runner.interfaces import Mark, RunClock, Sample, Sampler, SamplerError

log = logging.getLogger(__name__)

CPU = {"app_cpu", "app_cpu_per_core"}
MEMORY = {"memory_pss", "memory_pss_java", "memory_pss_native", "memory_pss_graphics"}
FRAMES = {"fps", "frame_time", "jank", "big_jank", "stutter"}
NET = {"net_rx", "net_tx"}
BATTERY = {"battery_level", "battery_temperature"}
DEVICE = {"system_cpu", "cpu_freq", "cpu_temperature", "gpu_load", "gpu_freq", "battery_current"}
STATUS = {"threads", "fds", "memory_rss"}
SUPPORTED = CPU | MEMORY | FRAMES | NET | BATTERY | DEVICE | STATUS
DEVICE_WIDE = BATTERY | DEVICE
THERMAL_CMD = ('for z in /sys/class/thermal/thermal_zone*; do echo "$(cat $z/type) $(cat $z/temp)"; done'
               " 2>/dev/null")
# read-only sysfs files; no root needed on user builds (values absent on some devices: no sample then)
DEVICE_FILES = {
    "cpu_freq": ("cat /sys/devices/system/cpu/cpu*/cpufreq/scaling_cur_freq 2>/dev/null", p.parse_cpu_freq_mhz),
    "gpu_freq": ("cat /sys/class/kgsl/kgsl-3d0/gpuclk 2>/dev/null || cat /sys/class/kgsl/kgsl-3d0/devfreq/cur_freq"
                 " 2>/dev/null || cat /sys/class/misc/mali0/device/clock 2>/dev/null", p.parse_gpu_freq_mhz),
    "battery_current": ("cat /sys/class/power_supply/battery/current_now 2>/dev/null", p.parse_current_ma),
}
GPU_CMD = ("cat /sys/class/kgsl/kgsl-3d0/gpubusy 2>/dev/null || cat /sys/class/kgsl/kgsl-3d0/gpu_busy_percentage"
           " 2>/dev/null || cat /sys/kernel/gpu/gpu_busy 2>/dev/null")


class AndroidSampler(Sampler):
    """Deltas (CPU, network, frames) keep their previous counters here. A new pid (the app restarted)
    resets the per-process baselines, so the first read after a restart gives no CPU or network sample
    instead of a spike computed across two processes, and puts a mark on the run's timeline."""

    def __init__(self, device: adbutils.AdbDevice, package: str, timeout: float = 10.0,
                 recorder: ScreenRecorder | None = None, recordings_dir: Path | None = None) -> None:
        self.device, self.package, self.timeout = device, package, timeout
        self.recorder = recorder
        self.recordings_dir = recordings_dir or Path("frame-metric-recordings") / (
            f"{device.serial}-{time.strftime('%Y%m%d-%H%M%S')}".replace(":", "_"))
        self.videos: list[Path] = []  # the screen recording's segments, once close() pulled them
        self.video_starts: list[float] = []  # host monotonic time each of `videos` began
        self._recording = False
        self.pid: int | None = None
        self._last_pid: int | None = None  # the newest pid ever seen, for "restarted: pid A -> B"
        self._reads = 0
        self._now = 0.0  # run time of the read in progress, for the marks it makes
        self._marks: list[Mark] = []
        self._warned: set[tuple[str, str]] = set()
        self._sys_base: p.CpuTotals | None = None
        self._reset_process()

    def _reset_process(self) -> None:
        self._cpu_base: tuple[p.CpuTotals, int] | None = None
        self._net_base: tuple[float, p.NetBytes] | None = None
        self._uid: int | None = None
        self._layer: str | None = None
        self._last_present = 0  # ns of the newest frame seen on this layer; 0 = no baseline yet
        self._last_frames: list[float] = []

    def metrics(self) -> set[str]:
        return set(SUPPORTED)

    def take_marks(self) -> list[Mark]:
        marks, self._marks = self._marks, []
        return marks

    def read(self, metrics: set[str], clock: RunClock) -> list[Sample]:
        if self.recorder is not None and not self._recording:  # the first read is the run's start
            self._recording = True
            self.recorder.start()
        self._now = clock.t()
        try:
            values = self._read(metrics & SUPPORTED, clock)
        except DeviceGone as exc:
            raise SamplerError(str(exc)) from exc
        finally:
            self._reads += 1
        t = clock.t()
        return [Sample(t, name, float(value)) for name, value in values.items() if value is not None]

    def close(self) -> None:
        if self.recorder is not None and self._recording:
            self._recording = False
            self.videos = self.recorder.stop(self.recordings_dir)
            self.video_starts = [started for _, started in self.recorder.pulled]
            log.info("screen recording of %s: %s", self.device.serial,
                     ", ".join(map(str, self.videos)) or "nothing could be pulled")

    # --- helpers -------------------------------------------------------------------------------------

    def _sh(self, command: str, source: str) -> str | None:
        """Output, or None when the source cannot be read now; a lost device raises DeviceGone."""
        try:
            return shell(self.device, command, timeout=self.timeout)
        except (adbutils.AdbError, OSError) as exc:
            self._unreadable(source, str(exc))
            return None

    def _unreadable(self, source: str, why: str) -> None:
        """Warn once per source and kind of failure: a sampler runs for hours, so the same failure every
        read would flood the log, but a later, different failure of the same source is news."""
        if (source, why) not in self._warned:
            self._warned.add((source, why))
            log.warning("%s on %s: %s unreadable, no samples from it (%s)", self.package, self.device.serial,
                        source, why)

    def _lookup_pid(self) -> int | None:
        out = self._sh(f"pidof {self.package}", "pid") or ""
        pid = p.parse_pid(out, self.package)
        if pid is None and "not found" in out:
            # no pidof before Android 6 (toolbox), where plain `ps` lists every process; `ps -A` is
            # what lists them all on 8+, should a ROM lack pidof there
            out = self._sh("ps", "pid") or ""
            pid = p.parse_pid(out, self.package) or p.parse_pid(self._sh("ps -A", "pid") or "", self.package)
        return pid

    def _find_pid(self) -> int | None:
        pid = self._lookup_pid()
        if pid != self.pid:
            self._pid_changed(pid)
        return pid

    def _pid_changed(self, pid: int | None) -> None:
        """A restart (or the app going, or starting late) is a mark on the timeline and a log line."""
        before = self.pid if self.pid is not None else self._last_pid
        if pid is not None and before is not None and pid != before:
            event = f"app restarted: pid {before} -> {pid}"
        elif pid is None and self.pid is not None:
            event = f"app gone: pid {self.pid} no longer running"
        elif pid is not None and self._reads > 0 and before is None:
            event = f"app started: pid {pid}"
        else:
            event = None
        if event is not None:
            log.warning("%s on %s: %s", self.package, self.device.serial, event)
            self._marks.append(Mark(self._now, event))
        self.pid = pid
        self._last_pid = pid if pid is not None else self._last_pid
        self._reset_process()

    def _process_gone(self) -> str | None:
        """Asked when a read of the app's pid gave nothing: if the pid is no longer the app's, the app
        ended or restarted between `pidof` and this read (the reason to give, not the output format)."""
        pid = self._lookup_pid()
        if pid == self.pid:
            return None
        gone = self.pid
        self._pid_changed(pid)
        return f"pid {gone} ended while it was read (" + (f"the app restarted as pid {pid})" if pid is not None
                                                           else "the app is no longer running)")

    def _read(self, wanted: set[str], clock: RunClock) -> dict[str, float | None]:
        values: dict[str, float | None] = {}
        per_app = wanted - DEVICE_WIDE  # everything else needs the app's pid
        if per_app:
            self._find_pid()  # every read: a restart between reads must not mix two processes' counters
        if "system_cpu" in wanted or wanted & CPU:
            values |= self._cpu()
        if wanted & BATTERY:
            battery = p.parse_battery(self._sh("dumpsys battery", "battery") or "")
            if battery:
                values["battery_level"], values["battery_temperature"] = battery.level, battery.temperature_c
        if "cpu_temperature" in wanted:
            values["cpu_temperature"] = p.parse_thermal(self._sh(THERMAL_CMD, "thermal zones") or "")
        if "gpu_load" in wanted:
            values["gpu_load"] = p.parse_gpu_load(self._sh(GPU_CMD, "gpu load") or "")
        for name in wanted & DEVICE_FILES.keys():
            command, parse = DEVICE_FILES[name]
            values[name] = parse(self._sh(command, name) or "")
        if per_app and self.pid is not None:
            readers = ((MEMORY, self._memory), (FRAMES, self._frames), (NET, lambda: self._net(clock.t())),
                       (STATUS, self._status))
            for group, reader in readers:
                if wanted & group and self.pid is not None:  # a read may find the app gone meanwhile
                    values |= reader()
        elif per_app:
            self._unreadable("app process", f"{self.package} is not running")
        return {name: value for name, value in values.items() if name in wanted}

    def _cpu(self) -> dict[str, float | None]:
        values: dict[str, float | None] = {}
        totals = p.parse_proc_stat(self._sh("cat /proc/stat", "/proc/stat") or "")
        if totals is None:
            return values
        if self._sys_base is not None:
            values["system_cpu"] = p.system_cpu_percent(self._sys_base, totals)
        self._sys_base = totals
        pid = self.pid
        if pid is None:
            return values
        jiffies = p.parse_pid_stat(self._sh(f"cat /proc/{pid}/stat", "/proc/<pid>/stat") or "")
        if jiffies is None:
            self._cpu_base = None
            self._unreadable("/proc/<pid>/stat", self._process_gone() or "no utime/stime in it")
            return values
        if self._cpu_base is not None:
            base_totals, base_jiffies = self._cpu_base
            d_total, d_proc = totals.total - base_totals.total, jiffies - base_jiffies
            values["app_cpu"] = p.cpu_percent(d_proc, d_total)
            values["app_cpu_per_core"] = p.cpu_percent_top(d_proc, d_total, totals.cores)
        self._cpu_base = (totals, jiffies)
        return values

    def _memory(self) -> dict[str, float | None]:
        info = p.parse_meminfo(self._sh(f"dumpsys meminfo {self.pid}", "dumpsys meminfo") or "")
        if info is None:
            self._unreadable("dumpsys meminfo", self._process_gone() or "no TOTAL PSS in its output")
            return {}
        mb = {"memory_pss": info.pss_kb, "memory_pss_java": info.java_kb, "memory_pss_native": info.native_kb,
              "memory_pss_graphics": info.graphics_kb}
        return {name: None if kb is None else kb / 1024 for name, kb in mb.items()}

    def _frames(self) -> dict[str, float | None]:
        frames = None
        if self._layer is None:
            self._layer = self._pick_layer()
        if self._layer is not None:
            frames = self._latency(self._layer)
            if frames is not None and not frames.present_ns:
                # nothing new: a still screen, or the app moved to another activity (a new layer)
                newer = self._pick_layer()
                if newer is not None and newer != self._layer:
                    log.info("%s: following layer %r", self.package, newer)
                    self._layer = newer
                    frames = self._latency(newer)
        if frames is None:  # no layer found (or an SF that refuses --latency): the app's own HWUI stats
            out = self._sh(f"dumpsys gfxinfo {self.package} framestats", "gfxinfo")
            frames = p.parse_gfxinfo_framestats(out or "", self._last_present)
        if frames is None:
            self._unreadable("frames", self._process_gone()
                             or "neither SurfaceFlinger --latency nor gfxinfo framestats gave frames")
            return {}
        times = frames.present_ns
        if not self._last_present:  # the first read is a baseline: the ring holds frames from before the run
            self._last_present = times[-1] if times else 1
            return {}
        if not times:  # nothing drawn since the last read: a still screen is 0 fps, not missing data
            return {"fps": 0.0, "jank": 0, "big_jank": 0, "stutter": 0.0}
        # the gap from the last frame of the previous read is a frame time too (a hitch across reads)
        chained = [self._last_present, *times] if self._last_present > 1 else times
        frame_ms = p.frame_times_ms(chained)
        jank = p.count_jank(frame_ms, self._last_frames)
        self._last_present, self._last_frames = times[-1], [*self._last_frames, *frame_ms][-3:]
        span_ms = sum(frame_ms)
        # fps over the chain too: (n-1)/(t_last - t_first) with t_first the previous read's last frame, so
        # a hitch falling between two reads still lowers the fps
        return {"fps": p.fps(chained) or 0.0, "frame_time": span_ms / len(frame_ms) if frame_ms else None,
                "jank": jank.jank, "big_jank": jank.big_jank,
                "stutter": 100 * jank.jank_ms / span_ms if span_ms else 0.0}

    def _pick_layer(self) -> str | None:
        return p.pick_layer(self._sh("dumpsys SurfaceFlinger --list", "SurfaceFlinger") or "", self.package)

    def _latency(self, layer: str) -> p.Frames | None:
        out = self._sh(f"dumpsys SurfaceFlinger --latency {shlex.quote(layer)}", "SurfaceFlinger")
        return p.parse_sf_latency(out or "", self._last_present)

    def _net(self, now: float) -> dict[str, float | None]:
        if self._uid is None:
            status = p.parse_status(self._sh(f"cat /proc/{self.pid}/status", "/proc/<pid>/status") or "")
            self._uid = status.uid if status else None
        counters = None
        if self._uid is not None:
            out = self._sh("cat /proc/net/xt_qtaguid/stats", "xt_qtaguid")
            counters = p.parse_qtaguid(out or "", self._uid)
        if counters is None:  # Android 10+: no qtaguid; the namespace's counters (device-wide) instead
            counters = p.parse_net_dev(self._sh(f"cat /proc/{self.pid}/net/dev", "/proc/<pid>/net/dev") or "")
        if counters is None:
            return {}
        base, self._net_base = self._net_base, (now, counters)
        if base is None or now <= base[0]:
            return {}
        dt = now - base[0]
        d_rx, d_tx = counters.rx - base[1].rx, counters.tx - base[1].tx
        if d_rx < 0 or d_tx < 0:  # counters reset (interface down/up): skip, the next delta is fine
            return {}
        return {"net_rx": d_rx / 1024 / dt, "net_tx": d_tx / 1024 / dt}

    def _status(self) -> dict[str, float | None]:
        status = p.parse_status(self._sh(f"cat /proc/{self.pid}/status", "/proc/<pid>/status") or "")
        if status is None:
            gone = self._process_gone()
            if gone is not None:
                self._unreadable("/proc/<pid>/status", gone)
                return {}
        values: dict[str, float | None] = {"threads": status.threads if status else None,
                                           "memory_rss": status.rss_kb / 1024 if status and status.rss_kb else None}
        fds = p.parse_fd_listing(self._sh(f"ls /proc/{self.pid}/fd 2>&1", "/proc/<pid>/fd") or "denied")
        if fds is None:
            self._unreadable("/proc/<pid>/fd", "not listable without root on this build")
        return values | {"fds": fds}
