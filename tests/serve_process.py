"""`frame-metric serve` as a user runs it: a child process, its one ready line, Ctrl-C or a kill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent / "frame-metric"


class ServeProcess:
    def __init__(self, data_dir: Path, port: int, extra_args: list[str] | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.data_dir, self.port = data_dir, port
        self.extra_args, self.env = extra_args or [], env or {}
        self.process: subprocess.Popen[str] | None = None
        self.ready_line = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServeProcess:
        self.process = subprocess.Popen(
            [str(BIN), "serve", "--port", str(self.port), "--data-dir", str(self.data_dir), *self.extra_args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **self.env})
        assert self.process.stdout is not None
        self.ready_line = self.process.stdout.readline()  # one line, once ready
        if self.url not in self.ready_line:
            self.kill()
            stderr = self.process.stderr.read() if self.process.stderr else ""
            raise AssertionError(f"serve did not become ready: {self.ready_line!r} {stderr[-3000:]}")
        return self

    def interrupt(self, timeout: float = 60) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self.kill()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
