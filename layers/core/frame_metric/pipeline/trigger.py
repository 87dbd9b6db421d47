"""S3 ObjectCreated under the upload prefix -> a checked video item and one pipeline execution.

Runs for uploads through the API, presigned PUTs and files dropped straight into the bucket alike.
"""

from __future__ import annotations

import json
import logging
import posixpath
import uuid
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import unquote_plus

from frame_metric.data.video import Video, VideoStatus
from frame_metric.errors import FrameMetricError
from frame_metric.pipeline import admission
from frame_metric.pipeline.execution import Executions, execution_name, registered_execution_name
from frame_metric.settings import Settings, get_settings
from frame_metric.storage.s3 import ObjectMissing, ObjectStore
from frame_metric.videos import records
from frame_metric.videos.container import inspect_mp4

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ObjectCreated:
    bucket: str
    key: str
    size: int
    version: str  # what makes this upload distinct: versionId, else the event's sequencer, else eTag

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> ObjectCreated:
        s3 = record["s3"]
        obj = s3["object"]
        version = obj.get("versionId") or obj.get("sequencer") or obj.get("eTag") or ""
        # S3 event keys arrive URL-encoded (spaces as '+').
        return cls(bucket=s3["bucket"]["name"], key=unquote_plus(obj["key"]),
                   size=int(obj.get("size", 0)), version=str(version))


DEFERRED = "deferred"


@dataclass(frozen=True)
class TriggerOutcome:
    video_id: str | None
    # started | duplicate | rejected | ignored | deferred (no capacity: the video waits, `queued`)
    action: str
    message_id: str | None = None  # the SQS message that carried the event, if one did


def records_from_event(event: dict[str, Any]) -> list[dict[str, Any]]:
    """S3 records from a direct S3 event or from SQS messages carrying S3 events (the cloud's and the
    local cloud's transport)."""
    return [record for message in event.get("Records", []) for record in _s3_records(message)]


def _s3_records(message: dict[str, Any]) -> list[dict[str, Any]]:
    if "s3" in message:
        return [message]
    if "body" in message:
        body = json.loads(message["body"])
        return [r for r in body.get("Records", []) if "s3" in r]  # skips s3:TestEvent
    return []


def _video_id_for(created: ObjectCreated, settings: Settings) -> tuple[str, bool]:
    """(video_id, registered): API uploads carry their id in the key; dropped files get an id derived
    from the object so a repeated event maps to the same video."""
    relative = created.key[len(settings.upload_prefix):]
    head = relative.split("/", 1)[0]
    try:
        candidate = str(uuid.UUID(head))
    except ValueError:
        candidate = ""
    if candidate and "/" in relative and records.find_video(candidate) is not None:
        return candidate, True
    derived = uuid.uuid5(uuid.NAMESPACE_URL, f"s3://{created.bucket}/{created.key}#{created.version}")
    return str(derived), False


def _usable(created: ObjectCreated, video: Video, settings: Settings, store: ObjectStore) -> bool:
    """Whether the uploaded object is an MP4 within the limits; if not, the video is failed with why."""
    try:
        size = int(store.head(created.key)["ContentLength"])
        if size > settings.max_video_bytes:
            raise FrameMetricError(
                f"{video.filename} is {size} bytes, over the limit of {settings.max_video_bytes} bytes"
            )
        inspect_mp4(lambda offset, length: store.read_range(created.key, offset, offset + length - 1),
                    size, video.filename)
    except ObjectMissing:
        records.mark_failed(video.video_id, "the uploaded object disappeared before it could be processed")
        return False
    except FrameMetricError as exc:
        records.mark_failed(video.video_id, exc.detail)
        return False
    return True


def handle_object_created(created: ObjectCreated, settings: Settings | None = None,
                          store: ObjectStore | None = None, executions: Executions | None = None,
                          capped: bool = True) -> TriggerOutcome:
    """`capped`: the event can wait in the upload queue, so a video over the in-flight cap is deferred
    (admission.py) instead of started."""
    settings = settings or get_settings()
    if not created.key.startswith(settings.upload_prefix) or created.key.endswith("/"):
        return TriggerOutcome(None, "ignored")
    store = store or ObjectStore(settings)
    video_id, registered = _video_id_for(created, settings)
    if not registered:
        records.create_video(Video(video_id, filename=posixpath.basename(created.key),
                                   s3_key=created.key, size_bytes=created.size))
    video = records.get_video(video_id)
    if video.video_status != VideoStatus.UPLOADING and video.video_status != VideoStatus.PROCESSING:
        return TriggerOutcome(video_id, "duplicate")

    # A video waiting for capacity (queued_at) had its file checked when it first waited: a recheck
    # costs a read and the count, not S3 range reads.
    if video.queued_at is None and not _usable(created, video, settings, store):
        return TriggerOutcome(video_id, "rejected")

    executions = executions or Executions(settings)
    name = (registered_execution_name(video_id, created.bucket, created.key) if registered
            else execution_name(video_id, created.bucket, created.key, created.version))
    # StartExecution is idempotent for a running execution with the same name and input, and refuses
    # a closed one (ExecutionAlreadyExists): either way a repeated event starts nothing new. Starting
    # again is still right when an earlier attempt died between recording the name and starting.
    seen_before = video.execution_arn is not None and video.execution_name == name
    # A video with an execution already (a retried event) was admitted: never hold it back.
    if capped and video.execution_arn is None and not admission.has_capacity(settings):
        if records.mark_queued(video_id):
            return TriggerOutcome(video_id, DEFERRED)
        return TriggerOutcome(video_id, "duplicate")  # cancelled or started meanwhile: nothing to wait for
    outcome = executions.start(name, {"video_id": video_id, "bucket": created.bucket, "key": created.key})
    if not records.mark_processing(video_id, name, outcome.execution_arn) and outcome.started:
        # Cancelled while we were starting it: do not let it run.
        executions.stop(outcome.execution_arn, "video was cancelled before processing started")
    return TriggerOutcome(video_id, "duplicate" if seen_before or not outcome.started else "started")


def handle_event(event: dict[str, Any]) -> list[TriggerOutcome]:
    """Every upload of the event. Only an event that came through the upload queue (an SQS message)
    is held to the in-flight cap: the queue is where it waits."""
    outcomes = []
    for message in event.get("Records", []):
        message_id = message.get("messageId")
        for record in _s3_records(message):
            if not str(record.get("eventName", "ObjectCreated")).startswith("ObjectCreated"):
                continue
            outcome = handle_object_created(ObjectCreated.from_record(record), capped=message_id is not None)
            outcome = replace(outcome, message_id=message_id)
            log.info("upload %s -> %s", record["s3"]["object"]["key"], outcome)
            outcomes.append(outcome)
    return outcomes


def deferred_messages(event: dict[str, Any], outcomes: list[TriggerOutcome]) -> list[dict[str, Any]]:
    """The SQS messages of the event that carried an upload deferred for capacity."""
    waiting = {outcome.message_id for outcome in outcomes if outcome.action == DEFERRED}
    return [message for message in event.get("Records", []) if message.get("messageId") in waiting]
