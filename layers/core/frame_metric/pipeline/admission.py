"""Admission by capacity: at most `max_videos_in_flight` videos are processing at once; the rest of a
burst waits in the upload queue, not in Lambda's throttle retries.

Without a cap the trigger starts an execution per upload at its own speed, and a burst larger than
the pipeline can clear within its Tasks' throttle budget fails videos (docs/scale.md). With it, the
trigger counts the videos in flight (the sharded `by_status` index, one COUNT query per shard) before
it starts one; at the cap it leaves the video `uploading` with current_step "queued" and gives its SQS
message back with a delay that grows with how often it came (ApproximateReceiveCount), so a long line
is asked again rarely and a short one often.

The count is not a lock: triggers running at once may each see one slot free, so the pipeline may
hold up to the trigger's concurrency more than the cap (and the index lags its table by a moment).
Capacity is given back by a video leaving `processing` (Finalize, MarkFailed, cancel, the sweeper):
nothing to release, nothing to leak.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterable
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from frame_metric.data.sharding import count_all
from frame_metric.data.video import Video, VideoStatus
from frame_metric.settings import Settings, get_settings

log = logging.getLogger(__name__)

# The n-th time a message is deferred it is hidden up to min(300, 5 n) s (full jitter). Linear, not
# exponential: with a short line (the common case) a freed slot is found within seconds, where 5 x 2^n
# hid a message 40-80 s after a few tries and left slots idle (measured: 20 uploads under a cap of 8
# took 81 s instead of 35 s). The ceiling bounds what a long line costs: 1,000 waiting messages are
# about 7 rechecks a second. Each receive counts toward the queue's maxReceiveCount (template.yaml).
RECHECK_STEP_SECONDS = 5
MAX_RECHECK_SECONDS = 300  # under the queue's 360 s visibility timeout


def videos_in_flight() -> int:
    return count_all(Video.by_status, VideoStatus.PROCESSING.value)


def has_capacity(settings: Settings | None = None) -> bool:
    cap = (settings or get_settings()).max_videos_in_flight
    return cap <= 0 or videos_in_flight() < cap


def recheck_delay(receive_count: int, draw: Callable[[float, float], float] | None = None) -> int:
    """Seconds a deferred message stays hidden: min(300, 5 n) with full jitter, so the waiting messages
    of a burst come back spread out, not together; at least 1 s. draw: random.uniform unless given."""
    ceiling = min(MAX_RECHECK_SECONDS, RECHECK_STEP_SECONDS * max(1, receive_count))
    return max(1, round((draw or random.uniform)(0, ceiling)))


def receive_count(message: dict[str, Any]) -> int:
    try:
        return int(message.get("attributes", {}).get("ApproximateReceiveCount", 1))
    except (TypeError, ValueError):
        return 1


def defer_messages(messages: Iterable[dict[str, Any]], settings: Settings | None = None,
                   sqs: Any | None = None) -> list[str]:
    """Hide each SQS message (an event source record) for its recheck delay; their ids, for the event
    source's batchItemFailures (the message is not deleted and comes back after the delay). A message
    whose visibility cannot be changed still comes back, after the queue's visibility timeout."""
    settings = settings or get_settings()
    deferred = []
    for message in messages:
        deferred.append(message["messageId"])
        if not settings.upload_queue_url or "receiptHandle" not in message:
            log.warning("no upload queue URL: message %s comes back after the visibility timeout",
                        message["messageId"])
            continue
        sqs = sqs or boto3.client("sqs", region_name=settings.region, endpoint_url=settings.endpoint_url)
        delay = recheck_delay(receive_count(message))
        try:
            sqs.change_message_visibility(QueueUrl=settings.upload_queue_url,
                                          ReceiptHandle=message["receiptHandle"], VisibilityTimeout=delay)
        except (BotoCoreError, ClientError) as exc:  # the message still comes back: later, not lost
            log.warning("could not delay message %s by %d s: %s", message["messageId"], delay, exc)
    return deferred
