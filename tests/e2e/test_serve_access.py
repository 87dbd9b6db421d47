"""`frame-metric serve` does not open the data to the network by accident."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest
import requests

from frame_metric.localcloud.cloud import free_port
from tests.serve_process import BIN


def test_serve_refuses_a_network_interface_without_an_api_key(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "FRAME_METRIC_API_KEY"}
    started = time.monotonic()
    result = subprocess.run([str(BIN), "serve", "--host", "0.0.0.0", "--port", str(free_port()),
                             "--data-dir", str(tmp_path)], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode != 0
    assert "refusing to listen on 0.0.0.0 without an API key" in result.stderr + result.stdout
    assert time.monotonic() - started < 30  # refused before any store started
    assert not (tmp_path / "dynamodb").exists()


KEY = "serve-access-key-93b1"


@contextlib.contextmanager
def neighbour() -> Iterator[tuple[Callable[[int], bool], str]]:
    """Another host on this machine's network: a network namespace joined by a veth pair. Yields a
    probe (may it open a TCP connection to this machine's side on that port?) and that address."""
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.skip("making a network namespace needs root and iproute2")
    name, suffix = f"fm-access-{os.getpid()}", os.getpid() % 100_000
    host_side, ns_side, net = f"fmh{suffix}", f"fmn{suffix}", f"10.231.{os.getpid() % 250}"

    def ip(*args: str) -> None:
        subprocess.run(["ip", *args], check=True, capture_output=True, text=True, timeout=30)

    ip("netns", "add", name)
    try:
        ip("link", "add", host_side, "type", "veth", "peer", "name", ns_side)
        ip("link", "set", ns_side, "netns", name)
        ip("addr", "add", f"{net}.1/30", "dev", host_side)
        ip("link", "set", host_side, "up")
        ip("netns", "exec", name, "ip", "addr", "add", f"{net}.2/30", "dev", ns_side)
        ip("netns", "exec", name, "ip", "link", "set", ns_side, "up")

        def reachable(port: int) -> bool:
            probe = (f"import socket; s = socket.socket(); s.settimeout(3); "
                     f"print(s.connect_ex(('{net}.1', {port})))")
            out = subprocess.run(["ip", "netns", "exec", name, sys.executable, "-c", probe], capture_output=True,
                                 text=True, timeout=30, check=True).stdout.strip()
            return out == "0"

        yield reachable, f"{net}.1"
    finally:
        subprocess.run(["ip", "link", "del", host_side], capture_output=True, timeout=30)
        subprocess.run(["ip", "netns", "del", name], capture_output=True, timeout=30)


def test_with_host_0000_only_the_api_is_reachable_from_the_network(tmp_path: Path) -> None:
    """serve --host 0.0.0.0 --api-key: from another host the API answers (and refuses without the key);
    DynamoDB Local, the object store and the local AWS endpoint do not answer at all."""
    port = free_port()
    serve = subprocess.Popen([str(BIN), "serve", "--host", "0.0.0.0", "--port", str(port), "--data-dir",
                              str(tmp_path), "--api-key", KEY], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert serve.stdout is not None
        ready = serve.stdout.readline()
        assert f":{port}" in ready, ready + (serve.stderr.read() if serve.poll() is not None and serve.stderr else "")
        process = psutil.Process(serve.pid)
        listening = {(conn.laddr.ip, conn.laddr.port) for member in [process, *process.children(recursive=True)]
                     for conn in member.net_connections(kind="tcp") if conn.status == psutil.CONN_LISTEN}
        others = {lport for _, lport in listening if lport != port}
        assert len(others) >= 3, listening  # front door, DynamoDB Local, object store (and more is checked too)
        for address, lport in listening:
            if lport != port:
                assert ipaddress.ip_address(address.removeprefix("::ffff:")).is_loopback, (address, lport)
        with neighbour() as (reachable, address):
            assert reachable(port)
            for lport in others:
                assert not reachable(lport), f"port {lport} answers from the network"
            refused = requests.get(f"http://{address}:{port}/api/v1/video/list", timeout=10)
            assert refused.status_code == 403
    finally:
        serve.send_signal(signal.SIGINT)
        try:
            serve.wait(timeout=60)
        finally:
            if serve.poll() is None:
                serve.kill()
