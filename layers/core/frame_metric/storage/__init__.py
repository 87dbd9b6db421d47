"""S3: the object layout of a video and a small adapter over boto3."""

from frame_metric.storage.keys import VideoKeys
from frame_metric.storage.s3 import ObjectStore

__all__ = ["ObjectStore", "VideoKeys"]
