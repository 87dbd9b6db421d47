"""Frame analysis: find the first and last frame of a response in a screen recording.

Pipeline steps (each callable on its own, passing only JSON/bytes between them):
probe_video -> plan_segments -> analyse_segment (per segment, in parallel) -> select_boundaries.
analyze_video runs them all; extract_frames gives full-size JPEGs of candidate frames.
"""

from frame_metric.analysis.errors import (
    CorruptVideoError,
    EmptyVideoError,
    NoVideoStreamError,
    VideoAnalysisError,
)
from frame_metric.analysis.features import SegmentFeatures, Sprite, ThumbnailSpec
from frame_metric.analysis.options import AnalysisOptions, Region
from frame_metric.analysis.pipeline import analyze_video, extract_frames
from frame_metric.analysis.probe import Segment, VideoProbe, plan_segments, probe_video
from frame_metric.analysis.result import AnalysisResult, FrameMark, FrameTable, IgnoredRegion
from frame_metric.analysis.segment import analyse_segment
from frame_metric.analysis.select import select_boundaries

__all__ = [
    "AnalysisOptions",
    "AnalysisResult",
    "CorruptVideoError",
    "EmptyVideoError",
    "FrameMark",
    "FrameTable",
    "IgnoredRegion",
    "NoVideoStreamError",
    "Region",
    "Segment",
    "SegmentFeatures",
    "Sprite",
    "ThumbnailSpec",
    "VideoAnalysisError",
    "VideoProbe",
    "analyse_segment",
    "analyze_video",
    "extract_frames",
    "plan_segments",
    "probe_video",
    "select_boundaries",
]
