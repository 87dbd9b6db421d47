"""A fake adb server on 127.0.0.1 speaking the host protocol exactly as adbutils 2.12 sends it:
4-hex-length requests, OKAY/FAIL replies, `host:version`, `host:devices[-l]`, `host:tport:serial:<s>`
(OKAY + 8-byte transport id) / `host:transport:<s>`, `host-serial:<s>:get-state`, then `shell:<cmd>`
(output until close) and `sync:` RECV for pulls. Shell output comes from a `Phone` whose counters
advance with (fake) time, so the Android sampler, driver and recorder can run end to end."""

from __future__ import annotations

import re
import shlex
import socket
import struct
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

EXIT_MARK = "; echo X4EXIT:$?"  # adbutils' shell2 (v1) appends this to learn the exit code
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


GFX_HEADER_ANDROID9 = ("Flags,IntendedVsync,Vsync,OldestInputEvent,NewestInputEvent,HandleInputStart,AnimationStart,"
                       "PerformTraversalsStart,DrawStart,SyncQueued,SyncStart,IssueDrawCommandsStart,SwapBuffers,"
                       "FrameCompleted,DequeueBufferDuration,QueueBufferDuration")
GFX_HEADER_ANDROID12 = ("Flags,FrameTimelineVsyncId,IntendedVsync,Vsync,InputEventId,HandleInputStart,AnimationStart,"
                        "PerformTraversalsStart,DrawStart,FrameDeadline,SyncQueued,SyncStart,IssueDrawCommandsStart,"
                        "SwapBuffers,FrameCompleted,DequeueBufferDuration,QueueBufferDuration,GpuCompleted,"
                        "SwapBuffersCompleted,DisplayPresentTime")


def screen_recording(inputs: list[tuple[float, str]], seconds: float, size: tuple[int, int] = (1080, 2400),
                     touches: str = "show_taps") -> bytes:
    """An MP4 of the synthetic list app (samples/interactions.py) answering these `input` commands,
    each at its time (seconds from the recording's start): taps open a sheet 150 ms later, swipes
    scroll the list. Coordinates are the phone's pixels (`size`). touches: what the phone draws where
    the finger is: "show_taps", "pointer_location" or "none"."""
    from frame_metric.samples.interactions import Interaction, generate_interactions

    def frac(value: str, full: int) -> float:
        return min(max(float(value) / full, 0.05), 0.95)

    script = []
    for at, cmd in inputs:
        words = cmd.split()
        if words[:2] == ["input", "tap"] and len(words) == 4:
            script.append(Interaction(at, "tap", response=0.15, finish=0.4, x=frac(words[2], size[0]),
                                      y=frac(words[3], size[1])))
        elif words[:2] == ["input", "swipe"] and len(words) >= 6:
            y1, y2 = frac(words[3], size[1]), frac(words[5], size[1])
            seconds_down = int(words[6]) / 1000 if len(words) > 6 else 0.3
            script.append(Interaction(at, "swipe", response=0.05, finish=0.5, x=frac(words[2], size[0]), y=y1,
                                      swipe_seconds=max(seconds_down, 0.05), swipe_distance=y1 - y2))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "screen.mp4"
        generate_interactions(path, script, seconds=max(seconds, 0.2), show_taps=touches == "show_taps",
                              pointer_location=touches == "pointer_location")
        return path.read_bytes()


@dataclass
class Phone:
    """Scripted device state. Counters advance by wall time since `start`, like a busy app at 25% of
    one core on 8 cores, 60 fps with a 150 ms hitch every 2 s."""

    serial: str = "emulator-5554"
    package: str = "com.example.app"
    pid: int | None = 4242
    uid: int = 10123
    cores: int = 8
    connected: bool = True
    qtaguid: bool = True
    activity: str = "MainActivity"  # the foreground activity; its window is the app's SurfaceFlinger layer
    sf_layer: bool = True  # False: SurfaceFlinger does not list the app (the sampler falls back to gfxinfo)
    start: float = field(default_factory=time.monotonic)
    commands: list[str] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    screen_xml: str = ""
    has_pidof: bool = True  # False: Android 5 (toolbox), where plain `ps` lists every process
    ui_busy: bool = False  # uiautomator cannot dump while the screen animates
    recordings: dict[int, threading.Event] = field(default_factory=dict)
    # True: screenrecord writes a real recording of an app answering the `input` commands it received
    # meanwhile, with the touches drawn as `screen_touches` says (see screen_recording); False: a stub MP4 header.
    screen_app: bool = False
    screen_touches: str = "show_taps"
    inputs: list[tuple[float, str]] = field(default_factory=list)  # (monotonic time, `input ...` command)
    lock: threading.Lock = field(default_factory=threading.Lock)
    pid_start: float = 0.0
    # set: the phone's clock stands at this many seconds (a test moves it), instead of following wall time
    clock_s: float | None = None
    # set: the app presents exactly these frames (ns on the phone's clock), instead of 60 fps with hitches
    frames_ns: list[int] | None = None
    gfx_header: str = GFX_HEADER_ANDROID9
    vanish_after_pidof: bool = False  # the app dies right after the next `pidof` answers

    def elapsed(self) -> float:
        return self.clock_s if self.clock_s is not None else time.monotonic() - self.start

    def restart_app(self, new_pid: int) -> None:
        self.pid, self.pid_start = new_pid, self.elapsed()

    # --- outputs ---------------------------------------------------------------------------------

    def proc_stat(self) -> str:
        jiffies = int(self.elapsed() * 100 * self.cores)  # 100 Hz per core
        busy = jiffies // 2  # device at 50%
        lines = [f"cpu  {busy} 0 0 {jiffies - busy} 0 0 0 0 0 0"]
        lines += [f"cpu{i} 1 0 0 1 0 0 0 0 0 0" for i in range(self.cores)]
        lines += ["intr 1 2 3", "ctxt 123", "btime 1700000000", "processes 999"]
        return "\n".join(lines) + "\n"

    def pid_stat(self) -> str:
        ticks = int((self.elapsed() - self.pid_start) * 100 * 0.25)  # 25% of one core since launch
        utime, stime = ticks * 3 // 4, ticks - ticks * 3 // 4
        rest = " ".join(["0"] * 30)
        return (f"{self.pid} (pool (x) 1) S 600 600 0 0 -1 1077952832 100 0 0 0 "
                f"{utime} {stime} 0 0 20 0 42 0 {rest}\n")

    def sf_latency(self) -> str:
        """The last 127 presented frames at 60 fps, oldest first, with a gap (a hitch of ~166 ms)
        from 1.00 to 1.15 s of every 2 s; then a frame whose fence is still pending (INT64_MAX)."""
        frame, now_ns = 16_666_667, int(self.elapsed() * 1e9)
        rows: list[str] = []
        if self.frames_ns is not None:
            rows = [f"{t - 5000}\t{t}\t{t - 9000}" for t in self.frames_ns if t <= now_ns][-127:]
        n = now_ns // frame
        while self.frames_ns is None and n >= 0 and len(rows) < 127:
            t = n * frame + 1  # +1: present time 0 means "empty slot"
            if not 1_000_000_000 <= t % 2_000_000_000 < 1_150_000_000:
                rows.append(f"{t - 5000}\t{t}\t{t - 9000}")
            n -= 1
        if self.frames_ns is None:
            rows.reverse()
        rows = ["0\t0\t0"] * (127 - len(rows)) + rows
        pending = 2**63 - 1
        return "16666667\n" + "\n".join(rows) + f"\n{pending}\t{pending}\t{pending}\n\n"

    def layer(self) -> str:
        return f"{self.package}/{self.package}.{self.activity}#1"

    def sf_list(self) -> str:
        if not self.sf_layer:
            return "StatusBar#0\n"
        return SF_LIST.replace("com.example.app/com.example.app.MainActivity#1", self.layer())

    def gfxinfo(self) -> str:
        """framestats under `gfx_header` (filled by column name): the last 120 frames of HWUI, 30 fps,
        FrameCompleted 8 ms after IntendedVsync."""
        if self.pid is None:
            return f"No process found for: {self.package}\n"
        frame, now_ns = 33_333_333, int(self.elapsed() * 1e9)
        newest = now_ns // frame
        columns = self.gfx_header.split(",")
        special = {"Flags": 0, "FrameTimelineVsyncId": -1, "OldestInputEvent": 2**63 - 1, "NewestInputEvent": 0,
                   "InputEventId": 0, "DequeueBufferDuration": 0, "QueueBufferDuration": 0, "DisplayPresentTime": -1}
        rows = []
        for n in range(max(0, newest - 119), newest + 1):
            start = n * frame
            cells = {name: special.get(name, start + 1) for name in columns}
            cells.update(IntendedVsync=start, Vsync=start, FrameCompleted=start + 8_000_000)
            rows.append(",".join(str(cells[name]) for name in columns) + ",")
        return (f"** Graphics info for pid {self.pid} [{self.package}] **\n\n---PROFILEDATA---\n"
                f"{self.gfx_header},\n" + "\n".join(rows) + "\n---PROFILEDATA---\n")

    def net(self) -> str:
        rx, tx = int(self.elapsed() * 102_400), int(self.elapsed() * 10_240)  # 100 KB/s, 10 KB/s
        return ("idx iface acct_tag_hex uid_tag_int cnt_set rx_bytes rx_packets tx_bytes tx_packets\n"
                f"2 wlan0 0x0 {self.uid} 0 {rx} 10 {tx} 5\n"
                f"3 wlan0 0x7fff {self.uid} 0 {rx} 10 {tx} 5\n"
                f"4 wlan0 0x0 1000 0 999 1 999 1\n")

    def meminfo(self, pid: str) -> str:
        return MEMINFO_Q.replace("PID_HERE", pid) if pid == str(self.pid) else f"No process found for: {pid}\n"

    def _vanish(self, answer: tuple[str, int]) -> tuple[str, int]:
        """`pidof` answered; with vanish_after_pidof the app ends right after (a race the sampler must name)."""
        if self.vanish_after_pidof:
            self.vanish_after_pidof, self.pid = False, None
        return answer

    def run(self, cmd: str) -> tuple[str | bytes, int]:
        """The output and exit code of one shell command."""
        pid = str(self.pid)
        table: list[tuple[str, Callable[[re.Match[str]], str | bytes | tuple[str, int]]]] = [
            (r"pidof (\S+)", lambda m: ("/system/bin/sh: pidof: not found", 127) if not self.has_pidof else
             self._vanish((pid, 0)) if self.pid and m[1] == self.package else ("", 1)),
            (r"ps", lambda m: "USER     PID   PPID  VSIZE  RSS     WCHAN    PC         NAME\n"
             f"u0_a88    {pid}   201   1634532 128712 ffffffff 00000000 S {self.package}\n"),
            (r"cat /proc/stat", lambda m: self.proc_stat()),
            (r"cat /proc/(\d+)/stat", lambda m: self.pid_stat() if m[1] == pid else
             (f"cat: /proc/{m[1]}/stat: No such file or directory", 1)),
            (r"cat /proc/(\d+)/status", lambda m: f"Name:\tcom.example.app\nUid:\t{self.uid}\t{self.uid}\t"
             f"{self.uid}\t{self.uid}\nVmRSS:\t  204800 kB\nThreads:\t57\n" if m[1] == pid else ("No such file", 1)),
            (r"ls /proc/(\d+)/fd.*", lambda m: "\n".join(str(i) for i in range(120))),
            (r"cat /proc/net/xt_qtaguid/stats", lambda m: self.net() if self.qtaguid else
             ("cat: /proc/net/xt_qtaguid/stats: No such file or directory", 1)),
            (r"dumpsys meminfo (\d+)", lambda m: self.meminfo(m[1])),
            (r"dumpsys SurfaceFlinger --list", lambda m: self.sf_list()),
            (r"dumpsys gfxinfo (\S+) framestats", lambda m: self.gfxinfo()),
            (r"dumpsys SurfaceFlinger --latency (.*)", lambda m: self.sf_latency() if shlex.split(m[1])
             == [self.layer()] else "16666667\n"),  # an unknown layer: the refresh period only (Android 10+)
            (r"dumpsys battery", lambda m: BATTERY),
            (r"for z in /sys/class/thermal/.*", lambda m: "battery 31000\ncpu-0-0-usr 45500\ncpu-1-0-usr 52000\n"),
            (r"cat /sys/class/kgsl/kgsl-3d0/gpubusy.*", lambda m: "  1200  4800\n"),
            (r"cat /sys/devices/system/cpu/cpu\*/cpufreq/scaling_cur_freq.*", lambda m: "1804800\n1804800\n2841600\n"),
            (r"cat /sys/class/kgsl/kgsl-3d0/gpuclk.*", lambda m: "585000000\n"),
            (r"cat /sys/class/power_supply/battery/current_now.*", lambda m: "-412345\n"),
            (r"wm size", lambda m: "Physical size: 1080x2400\nOverride size: 720x1600\n"),
            (r"rm -f /sdcard/window_dump.xml; uiautomator dump .*", lambda m: "ERROR: could not get idle state.\n"
             if self.ui_busy else "UI hierchary dumped to: /sdcard/window_dump.xml\n"),
            (r"cat /sdcard/window_dump.xml", lambda m: self.screen_xml or "<hierarchy/>"),
            (r"screencap -p", lambda m: b"\x89PNG\r\n\x1a\n" + b"\x00" * 16),
            (r"am start .*|monkey .*|am force-stop .*|input .*|rm -f .*|kill -2 .*", lambda m: ""),
            (r"sleep (\d+)", lambda m: time.sleep(int(m[1])) or ""),
        ]
        for pattern, make in table:
            match = re.fullmatch(pattern, cmd.strip())
            if match:
                out = make(match)
                return out if isinstance(out, tuple) else (out, 0)
        return f"/system/bin/sh: {cmd.split()[0]}: not found", 127


SF_LIST = """Display 0 HWC layer
StatusBar#0
NavigationBar0#0
ActivityRecord{1a2b3c u0 com.example.app/.MainActivity t12}#88
com.example.app/com.example.app.MainActivity#0
com.example.app/com.example.app.MainActivity#1
Background for SurfaceView[com.example.app/com.example.app.MainActivity]#2
"""

BATTERY = """Current Battery Service state:
  AC powered: false
  USB powered: true
  Wireless powered: false
  status: 2
  health: 2
  present: true
  level: 87
  scale: 100
  voltage: 4213
  temperature: 312
  technology: Li-ion
"""

MEMINFO_Q = """Applications Memory Usage (in Kilobytes):
Uptime: 123456 Realtime: 123456

** MEMINFO in pid PID_HERE [com.example.app] **
                   Pss  Private  Private  SwapPss     Heap     Heap     Heap
                 Total    Dirty    Clean    Dirty     Size    Alloc     Free
                ------   ------   ------   ------   ------   ------   ------
  Native Heap    21034    20992        0        0    36864    28672     8191
  Dalvik Heap     8452     8388        0        0    15329     7665     7664
        TOTAL   102400    60000    20000        0    52193    36337    15855

 App Summary
                       Pss(KB)
                        ------
           Java Heap:    12000
         Native Heap:    20992
                Code:    15000
               Stack:      900
            Graphics:    30720
       Private Other:     1000
              System:    22788

               TOTAL:   102400       TOTAL SWAP PSS:        0
"""


class FakeAdbServer:
    """Serves one `Phone` on a free port until `close()`."""

    def __init__(self, phone: Phone) -> None:
        self.phone = phone
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.port: int = self._sock.getsockname()[1]
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._stop.set()
        self._sock.close()
        for event in list(self.phone.recordings.values()):
            event.set()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    # --- protocol ------------------------------------------------------------------------------------

    @staticmethod
    def _read_request(conn: socket.socket) -> str:
        size = int(_recv_exact(conn, 4), 16)
        return _recv_exact(conn, size).decode()

    @staticmethod
    def _okay(conn: socket.socket, payload: str | None = None) -> None:
        data = b"OKAY" if payload is None else b"OKAY" + f"{len(payload):04x}{payload}".encode()
        conn.sendall(data)

    @staticmethod
    def _fail(conn: socket.socket, message: str) -> None:
        conn.sendall(b"FAIL" + f"{len(message):04x}{message}".encode())

    def _serve(self, conn: socket.socket) -> None:
        phone = self.phone
        try:
            with conn:
                while True:
                    request = self._read_request(conn)
                    if request == "host:version":
                        return self._okay(conn, "0029")
                    if request in ("host:devices", "host:devices-l"):
                        line = f"{phone.serial}\tdevice" + (" product:sdk model:Pixel_7" if "-l" in request else "")
                        return self._okay(conn, line + "\n" if phone.connected else "")
                    serial = _transport_serial(request)
                    if serial is not None:
                        if serial != phone.serial or not phone.connected:
                            return self._fail(conn, f"device '{serial}' not found")
                        if request.startswith("host-serial:") and request.endswith(":get-state"):
                            return self._okay(conn, "device")
                        conn.sendall(b"OKAY" + (struct.pack("<Q", 1) if "tport" in request else b""))
                        continue  # the service request follows on the same socket
                    if request.startswith("shell:"):
                        return self._shell(conn, request[len("shell:"):])
                    if request == "sync:":
                        return self._sync(conn)
                    return self._fail(conn, f"unknown request {request}")
        except (OSError, ValueError):
            return None

    def _shell(self, conn: socket.socket, cmd: str) -> None:
        phone = self.phone
        with phone.lock:
            phone.commands.append(cmd)
            if cmd.startswith("input "):
                phone.inputs.append((time.monotonic(), cmd.removesuffix(EXIT_MARK)))
        want_exit = cmd.endswith(EXIT_MARK)
        cmd = cmd.removesuffix(EXIT_MARK)
        conn.sendall(b"OKAY")
        record = re.fullmatch(r"echo \$\$; exec screenrecord --time-limit (\d+) (\S+)", cmd)
        if record:
            return self._screenrecord(conn, int(record[1]), record[2])
        kill = re.fullmatch(r"kill -2 (\d+)", cmd)
        if kill and int(kill[1]) in phone.recordings:
            phone.recordings[int(kill[1])].set()
        if not phone.connected:
            return None  # the device vanished mid-command: the stream just closes
        out, code = phone.run(cmd)
        data = out if isinstance(out, bytes) else out.encode()
        if want_exit:
            data += f"X4EXIT:{code}".encode()
        conn.sendall(data)

    def _screenrecord(self, conn: socket.socket, limit: int, path: str) -> None:
        """Prints its pid, then "records" until SIGINT (kill -2) or the time limit, then writes a file."""
        phone = self.phone
        with phone.lock:
            pid = 7000 + len(phone.recordings)
            stop = phone.recordings[pid] = threading.Event()
        conn.sendall(f"{pid}\n".encode())
        began = time.monotonic()
        stop.wait(limit)
        ended = time.monotonic()
        with phone.lock:
            inputs = [(t - began, cmd) for t, cmd in phone.inputs if began <= t < ended]
        phone.files[path] = (screen_recording(inputs, ended - began, touches=phone.screen_touches)
                             if phone.screen_app else MP4)

    def _sync(self, conn: socket.socket) -> None:
        conn.sendall(b"OKAY")
        cmd = _recv_exact(conn, 4).decode()
        (size,) = struct.unpack("<I", _recv_exact(conn, 4))
        path = _recv_exact(conn, size).decode()
        data = self.phone.files.get(path) if cmd == "RECV" else None
        if data is None:
            message = b"No such file or directory"
            conn.sendall(b"FAIL" + struct.pack("<I", len(message)) + message)
            return
        for i in range(0, len(data), 64):  # several DATA chunks, as a real pull sends
            chunk = data[i:i + 64]
            conn.sendall(b"DATA" + struct.pack("<I", len(chunk)) + chunk)
        conn.sendall(b"DONE" + struct.pack("<I", 0))


def _transport_serial(request: str) -> str | None:
    for prefix in ("host:tport:serial:", "host:transport:"):
        if request.startswith(prefix):
            return request[len(prefix):]
    if request.startswith("host-serial:"):
        return request.split(":")[1]
    return None


def _recv_exact(conn: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise OSError("closed")
        data += chunk
    return data
