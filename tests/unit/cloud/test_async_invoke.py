"""InvocationType=Event in the local Lambda runtime: accepted at once, run in the background, retried
twice on error (as Lambda's asynchronous invocations are)."""

from __future__ import annotations

import time
from pathlib import Path

from frame_metric.localcloud.lambda_runtime import LocalLambdaRuntime
from frame_metric.localcloud.template import FunctionSpec

HANDLER = '''
import json, pathlib
def handler(event, context):
    log = pathlib.Path(event["log"])
    attempts = len(log.read_text().splitlines()) + 1 if log.exists() else 1
    log.write_text("x\\n" * attempts)
    if attempts <= event["fail_times"]:
        raise RuntimeError(f"attempt {attempts} fails")
    return {"attempts": attempts}
'''


def runtime(tmp_path: Path) -> LocalLambdaRuntime:
    (tmp_path / "fn.py").write_text(HANDLER)
    spec = FunctionSpec("Flaky", tmp_path, "fn", "handler", timeout=5, environment={})
    return LocalLambdaRuntime({"Flaky": spec}, "arn:aws:lambda:us-east-1:123456789012:function:")


def attempts_after(log: Path, expected: int) -> int:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and (not log.exists() or len(log.read_text().splitlines()) < expected):
        time.sleep(0.02)
    time.sleep(0.1)  # a further attempt, if one wrongly came, has had time to write
    return len(log.read_text().splitlines())


def test_an_event_invocation_is_accepted_at_once_and_retried_twice(tmp_path: Path) -> None:
    local = runtime(tmp_path)
    log = tmp_path / "attempts.log"
    accepted = local.invoke_event("Flaky", f'{{"log": "{log}", "fail_times": 2}}'.encode())
    assert accepted.status == 202 and accepted.payload == b""
    assert attempts_after(log, 3) == 3  # two failures, then success


def test_an_event_invocation_gives_up_after_three_attempts(tmp_path: Path) -> None:
    local = runtime(tmp_path)
    log = tmp_path / "attempts.log"
    assert local.invoke_event("Flaky", f'{{"log": "{log}", "fail_times": 9}}'.encode()).status == 202
    assert attempts_after(log, 3) == 3


def test_an_event_invocation_of_an_unknown_function_is_404(tmp_path: Path) -> None:
    assert runtime(tmp_path).invoke_event("Nope", b"{}").status == 404
