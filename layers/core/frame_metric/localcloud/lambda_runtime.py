"""A local Lambda runtime: the real handlers from `functions/`, invoked in this process.

It speaks what Step Functions needs of Lambda's Invoke API: the payload in, the handler's JSON out, and
on an exception `X-Amz-Function-Error: Unhandled` with {errorType, errorMessage}, so the state
machine's Retry and Catch see the same error names as in the cloud.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import sys
import threading
import time
import traceback
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from frame_metric.localcloud.template import FunctionSpec

log = logging.getLogger(__name__)
Handler = Callable[[Any, Any], Any]


@dataclass(frozen=True)
class Invocation:
    status: int
    payload: bytes
    function_error: str | None = None
    error_type: str | None = None  # Lambda's own refusal (x-amzn-ErrorType), e.g. TooManyRequestsException


# Lambda's answer when a function has no concurrency left: the caller (Step Functions, the SQS event
# source) sees `Lambda.TooManyRequestsException` and waits; the handler never ran.
THROTTLED = Invocation(429, b'{"Type":"User","message":"Rate Exceeded.",'
                            b'"Reason":"ReservedFunctionConcurrentInvocationLimitExceeded"}',
                       error_type="TooManyRequestsException")


@dataclass
class LambdaContext:
    function_name: str
    aws_request_id: str
    invoked_function_arn: str
    memory_limit_in_mb: int = 512

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


class LocalLambdaRuntime:
    def __init__(self, functions: dict[str, FunctionSpec], arn_prefix: str, concurrency: int = 8) -> None:
        self.functions = functions
        self.arn_prefix = arn_prefix
        self._modules: dict[str, ModuleType] = {}
        self._lock = threading.Lock()
        self.concurrency = concurrency
        # One pool per code folder: the pipeline's steps (one folder) share theirs, so analysis never runs
        # more than `concurrency` threads at once in this one process, while a small function of its own
        # (sample ingest, the upload trigger) never waits in a queue behind eight segments being analysed;
        # in the cloud each function scales on its own.
        self._pools: dict[Path, ThreadPoolExecutor] = {}
        # Fault injection for tests: function name -> callable run before the handler.
        self.before_invoke: dict[str, Callable[[dict[str, Any]], None]] = {}
        # Throttling for the scale test: function name -> True refuses this invocation as Lambda does
        # when the function is out of concurrency (TooManyRequestsException, nothing run).
        self.throttle: Callable[[str], bool] | None = None
        self.throttled = 0
        self.invocations: list[str] = []
        # (function, started, ended) on time.monotonic()'s clock, the latest runs: where time goes.
        self.timeline: deque[tuple[str, float, float]] = deque(maxlen=1000)

    def arn(self, name: str) -> str:
        return f"{self.arn_prefix}{name}"

    def name_of(self, name_or_arn: str) -> str:
        # Invoke accepts a name, a full ARN, or an ARN with a version/alias qualifier.
        if name_or_arn.startswith("arn:"):
            parts = name_or_arn.split(":")
            return parts[6]
        return name_or_arn

    def module(self, name: str) -> ModuleType:
        return self._module(self.functions[name])

    def _module(self, spec: FunctionSpec) -> ModuleType:
        with self._lock:
            if spec.logical_id not in self._modules:
                path = spec.code_dir / f"{spec.module.replace('.', '/')}.py"
                module_name = f"frame_metric_local_fn.{spec.logical_id}"
                loader_spec = importlib.util.spec_from_file_location(module_name, path)
                if loader_spec is None or loader_spec.loader is None:
                    raise ImportError(f"cannot load {path}")
                module = importlib.util.module_from_spec(loader_spec)
                sys.modules[module_name] = module
                loader_spec.loader.exec_module(module)
                self._modules[spec.logical_id] = module
            return self._modules[spec.logical_id]

    def handler(self, name: str) -> Handler:
        spec = self.functions[name]
        return getattr(self._module(spec), spec.attribute)

    def invoke(self, name_or_arn: str, payload: bytes) -> Invocation:
        name = self.name_of(name_or_arn)
        if name not in self.functions:
            body = {"Type": "User", "message": f"Function not found: {name_or_arn}"}
            return Invocation(404, json.dumps(body).encode())
        spec = self.functions[name]
        if self.throttle is not None and self.throttle(name):
            with self._lock:
                self.throttled += 1
            return THROTTLED
        event = json.loads(payload or b"{}")
        context = LambdaContext(name, str(uuid.uuid4()), self.arn(name))
        self.invocations.append(name)
        future = self._pool(name).submit(self._run, name, event, context)
        try:
            result = future.result(timeout=spec.timeout)
        except FutureTimeout:
            # Like Lambda: the caller gets a timeout error; the thread cannot be killed, it finishes alone.
            error = {"errorType": "Sandbox.Timedout",
                     "errorMessage": f"Task timed out after {spec.timeout}.00 seconds"}
            return Invocation(200, json.dumps(error).encode(), "Unhandled")
        except Exception as exc:
            error = {"errorType": type(exc).__name__, "errorMessage": str(exc),
                     "stackTrace": traceback.format_exception(exc)[-6:]}
            log.info("function %s raised %s: %s", name, type(exc).__name__, exc)
            return Invocation(200, json.dumps(error).encode(), "Unhandled")
        return Invocation(200, json.dumps(result).encode())

    def invoke_event(self, name_or_arn: str, payload: bytes) -> Invocation:
        """InvocationType=Event: accepted at once (202), run in the background, retried twice on error
        like Lambda's asynchronous invocations."""
        name = self.name_of(name_or_arn)
        if name not in self.functions:
            body = {"Type": "User", "message": f"Function not found: {name_or_arn}"}
            return Invocation(404, json.dumps(body).encode())
        event = json.loads(payload or b"{}")
        self.invocations.append(name)

        def attempts() -> None:
            for attempt in range(3):
                context = LambdaContext(name, str(uuid.uuid4()), self.arn(name))
                try:
                    self._run(name, event, context)
                    return
                except Exception as exc:  # logged and retried, as Lambda does
                    log.info("async %s attempt %d raised %s: %s", name, attempt + 1, type(exc).__name__, exc)

        self._pool(name).submit(attempts)
        return Invocation(202, b"")

    def _run(self, name: str, event: Any, context: LambdaContext) -> Any:
        started = time.monotonic()
        try:
            hook = self.before_invoke.get(name)
            if hook is not None:
                hook(event)
            return self.handler(name)(event, context)
        finally:
            self.timeline.append((name, started, time.monotonic()))

    def _pool(self, name: str) -> ThreadPoolExecutor:
        folder = self.functions[name].code_dir
        with self._lock:
            if folder not in self._pools:
                self._pools[folder] = ThreadPoolExecutor(max_workers=self.concurrency,
                                                         thread_name_prefix=f"lambda-{folder.name}")
            return self._pools[folder]

    def shutdown(self) -> None:
        with self._lock:
            pools = list(self._pools.values())
        for pool in pools:
            pool.shutdown(wait=False, cancel_futures=True)
