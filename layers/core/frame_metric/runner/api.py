"""The runner's side of the run API: the token-authorised calls of one run, and the task lookups the
CLI needs before a run exists. Transient failures (no answer, 5xx, 429 throttling) are told apart
from refusals, because the uploader spools the first kind and gives up on the second."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from frame_metric.backoff import backoff_delay
from frame_metric.client import ApiError, api_error, default_api_key, key_headers, unreachable

MONITOR = "/api/v1/monitor"


def transient(exc: ApiError) -> bool:
    """No answer at all (status 0), throttled (429) or a server-side error: worth retrying later."""
    return exc.status in (0, 429) or exc.status >= 500


@dataclass
class MonitorApi:
    base_url: str
    timeout: float = 10.0
    token: str | None = None
    session: requests.Session = field(default_factory=requests.Session, repr=False)
    api_key: str | None = field(default_factory=default_api_key, repr=False)
    # A throttled call is asked again this many times with jittered backoff (honouring Retry-After):
    # a 429 (API Gateway refused it before the API saw it, so asking again cannot do anything twice),
    # and a 503 (the API's store was throttled) for calls that are safe to repeat: every run action
    # answers a repeat with the state it reached. Not creating a run: a 503 may come after the run was
    # stored. The uploader's batches and heartbeats are not asked again here: the spool and the next
    # heartbeat are their retry.
    throttle_retries: int = 6
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")

    def call(self, method: str, path: str, body: Any = None, auth: bool = False, timeout: float | None = None,
             params: dict[str, Any] | None = None, retry_throttled: bool = True, repeatable: bool = True) -> Any:
        attempt = 0
        while True:
            try:
                return self._call_once(method, path, body, auth, timeout, params)
            except ApiError as exc:
                throttled = exc.status == 429 or (exc.status == 503 and repeatable)
                if not (retry_throttled and throttled and attempt < self.throttle_retries):
                    raise
                self.sleep(backoff_delay(attempt, retry_after=exc.retry_after))
                attempt += 1

    def _call_once(self, method: str, path: str, body: Any, auth: bool, timeout: float | None,
                   params: dict[str, Any] | None) -> Any:
        headers = {"Content-Type": "application/json", **key_headers(self.api_key)}
        if auth and self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = json.dumps(body) if body is not None else None
        try:
            response = self.session.request(method, f"{self.base_url}{MONITOR}{path}", data=data, headers=headers,
                                            params=params, timeout=timeout or self.timeout)
        except requests.RequestException as exc:
            raise ApiError(0, unreachable(self.base_url, exc)) from None
        finally:
            # A fresh connection per request: after a server restart no stale keep-alive connection
            # turns the first call into a spurious failure. At a few requests a second it costs nothing.
            self.session.close()
        if response.status_code >= 400:
            raise api_error(response)
        return response.json() if response.content else {}

    # -- configuration -------------------------------------------------------------------------

    def task(self, task_id: str) -> dict[str, Any]:
        return self.call("GET", f"/tasks/{task_id}")

    def script(self, script_id: str, version: int | None) -> dict[str, Any]:
        return self.call("GET", f"/scripts/{script_id}", params={"version": version} if version else None)

    # -- one run -------------------------------------------------------------------------------

    def create_run(self, task_id: str, created_by: str | None = None) -> dict[str, Any]:
        created = self.call("POST", f"/tasks/{task_id}/runs", {"created_by": created_by} if created_by else {},
                            repeatable=False)
        self.token = created["run_token"]
        return created

    def start(self, run_id: str, clock_origin: float) -> dict[str, Any]:
        return self.call("POST", f"/runs/{run_id}/start", {"clock_origin": clock_origin}, auth=True)

    def heartbeat(self, run_id: str) -> dict[str, Any]:
        return self.call("POST", f"/runs/{run_id}/heartbeat", {}, auth=True, retry_throttled=False)

    def send_batch(self, run_id: str, batch: dict[str, Any]) -> dict[str, Any]:
        return self.call("POST", f"/runs/{run_id}/samples", batch, auth=True, retry_throttled=False)

    def finish(self, run_id: str) -> dict[str, Any]:
        return self.call("POST", f"/runs/{run_id}/finish", {}, auth=True, timeout=120)

    def fail(self, run_id: str, reason: str) -> dict[str, Any]:
        return self.call("POST", f"/runs/{run_id}/fail", {"reason": reason[:2000]}, auth=True)

    def run(self, run_id: str) -> dict[str, Any]:
        return self.call("GET", f"/runs/{run_id}")

    def results(self, run_id: str) -> dict[str, Any]:
        return self.call("GET", f"/runs/{run_id}/results", timeout=120)
