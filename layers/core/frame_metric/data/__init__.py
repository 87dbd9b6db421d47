"""DynamoDB tables as PynamoDB models, bound to the endpoint and table names of the settings."""

from frame_metric.data.connection import bind_models
from frame_metric.data.video import FrameMark, Video, VideoStatus

__all__ = ["FrameMark", "Video", "VideoStatus", "bind_models"]
