"""Full-size images of frames a reviewer chose by hand.

The pipeline stores images only of the frames it picked and their best candidates; a reviewer may pick
any frame. The API function has no video decoder (it would not fit next to Chalice in one Lambda), so a
mark asks this step, which runs with the pipeline's decoder, to store the missing images. It is
idempotent: images are written under the same keys, and a mark's image key is set only while the mark
still points at that frame, so a newer mark is never given an older frame's picture.
"""

from __future__ import annotations

import logging
from typing import Any

from pynamodb.exceptions import UpdateError

from frame_metric.analysis import VideoProbe, extract_frames
from frame_metric.data.connection import condition_failed
from frame_metric.data.video import Video
from frame_metric.storage.keys import VideoKeys
from frame_metric.storage.s3 import ObjectMissing, ObjectStore
from frame_metric.videos import records

log = logging.getLogger(__name__)


def store_frame_images(event: dict[str, Any]) -> dict[str, Any]:
    """Event: {"video_id", "frame_numbers"}. Writes each frame's JPEG and points the marks at them."""
    video_id = event["video_id"]
    video = records.get_video(video_id)
    if not video.s3_key:
        raise ValueError(f"video {video_id} has no stored upload to take frames from")
    count = int(video.frame_count or 0)
    wanted = sorted({int(n) for n in event["frame_numbers"] if 0 <= int(n) < count})
    if not wanted:
        return {"video_id": video_id, "stored": []}
    store, keys = ObjectStore(), VideoKeys(video_id)
    images = extract_frames(str(store.local_copy(video.s3_key)), wanted, probe=_stored_probe(store, keys))
    for number, jpeg in images.items():
        store.put_bytes(keys.frame_image(number), jpeg, "image/jpeg")
    for attribute in (Video.first_frame, Video.last_frame):
        _point_mark_at_image(video_id, attribute, images, keys)
    log.info("stored %d frame image(s) of video %s", len(images), video_id)
    return {"video_id": video_id, "stored": sorted(images)}


def _stored_probe(store: ObjectStore, keys: VideoKeys) -> VideoProbe | None:
    """The pipeline's probe of the upload (its keyframes): spares a demux of the whole file."""
    try:
        return VideoProbe.from_dict(store.get_json(keys.probe))
    except ObjectMissing:
        return None


def _point_mark_at_image(video_id: str, attribute: Any, images: dict[int, bytes], keys: VideoKeys) -> None:
    video = records.get_video(video_id)
    mark = getattr(video, attribute.attr_name)
    if mark is None or mark.image_key or int(mark.frame_number) not in images:
        return
    number = int(mark.frame_number)
    try:
        Video(video_id).update(actions=[attribute["image_key"].set(keys.frame_image(number))],
                               condition=attribute["frame_number"] == number)
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
        # marked again meanwhile: the newer mark asks for its own images
