"""What a recording may be to be analysed: duration, frame size and frame count, checked from the
probed stream (by content, whatever the file claims to be). Size is checked before the upload."""

from __future__ import annotations

from frame_metric.analysis import VideoProbe
from frame_metric.settings import Settings


class VideoLimitExceeded(Exception):
    """The recording is beyond a configured limit; the pipeline ends the video failed with this reason."""


def check_limits(probe: VideoProbe, settings: Settings) -> None:
    problems = []
    if probe.duration > settings.max_video_seconds:
        problems.append(f"it is {probe.duration:.1f} s long, the limit is {settings.max_video_seconds} s "
                        "(FRAME_METRIC_MAX_VIDEO_SECONDS)")
    if probe.width * probe.height > settings.max_video_pixels:
        problems.append(f"its frames are {probe.width}x{probe.height}, the limit is {settings.max_video_pixels} "
                        "pixels a frame (FRAME_METRIC_MAX_VIDEO_PIXELS)")
    if probe.frame_count > settings.max_video_frames:
        problems.append(f"it has {probe.frame_count} frames, the limit is {settings.max_video_frames} "
                        "(FRAME_METRIC_MAX_VIDEO_FRAMES)")
    if problems:
        raise VideoLimitExceeded("the recording is too big to analyse: " + "; ".join(problems))
