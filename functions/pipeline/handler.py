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

probe = observed("video_id")(step_handler(steps.probe))
select = observed("video_id")(step_handler(steps.select))
frame_images = observed("video_id")(step_handler(store_frame_images))
_analyse = step_handler(steps.analyse)


@observed("video_id")
def analyse(event: dict[str, Any], context: Any) -> dict[str, Any]:
    started = time.monotonic()
    result = _analyse(event, context)
    segment = event.get("segment") or {}
    video = records.find_video(event["video_id"])  # Probe stored the frame rate there
    frames = int(segment.get("end_frame", 0)) - int(segment.get("start_frame", 0))
    if video is not None and video.fps and frames > 0:
        ratio(ANALYSIS_SECONDS_PER_VIDEO_SECOND, (time.monotonic() - started) / (frames / float(video.fps)))
    return result
