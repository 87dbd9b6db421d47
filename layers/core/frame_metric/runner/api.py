"""The runner's side of the run API: the token-authorised calls of one run, and the task lookups the
CLI needs before a run exists. Transient failures (no answer, 5xx) are told apart from refusals,
because the uploader spools the first kind and gives up on the second."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import requests

from frame_metric.client import ApiError, api_error, default_api_key, key_headers, unreachable

MONITOR = "/api/v1/monitor"


def transient(exc: ApiError) -> bool:
    """No answer at all (status 0) or a server-side error: worth retrying later."""
    return exc.status == 0 or exc.status >= 500


@dataclass
class MonitorApi:
    base_url: str
    timeout: float = 10.0
    token: str | None = None
    session: requests.Session = field(default_factory=requests.Session, repr=False)
    api_key: str | None = field(default_factory=default_api_key, repr=False)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")

    def call(self, method: str, path: str, body: Any = None, auth: bool = False, timeout: float | None = None,
             params: dict[str, Any] | None = None) -> Any:
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
        created = self.call("POST", f"/tasks/{task_id}/runs", {"created_by": created_by} if created_by else {})
        self.token = created["run_token"]
        return created

    def start(self, run_id: str, clock_origin: float) -> dict[str, Any]:
        return self.call("POST", f"/runs/{run_id}/start", {"clock_origin": clock_origin}, auth=True)

    def heartbeat(self, run_id: str) -> dict[str, Any]:
        return self.call("POST", f"/runs/{run_id}/heartbeat", {}, auth=True)

    def send_batch(self, run_id: str, batch: dict[str, Any]) -> dict[str, Any]:
        return self.call("POST", f"/runs/{run_id}/samples", batch, auth=True)

    def finish(self, run_id: str) -> dict[str, Any]:
        return self.call("POST", f"/runs/{run_id}/finish", {}, auth=True, timeout=120)

    def fail(self, run_id: str, reason: str) -> dict[str, Any]:
        return self.call("POST", f"/runs/{run_id}/fail", {"reason": reason[:2000]}, auth=True)

    def run(self, run_id: str) -> dict[str, Any]:
        return self.call("GET", f"/runs/{run_id}")

    def results(self, run_id: str) -> dict[str, Any]:
        return self.call("GET", f"/runs/{run_id}/results", timeout=120)
