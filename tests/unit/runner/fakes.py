"""Test doubles of the runner's seams: a driver that records calls, a tiny run API over real HTTP."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from frame_metric.runner.interfaces import Driver, StepError


class FakeDriver(Driver):
    def __init__(self, fail_on: str | None = None) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.fail_on = fail_on
        self.closed = False

    def _record(self, name: str, *args: Any) -> None:
        self.calls.append((name, *args))
        if name == self.fail_on:
            raise StepError(f"{name} went wrong")

    def launch_app(self, package: str | None = None, activity: str | None = None, wait: bool = True) -> None:
        self._record("launch_app", package, activity, wait)

    def stop_app(self, package: str | None = None) -> None:
        self._record("stop_app", package)

    def tap(self, x: int | None = None, y: int | None = None, text: str | None = None,
            resource_id: str | None = None) -> None:
        self._record("tap", x, y, text, resource_id)

    def screen_size(self) -> tuple[int, int]:
        return 1080, 2400

    def swipe(self, x1: int, y1: int, x2: int, y2: int, duration_ms: int = 300) -> None:
        self._record("swipe", x1, y1, x2, y2, duration_ms)

    def input_text(self, text: str, clear: bool = False) -> None:
        self._record("input_text", text, clear)

    def key(self, key: str | int) -> None:
        self._record("key", key)

    def wait_for_text(self, text: str, timeout: float = 10.0, gone: bool = False) -> None:
        self._record("wait_for_text", text, timeout, *(["gone"] if gone else []))

    def screenshot(self, name: str) -> bytes:
        self._record("screenshot", name)
        return b"png"

    def shell(self, command: str, timeout: float = 30.0) -> str:
        self._record("shell", command)
        return f"ran {command}"

    def close(self) -> None:
        self.closed = True


class FakeRunApi:
    """The runner's endpoints of one run, over real HTTP on a given port, keeping what arrives."""

    def __init__(self, port: int, run_id: str = "r1") -> None:
        self.port, self.run_id = port, run_id
        self.batches: dict[int, dict[str, Any]] = {}
        self.order: list[int] = []
        self.status = "running"
        self.heartbeats = 0
        self.reject_with: int | None = None
        self.throttle_every = 0  # answer every n-th request 429 (an API Gateway edge over its rate)
        self.retry_after: str | None = None  # the Retry-After those 429s carry
        self.requests = 0
        self.throttled = 0
        self.server: ThreadingHTTPServer | None = None

    def start(self) -> FakeRunApi:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, code: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _throttled(self) -> bool:
                fake.requests += 1
                if not (fake.throttle_every and fake.requests % fake.throttle_every == 0):
                    return False
                fake.throttled += 1
                data = b'{"detail": "too many requests: slow down and retry"}'
                self.send_response(429)
                if fake.retry_after is not None:
                    self.send_header("Retry-After", fake.retry_after)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return True

            def do_GET(self) -> None:
                if self._throttled():
                    return None
                if self.path.endswith("/results"):
                    return self._answer(200, {"sample_count": len(fake.samples), "mark_count": 0, "metrics": {},
                                              "failures": []})
                return self._answer(200, fake.view())

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"] or 0)) or b"{}")
                if self._throttled():
                    return None
                if self.path.endswith("/finish"):
                    fake.status = "completed"
                    return self._answer(200, fake.view())
                if self.path.endswith("/heartbeat"):
                    fake.heartbeats += 1
                    return self._answer(200, {})
                if fake.reject_with:
                    return self._answer(fake.reject_with, {"detail": "refused"})
                duplicate = body["seq"] in fake.batches
                fake.batches[body["seq"]] = body
                fake.order.append(body["seq"])
                return self._answer(200, {"duplicate": duplicate})

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def view(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "status": self.status, "verdict": None, "failure_reason": None}

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    @property
    def samples(self) -> list[dict[str, Any]]:
        return [s for seq in sorted(self.batches) for s in self.batches[seq]["samples"]]
