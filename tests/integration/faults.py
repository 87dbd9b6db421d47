"""A fault-injecting HTTP proxy for the tests: put it between the handlers and a store (DynamoDB
Local, s3rver) or between the runner and the API, and real requests get real error answers or no
answer at all. Requests are forwarded unchanged (Host header included, so S3 signatures still hold)."""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from frame_metric.data import bind_models
from frame_metric.settings import get_settings, reset_settings

Match = Callable[[str, str, dict[str, str], bytes], bool]  # method, path, headers (lower-case), body


@dataclass
class Rule:
    match: Match
    times: int  # how many matching requests get the fault
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    hits: int = 0
    share: float = 1.0  # of the matching requests, the part that gets the fault (drawn at random)
    seen: int = 0  # matching requests, faulted or not


class FaultProxy:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.rules: list[Rule] = []
        self.down = False  # refuse everything (connection closed, no answer): the server is gone
        self.lock = threading.Lock()
        self.forwarded = 0
        self.random = random.Random(19)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                body = self._body()
                if proxy.down:
                    self.close_connection = True
                    self.connection.close()
                    return
                rule = proxy._take(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                if rule is not None:
                    self._answer(rule.status, {"Content-Type": "application/x-amz-json-1.0", **rule.headers},
                                 rule.body)
                    return
                hop = ("content-length", "transfer-encoding", "expect")
                headers = {k: v for k, v in self.headers.items() if k.lower() not in hop}
                upstream = requests.request(self.command, proxy.upstream + self.path, data=body, headers=headers,
                                            allow_redirects=False, timeout=120, stream=False)
                with proxy.lock:
                    proxy.forwarded += 1
                passed = {k: v for k, v in upstream.headers.items()
                          if k.lower() not in ("content-length", "transfer-encoding", "connection",
                                               "content-encoding")}
                if self.command == "HEAD" and "content-length" in upstream.headers:
                    passed["Content-Length"] = upstream.headers["content-length"]
                self._answer(upstream.status_code, passed, upstream.content)

            def _body(self) -> bytes:
                if "chunked" in (self.headers.get("transfer-encoding") or "").lower():
                    chunks = []
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass  # trailers
                            return b"".join(chunks)
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                length = int(self.headers.get("content-length") or 0)
                return self.rfile.read(length) if length else b""

            def _answer(self, status: int, headers: dict[str, str], body: bytes) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if "Content-Length" not in headers:  # a HEAD answer keeps the object's length
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="fault-proxy", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def _take(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Rule | None:
        with self.lock:
            for rule in self.rules:
                if rule.hits < rule.times and rule.match(method, path, headers, body):
                    rule.seen += 1
                    if rule.share < 1.0 and self.random.random() >= rule.share:
                        continue
                    rule.hits += 1
                    return rule
        return None

    def fail(self, match: Match, times: int, status: int, body: bytes, share: float = 1.0, **headers: str) -> Rule:
        """The next `times` matching requests get this answer; with `share` < 1 only that part of them,
        at random (seeded: a rerun draws the same), e.g. 20 % throttling."""
        rule = Rule(match, times, status, body, headers, share=share)
        with self.lock:
            self.rules.append(rule)
        return rule

    def __enter__(self) -> FaultProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def dynamodb_call(operation: str, containing: str) -> Match:
    target = f"DynamoDB_20120810.{operation}"
    return lambda method, path, headers, body: headers.get("x-amz-target") == target and containing.encode() in body


def s3_request(method: str, path_pattern: str) -> Match:
    pattern = re.compile(path_pattern)
    return lambda m, path, headers, body: m == method and pattern.search(path) is not None


THROTTLED = b'{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",' \
            b'"message":"injected: throughput exceeded"}'
SLOW_DOWN = b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code>' \
            b'<Message>injected: reduce your request rate</Message></Error>'
ACCESS_DENIED = b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code>' \
                b'<Message>injected: access denied</Message></Error>'


def any_request() -> Match:
    return lambda method, path, headers, body: True


def dynamodb_writes() -> Match:
    """Every DynamoDB write: the calls a hot partition or exhausted capacity refuses first."""
    writes = {f"DynamoDB_20120810.{op}" for op in ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems",
                                                   "BatchWriteItem")}
    return lambda method, path, headers, body: headers.get("x-amz-target") in writes


TOO_MANY_REQUESTS = b'{"message": "Too Many Requests"}'  # API Gateway's throttle (no Retry-After)


def routed_through(monkeypatch: pytest.MonkeyPatch, variable: str, upstream: str) -> Iterator[FaultProxy]:
    """A fault proxy in front of `upstream`, and every client of this process (handlers included)
    sent through it by the endpoint variable (AWS_ENDPOINT_URL_DYNAMODB, ..._S3) while it lasts."""
    with FaultProxy(upstream) as proxy:
        monkeypatch.setenv(variable, proxy.url)
        reset_settings()
        bind_models(get_settings())
        try:
            yield proxy
        finally:
            monkeypatch.undo()
            reset_settings()
            bind_models(get_settings())
