"""A small HTTP client of the frame-metric API, used by the CLI (and handy in scripts)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote

import requests

from frame_metric.backoff import IDEMPOTENT_METHODS, RETRYABLE_STATUSES, backoff_delay, retry_after_seconds
from frame_metric.videos import waiting

FINISHED = {"completed", "failed", "cancelled"}


class ApiError(Exception):
    def __init__(self, status: int, detail: str, retry_after: float | None = None) -> None:
        super().__init__(f"HTTP {status}: {detail}")
        self.status = status
        self.detail = detail
        self.retry_after = retry_after  # seconds a 429/503 asked us to wait (Retry-After), if it said


def unreachable(base_url: str, exc: Exception) -> str:
    """One line for an API that did not answer: the URL, the cause in words (not urllib3's repr of its
    connection pool) and what to do about a local one."""
    text = str(exc)
    if isinstance(exc, requests.Timeout):
        cause = "no answer in time"
    elif "refused" in text.lower():
        cause = "connection refused"
    elif "Name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text:
        cause = "unknown host"
    else:
        cause = type(exc).__name__
    hint = ("; is it running? start one with `frame-metric serve`, or name another with --api URL"
            if "127.0.0.1" in base_url or "localhost" in base_url else "; check --api URL (or $FRAME_METRIC_API)")
    return f"cannot reach the frame-metric API at {base_url} ({cause}){hint}"


def api_error(response: requests.Response) -> ApiError:
    """The error an HTTP answer of 400 or more stands for, with the API's `detail` when it gave one."""
    try:
        detail = response.json().get("detail", response.text)
    except (ValueError, AttributeError):
        detail = response.text or response.reason
    return ApiError(response.status_code, str(detail), retry_after_seconds(response.headers))


class _CountingReader:
    """A file wrapper that reports bytes read, so an upload can drive a progress bar."""

    def __init__(self, handle: BinaryIO, size: int, on_bytes: Callable[[int], None]) -> None:
        self.handle, self.size, self.on_bytes = handle, size, on_bytes

    def __len__(self) -> int:
        return self.size

    def read(self, amount: int = -1) -> bytes:
        chunk = self.handle.read(amount)
        if chunk:
            self.on_bytes(len(chunk))
        return chunk


def default_api_key() -> str | None:
    """The key a deployed API (API Gateway usage plan) or `serve --api-key` requires, sent as x-api-key."""
    return os.environ.get("FRAME_METRIC_API_KEY") or None


def key_headers(api_key: str | None) -> dict[str, str]:
    return {"x-api-key": api_key} if api_key else {}


EXPORT_TYPES = {"excel": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "text/csv"}


@dataclass
class FrameMetricClient:
    base_url: str
    timeout: float = 30.0
    api_key: str | None = field(default_factory=default_api_key, repr=False)
    # 429 (API Gateway's throttle) and 503 mean "later": idempotent requests are asked again this
    # many times, waiting as Retry-After says or with jittered exponential backoff.
    retries: int = 6
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers.update(key_headers(self.api_key))

    def _request(self, method: str, path: str, idempotent: bool | None = None, **kwargs: Any) -> requests.Response:
        """The answer to one request, asked again on 429/503 when repeating it cannot do anything twice."""
        kwargs.setdefault("timeout", self.timeout)
        retryable = method.upper() in IDEMPOTENT_METHODS if idempotent is None else idempotent
        attempt = 0
        while True:
            try:
                response = self.session.request(method, f"{self.base_url}{path}", **kwargs)
            except requests.RequestException as exc:
                raise ApiError(0, unreachable(self.base_url, exc)) from None
            if response.status_code < 400:
                return response
            error = api_error(response)
            if not (retryable and error.status in RETRYABLE_STATUSES and attempt < self.retries):
                raise error
            self.sleep(backoff_delay(attempt, retry_after=error.retry_after))
            attempt += 1

    def _call(self, method: str, path: str, idempotent: bool | None = None, **kwargs: Any) -> Any:
        return self._request(method, path, idempotent, **kwargs).json()

    def health(self) -> dict[str, Any]:
        return self._call("GET", "/health")

    def upload(self, path: Path, on_bytes: Callable[[int], None] = lambda n: None,
               options: dict[str, Any] | None = None) -> dict[str, Any]:
        """Presigned upload: ask the API for a URL, PUT the file straight to S3 (no 10 MB gateway cap).
        `options`: per-upload analysis options (ignore regions, thresholds), as the API takes them."""
        size = path.stat().st_size
        request: dict[str, Any] = {"filename": path.name, "size": size}
        if options:
            request["options"] = options
        # Asked again on 429/503: the ticket's one write (the video's item) is what a 503 refused, and
        # an item whose file never comes is ended by the sweeper ("the upload never completed").
        ticket = self._call("POST", "/api/v1/video/upload-url", idempotent=True, json=request)
        try:
            with path.open("rb") as handle:
                response = requests.put(ticket["upload_url"], data=_CountingReader(handle, size, on_bytes),
                                        headers=ticket["headers"], timeout=max(self.timeout, 600))
        except requests.RequestException as exc:
            raise ApiError(0, f"cannot reach the storage endpoint ({type(exc).__name__}): {str(exc)[:200]}") from None
        if response.status_code >= 300:
            raise ApiError(response.status_code, f"storage refused the upload: {response.text[:300]}")
        return ticket

    def upload_form(self, path: Path) -> dict[str, Any]:
        with path.open("rb") as handle:
            return self._call("POST", "/api/v1/video/upload", files={"file": (path.name, handle, "video/mp4")},
                              timeout=max(self.timeout, 600))

    def status(self, video_id: str) -> dict[str, Any]:
        return self._call("GET", f"/api/v1/video/{video_id}/status")

    def cancel(self, video_id: str) -> dict[str, Any]:
        return self._call("POST", f"/api/v1/video/{video_id}/cancel", idempotent=True)

    def list(self, skip: int = 0, limit: int = 20, status: str | None = None) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"skip": skip, "limit": limit}
        if status:
            params["status"] = status
        return self._call("GET", "/api/v1/video/list", params=params)

    # -- tasks -----------------------------------------------------------------------------------

    def create_task(self, name: str, description: str | None = None, created_by: str | None = None) -> dict[str, Any]:
        return self._call("POST", "/api/v1/task/create",
                          json={"name": name, "description": description, "created_by": created_by})

    def list_tasks(self, user: str | None = None, skip: int = 0, limit: int = 20) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"skip": skip, "limit": limit}
        if user:
            params["user"] = user
        return self._call("GET", "/api/v1/task/list", params=params)

    def task(self, task_id: str) -> dict[str, Any]:
        return self._call("GET", f"/api/v1/task/{task_id}")

    def add_to_task(self, task_id: str, video_ids: list[str], notes: str | None = None) -> dict[str, Any]:
        return self._call("POST", f"/api/v1/task/{task_id}/videos", json={"video_ids": video_ids, "notes": notes})

    def remove_from_task(self, task_id: str, video_id: str) -> dict[str, Any]:
        return self._call("DELETE", f"/api/v1/task/{task_id}/videos/{video_id}")

    def task_statistics(self, task_id: str, recalculate: bool = False) -> dict[str, Any]:
        if recalculate:
            self._call("POST", f"/api/v1/task/{task_id}/calculate-stats", idempotent=True)
        return self._call("GET", f"/api/v1/task/{task_id}/statistics")

    def export_task(self, task_id: str, file_format: str = "excel") -> tuple[str, bytes]:
        """(file name the server chose, content) of a task's timing data."""
        return self._download(f"/api/v1/task/{task_id}/export", file_format)

    def _download(self, path: str, file_format: str) -> tuple[str, bytes]:
        """An export as (file name the server chose, content). The Accept header names the file's type:
        API Gateway hands binary bodies back as bytes only to a client that asks for a binary media
        type (with `*/*` it answers the base64 text)."""
        accept = EXPORT_TYPES.get(file_format, "application/octet-stream")
        response = self._request("GET", path, params={"format": file_format}, headers={"Accept": accept})
        return download_name(response.headers.get("Content-Disposition", "")), response.content

    def progress(self, video_id: str, wait: float = 0, since: str | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if since is not None and wait > 0:
            params = {"wait": int(wait), "since": since}
        return self._call("GET", f"/api/v1/video/{video_id}/progress", params=params,
                          timeout=max(self.timeout, wait + 10))

    # -- review ----------------------------------------------------------------------------------

    def review_pending(self, skip: int = 0, limit: int = 20) -> list[dict[str, Any]]:
        return self._call("GET", "/api/v1/review/pending", params={"skip": skip, "limit": limit})

    def review(self, video_id: str) -> dict[str, Any]:
        """The review data of a video, every extracted frame included (`all_frames`)."""
        return self._call("GET", f"/api/v1/review/{video_id}")

    def review_history(self, video_id: str) -> list[dict[str, Any]]:
        return self._call("GET", f"/api/v1/review/{video_id}/history")

    def mark(self, video_id: str, first_frame_id: str, last_frame_id: str, reviewer: str,
             notes: str | None = None) -> dict[str, Any]:
        return self._call("POST", f"/api/v1/review/{video_id}/mark", json={
            "first_frame_id": first_frame_id, "last_frame_id": last_frame_id, "reviewer": reviewer,
            "review_notes": notes})

    # -- device monitoring (reading: profiles, scripts, tasks, runs) -------------------------------

    def monitor(self, path: str, **params: Any) -> Any:
        """GET /api/v1/monitor{path}, e.g. monitor("/profiles", skip=0, limit=20); None params left out."""
        return self._call("GET", f"/api/v1/monitor{path}",
                          params={name: value for name, value in params.items() if value is not None})

    def export_run(self, run_id: str, file_format: str = "csv") -> tuple[str, bytes]:
        """(file name the server chose, content) of a monitoring run's results and samples."""
        return self._download(f"/api/v1/monitor/runs/{run_id}/export", file_format)

    def wait(self, video_id: str, on_progress: Callable[[dict[str, Any]], None] = lambda p: None,
             timeout: float = 900.0, interval: float = 0.5) -> dict[str, Any]:
        """Follow a video until it finishes: each request is a long poll that the server answers as soon
        as the progress changes, so the end is seen at once, not up to a polling interval late. A server
        that answers at once (no long polls) is asked again after `interval`."""
        deadline = time.monotonic() + timeout
        since: str | None = None
        while True:
            remaining = deadline - time.monotonic()
            asked = time.monotonic()
            progress = self.progress(video_id, wait=min(waiting.MAX_WAIT_SECONDS, max(0, int(remaining))), since=since)
            on_progress(progress)
            if progress["status"] in FINISHED:
                return self.status(video_id)
            if time.monotonic() > deadline:
                raise TimeoutError(f"video {video_id} still {progress['status']} after {timeout:.0f} s")
            token = waiting.progress_token(progress["status"], progress["progress"], progress["current_step"])
            if token == since and time.monotonic() - asked < interval:
                time.sleep(interval)
            since = token


def download_name(disposition: str) -> str:
    """The file name of a Content-Disposition header, preferring RFC 5987's UTF-8 filename*."""
    for part in disposition.split(";"):
        name, _, value = part.strip().partition("=")
        if name.lower() == "filename*" and value.lower().startswith("utf-8''"):
            return unquote(value[7:])
    for part in disposition.split(";"):
        name, _, value = part.strip().partition("=")
        if name.lower() == "filename":
            return value.strip('"')
    return "export"


def default_api_url() -> str:
    return os.environ.get("FRAME_METRIC_API", "http://127.0.0.1:8000")
