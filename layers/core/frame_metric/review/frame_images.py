"""Asking for full-size images of frames a reviewer chose by hand (pipeline/frame_images.py stores them).

Kept apart from that step: the API function that marks frames has no video decoder to import."""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from typing import Any

import boto3

from frame_metric.settings import Settings, get_settings

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _lambda(settings: Settings) -> Any:
    return boto3.client("lambda", region_name=settings.region, endpoint_url=settings.endpoint_url)


def request_frame_images(video_id: str, frame_numbers: list[int], settings: Settings | None = None) -> bool:
    """Ask the frame-images function, without waiting, for these frames; False when none is configured.
    A failure to ask is logged, not raised: the mark itself is stored, and the thumbnail stands in."""
    settings = settings or get_settings()
    if not settings.frame_images_function or not frame_numbers:
        return False
    payload = json.dumps({"video_id": video_id, "frame_numbers": sorted(set(frame_numbers))}).encode()
    try:
        _lambda(settings).invoke(FunctionName=settings.frame_images_function, InvocationType="Event",
                                 Payload=payload)
    except Exception:  # any failure here only delays a picture
        log.exception("could not ask for frame images of video %s", video_id)
        return False
    return True
