"""Screen recording during a run with `adb shell screenrecord`, in segments.

screenrecord stops by itself at 180 s, so each segment asks for less (`--time-limit`) and a thread
starts the next one as soon as the previous ends. The shell prints its pid and then `exec`s
screenrecord, so stopping sends SIGINT to exactly that process (SIGINT lets screenrecord finish the
MP4; closing the adb stream would kill it with a truncated file). Segments are pulled at stop over
the sync protocol and removed from the device."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import adbutils

from frame_metric.runner.android.adb import shell

log = logging.getLogger(__name__)

SEGMENT_SECONDS = 170  # under screenrecord's 180 s ceiling, with room for the restart


class ScreenRecorder:
    def __init__(self, device: adbutils.AdbDevice, segment_seconds: int = SEGMENT_SECONDS,
                 remote_dir: str = "/sdcard", name: str = "frame-metric") -> None:
        self.device, self.segment_seconds = device, segment_seconds
        self.remote_prefix = f"{remote_dir.rstrip('/')}/{name}-{int(time.time())}"
        self.segments: list[str] = []
        # host time.monotonic() at which each segment began (its pid line arrived): the offset of the
        # segment on the run's timeline. screenrecord's own encoder start-up (tens of ms) is not in it.
        self.started: dict[str, float] = {}
        self.pulled: list[tuple[Path, float]] = []  # after stop(): (local file, start) in order
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._thread: threading.Thread | None = None
        self.error: str | None = None

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the recorder is already running")
        self._thread = threading.Thread(target=self._loop, name="screenrecord", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            remote = f"{self.remote_prefix}-{len(self.segments):03d}.mp4"
            try:
                stream = self.device.shell(f"echo $$; exec screenrecord --time-limit {self.segment_seconds} {remote}",
                                           stream=True)
            except (adbutils.AdbError, OSError) as exc:
                self.error = f"screenrecord could not start: {exc}"
                log.warning(self.error)
                return
            with stream:
                first = stream.conn.recv(64).decode(errors="replace").split()
                with self._lock:
                    self.started[remote] = time.monotonic()
                    self.segments.append(remote)
                    self._pid = int(first[0]) if first and first[0].isdigit() else None
                if self._stop.is_set():  # stop() ran while this segment was starting
                    self._interrupt()
                stream.read_until_close()  # returns when the segment ends (time limit or SIGINT)
            with self._lock:
                self._pid = None

    def _interrupt(self) -> None:
        with self._lock:
            pid = self._pid
        if pid is not None:
            try:
                shell(self.device, f"kill -2 {pid}", timeout=10)
            except Exception as exc:  # the device may be gone; whatever was recorded is still wanted
                log.warning("could not stop screenrecord: %s", exc)

    def stop(self, local_dir: Path, timeout: float = 15.0) -> list[Path]:
        """Stops recording, pulls the segments into local_dir and removes them from the device.
        Returns the local files in recording order (segments that could not be pulled are skipped)."""
        self._stop.set()
        self._interrupt()
        if self._thread is not None:
            self._thread.join(timeout)
        local_dir.mkdir(parents=True, exist_ok=True)
        paths: list[Path] = []
        for remote in self.segments:
            local = local_dir / Path(remote).name
            try:
                if self.device.sync.pull_file(remote, local) > 0:
                    paths.append(local)
                    self.pulled.append((local, self.started[remote]))
                shell(self.device, f"rm -f {remote}", timeout=10)
            except Exception as exc:  # one lost segment must not lose the others
                log.warning("could not pull %s: %s", remote, exc)
                local.unlink(missing_ok=True)
        return paths
