"""The Step Functions tasks of the frame-analysis pipeline that decode video, one Lambda function each
(template.yaml). Finalize and MarkFailed live in functions/pipeline_outcome, without the decoder."""

from __future__ import annotations

import time
from typing import Any

from frame_metric.observability import ANALYSIS_SECONDS_PER_VIDEO_SECOND, observed, ratio
from frame_metric.pipeline import steps
from frame_metric.pipeline.frame_images import store_frame_images
from frame_metric.pipeline.transient import step_handler
from frame_metric.videos import records

select = observed("video_id")(step_handler(steps.select))
frame_images = observed("video_id")(step_handler(store_frame_images))
_probe = step_handler(steps.probe)
_analyse = step_handler(steps.analyse)


@observed("video_id")
def probe(event: dict[str, Any], context: Any) -> dict[str, Any]:
    started = time.monotonic()
    result = _probe(event, context)
    if result.get("analysis_key"):  # a video of one segment: analysed (and selected) here
        _report_speed(event["video_id"], int(result.get("frame_count") or 0), started)
    return result


@observed("video_id")
def analyse(event: dict[str, Any], context: Any) -> dict[str, Any]:
    started = time.monotonic()
    result = _analyse(event, context)
    segment = event.get("segment") or {}
    _report_speed(event["video_id"], int(segment.get("end_frame", 0)) - int(segment.get("start_frame", 0)), started)
    return result


def _report_speed(video_id: str, frames: int, started: float) -> None:
    video = records.find_video(video_id)  # Probe stored the frame rate there
    if video is not None and video.fps and frames > 0:
        ratio(ANALYSIS_SECONDS_PER_VIDEO_SECOND, (time.monotonic() - started) / (frames / float(video.fps)))
