"""Access over real HTTP: with an API key set the local API refuses every call without it, as API
Gateway's usage plan does, while sample ingest takes its run token only; the CLI, the client and the
runner's API send the key; and no key or token ever shows in an answer or a log line."""

from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import Iterator

import pytest
import requests

from frame_metric.client import FrameMetricClient
from frame_metric.localcloud.cloud import LocalCloud
from frame_metric.runner.api import MonitorApi
from tests.integration.test_monitor_runs import auth, batch, new_run, send, task  # noqa: F401 (fixture)
from tests.serve_process import BIN

KEY = "local-test-key-4f0c9d2e7a"


@pytest.fixture
def closed(cloud: LocalCloud) -> Iterator[LocalCloud]:
    cloud.api_key = KEY
    try:
        yield cloud
    finally:
        cloud.api_key = None


def test_without_the_key_every_route_is_refused(closed: LocalCloud) -> None:
    base = closed.api_url
    for method, path in [("GET", "/health"), ("GET", "/api/v1/video/list"), ("POST", "/api/v1/video/upload-url"),
                         ("GET", "/api/v1/monitor/tasks"), ("GET", "/openapi.json"), ("DELETE", "/api/v1/x")]:
        for headers in ({}, {"x-api-key": "wrong"}, {"x-api-key": KEY[:-1]}):
            response = requests.request(method, f"{base}{path}", headers=headers, json={}, timeout=10)
            assert response.status_code == 403, (method, path, headers)
            assert response.json() == {"detail": "a valid API key is needed: send it in the x-api-key header"}
    assert requests.get(f"{base}/api/v1/video/list", headers={"x-api-key": KEY}, timeout=10).status_code == 200
    # A browser's preflight carries no key and is not refused for it.
    assert requests.options(f"{base}/api/v1/video/list", timeout=10).status_code != 403


def test_ingest_needs_its_run_token_and_no_key(closed: LocalCloud, task: str) -> None:  # noqa: F811
    api = f"{closed.api_url}/api/v1"
    created = requests.post(f"{api}/monitor/tasks/{task}/runs", json={}, headers={"x-api-key": KEY}, timeout=10)
    run_id, token = created.json()["run_id"], created.json()["run_token"]
    started = requests.post(f"{api}/monitor/runs/{run_id}/start", headers={**auth(token), "x-api-key": KEY},
                            timeout=10)
    assert started.status_code == 200
    assert send(api, run_id, token, batch(0)).status_code == 200  # no key, the token: stored
    assert send(api, run_id, None, batch(1)).status_code == 401
    assert send(api, run_id, "not-the-token", batch(1)).status_code == 403
    assert send(api, run_id, KEY, batch(1)).status_code == 403  # the API key is no run token
    # The other runner actions are API routes: they need the key as well as the token.
    assert requests.post(f"{api}/monitor/runs/{run_id}/heartbeat", headers=auth(token), timeout=10).status_code == 403


def test_clients_send_the_key_from_the_environment(closed: LocalCloud, task: str,  # noqa: F811
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(Exception, match="403"):
        FrameMetricClient(closed.api_url, api_key=None).list()
    monkeypatch.setenv("FRAME_METRIC_API_KEY", KEY)
    assert isinstance(FrameMetricClient(closed.api_url).list(), list)
    runner = MonitorApi(closed.api_url)
    assert runner.task(task)["task_id"] == task
    keyless = {k: v for k, v in os.environ.items() if k != "FRAME_METRIC_API_KEY"}
    cli = subprocess.run([str(BIN), "list", "--api", closed.api_url], capture_output=True, text=True, timeout=60,
                         env=keyless)
    assert cli.returncode != 0 and "API key" in cli.stdout + cli.stderr
    cli = subprocess.run([str(BIN), "--api-key", KEY, "list", "--api", closed.api_url], capture_output=True,
                         text=True, timeout=60, env=keyless)
    assert cli.returncode == 0, cli.stdout + cli.stderr


def test_no_token_or_key_in_answers_or_logs(closed: LocalCloud, task: str,  # noqa: F811
                                            caplog: pytest.LogCaptureFixture) -> None:
    """Every refusal and failure a runner or an intruder can cause, with the secrets in play; then the
    answers and every log line of the process are searched for them."""
    api = f"{closed.api_url}/api/v1"
    key = {"x-api-key": KEY}
    caplog.set_level(logging.DEBUG)
    answers: list[requests.Response] = []
    created = requests.post(f"{api}/monitor/tasks/{task}/runs", json={}, headers=key, timeout=10)
    run_id, token = created.json()["run_id"], created.json()["run_token"]
    for headers in ({**key, **auth(token)}, {**key, **auth(token + "x")}, {**key, **auth(KEY)},
                    {"x-api-key": token}, {"x-api-key": KEY + "x", **auth(token)}):
        for action in ("start", "heartbeat", "finish", "cancel"):
            answers.append(requests.post(f"{api}/monitor/runs/{run_id}/{action}", headers=headers, timeout=10))
        answers.append(requests.post(f"{api}/monitor/runs/{run_id}/fail", headers=headers,
                                     json={"reason": "x" * 5000}, timeout=10))
        answers.append(send(api, run_id, headers.get("Authorization", "").removeprefix("Bearer "), batch(0)))
        answers.append(send(api, run_id, token, None, raw=b"{not json"))
        answers.append(requests.get(f"{api}/monitor/runs/{run_id}", headers=headers, timeout=10))
    assert {a.status_code for a in answers} >= {200, 400, 401, 403, 409}
    assert all(a.status_code < 500 for a in answers), [(a.status_code, a.text) for a in answers if a.status_code >= 500]
    bodies = "\n".join(a.text + str(a.headers) for a in answers)
    logs = "\n".join(record.getMessage() + str(record.exc_text or "") for record in caplog.records)
    for secret in (token, KEY):
        assert secret not in bodies
        assert secret not in logs
    assert logs  # the scan read something
