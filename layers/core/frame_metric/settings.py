"""One typed settings object, read from the environment.

The same names are set by template.yaml in the cloud and by the embedded local cloud on a laptop, so
the domain never needs to know where it runs: only endpoints differ.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, wraps
from typing import TypeVar

MB = 1024 * 1024


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"environment variable {name} must be an integer, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    region: str = "us-east-1"
    # None means "the real AWS endpoints"; the local cloud, LocalStack or MinIO set URLs here. S3 and
    # DynamoDB may have their own (boto3's AWS_ENDPOINT_URL_S3 / _DYNAMODB), else the shared one.
    endpoint_url: str | None = None
    s3_endpoint_url: str | None = None
    dynamodb_endpoint_url: str | None = None
    bucket: str = "frame-metric-videos"
    videos_table: str = "frame-metric-videos"
    profiles_table: str = "frame-metric-monitor-profiles"
    scripts_table: str = "frame-metric-monitor-scripts"
    script_versions_table: str = "frame-metric-monitor-script-versions"
    monitor_tasks_table: str = "frame-metric-monitor-tasks"
    monitor_runs_table: str = "frame-metric-monitor-runs"
    sample_batches_table: str = "frame-metric-monitor-sample-batches"
    timing_tasks_table: str = "frame-metric-timing-tasks"
    task_videos_table: str = "frame-metric-task-videos"
    review_history_table: str = "frame-metric-review-history"
    # Seconds a running monitor run may stay silent (no heartbeat, no samples) before it is failed.
    run_heartbeat_timeout_seconds: int = 120  # above a minute: a runner may lose the server that long
    state_machine_arn: str = ""
    # The function that stores full-size images of frames a reviewer picked (empty: none are made).
    frame_images_function: str = ""
    upload_prefix: str = "uploads/"
    max_video_bytes: int = 500 * MB
    max_batch_files: int = 5
    # Presigned URLs are short-lived: the bucket is private and a URL is a bearer credential.
    presign_seconds: int = 900
    # Frames per Map segment: short recordings are one segment, long ones fan out.
    segment_frames: int = 3600
    # Scratch space for local copies of recordings (Lambda's /tmp is 2 GB in template.yaml).
    scratch_bytes: int = 1536 * MB
    # Seconds an execution may run before the pipeline gives up on it and marks the video failed.
    pipeline_timeout_seconds: int = 7200
    # Admission (pipeline/admission.py): most videos processing at once (0: no cap). An upload over the
    # cap waits in the upload queue (its URL: the trigger puts the message back for a while) as `queued`.
    max_videos_in_flight: int = 0
    upload_queue_url: str = ""
    version: str = "1.0.0"
    # Hardening (README "Access control", "What the system promises"). The browser origin of the web
    # console allowed by CORS ("" allows none); limits a recording must keep to be analysed; how long
    # monitoring sample batches are kept (0: until deleted).
    cors_origin: str = ""
    max_video_seconds: int = 600
    max_video_pixels: int = 3840 * 2160
    max_video_frames: int = 72_000
    sample_retention_days: int = 0
    # `frame-metric serve` with stores the user runs (MinIO, LocalStack...) instead of the embedded ones.
    serve_s3_endpoint: str | None = None
    serve_dynamodb_endpoint: str | None = None

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        endpoint = env.get("AWS_ENDPOINT_URL") or None
        return cls(
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
            endpoint_url=endpoint,
            s3_endpoint_url=env.get("AWS_ENDPOINT_URL_S3") or endpoint,
            dynamodb_endpoint_url=env.get("AWS_ENDPOINT_URL_DYNAMODB") or endpoint,
            bucket=env.get("FRAME_METRIC_BUCKET", cls.bucket),
            videos_table=env.get("FRAME_METRIC_VIDEOS_TABLE", cls.videos_table),
            profiles_table=env.get("FRAME_METRIC_PROFILES_TABLE", cls.profiles_table),
            scripts_table=env.get("FRAME_METRIC_SCRIPTS_TABLE", cls.scripts_table),
            script_versions_table=env.get("FRAME_METRIC_SCRIPT_VERSIONS_TABLE", cls.script_versions_table),
            monitor_tasks_table=env.get("FRAME_METRIC_MONITOR_TASKS_TABLE", cls.monitor_tasks_table),
            monitor_runs_table=env.get("FRAME_METRIC_MONITOR_RUNS_TABLE", cls.monitor_runs_table),
            sample_batches_table=env.get("FRAME_METRIC_SAMPLE_BATCHES_TABLE", cls.sample_batches_table),
            timing_tasks_table=env.get("FRAME_METRIC_TIMING_TASKS_TABLE", cls.timing_tasks_table),
            task_videos_table=env.get("FRAME_METRIC_TASK_VIDEOS_TABLE", cls.task_videos_table),
            review_history_table=env.get("FRAME_METRIC_REVIEW_HISTORY_TABLE", cls.review_history_table),
            run_heartbeat_timeout_seconds=_int("FRAME_METRIC_RUN_HEARTBEAT_TIMEOUT",
                                               cls.run_heartbeat_timeout_seconds),
            state_machine_arn=env.get("FRAME_METRIC_STATE_MACHINE_ARN", ""),
            frame_images_function=env.get("FRAME_METRIC_FRAME_IMAGES_FUNCTION", ""),
            upload_prefix=env.get("FRAME_METRIC_UPLOAD_PREFIX", cls.upload_prefix),
            max_video_bytes=_int("FRAME_METRIC_MAX_VIDEO_BYTES", cls.max_video_bytes),
            max_batch_files=_int("FRAME_METRIC_MAX_BATCH_FILES", cls.max_batch_files),
            presign_seconds=_int("FRAME_METRIC_PRESIGN_SECONDS", cls.presign_seconds),
            segment_frames=_int("FRAME_METRIC_SEGMENT_FRAMES", cls.segment_frames),
            scratch_bytes=_int("FRAME_METRIC_SCRATCH_BYTES", cls.scratch_bytes),
            pipeline_timeout_seconds=_int("FRAME_METRIC_PIPELINE_TIMEOUT", cls.pipeline_timeout_seconds),
            max_videos_in_flight=_int("FRAME_METRIC_MAX_VIDEOS_IN_FLIGHT", cls.max_videos_in_flight),
            upload_queue_url=env.get("FRAME_METRIC_UPLOAD_QUEUE_URL", cls.upload_queue_url),
            cors_origin=env.get("FRAME_METRIC_CORS_ORIGIN", cls.cors_origin),
            max_video_seconds=_int("FRAME_METRIC_MAX_VIDEO_SECONDS", cls.max_video_seconds),
            max_video_pixels=_int("FRAME_METRIC_MAX_VIDEO_PIXELS", cls.max_video_pixels),
            max_video_frames=_int("FRAME_METRIC_MAX_VIDEO_FRAMES", cls.max_video_frames),
            sample_retention_days=_int("FRAME_METRIC_SAMPLE_RETENTION_DAYS", cls.sample_retention_days),
            serve_s3_endpoint=env.get("FRAME_METRIC_S3_ENDPOINT") or None,
            serve_dynamodb_endpoint=env.get("FRAME_METRIC_DYNAMODB_ENDPOINT") or None,
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env()


def reset_settings() -> None:
    """Forget the cached settings (the local cloud changes the environment when it starts)."""
    get_settings.cache_clear()


T = TypeVar("T")


def per_settings(factory: Callable[[], T]) -> Callable[[], T]:
    """factory's value, made once per settings object: a service holding a bucket name or a bound
    table is made again after reset_settings() (the local cloud and in-process tests change the
    environment within one process; in Lambda the settings never change, so this is made once)."""
    made: list[tuple[Settings, T]] = []

    @wraps(factory)
    def value() -> T:
        settings = get_settings()
        if not made or made[0][0] is not settings:  # the settings object is kept: its identity is unique
            made[:] = [(settings, factory())]
        return made[0][1]

    return value
