"""Named failures of video analysis: each carries a human-readable `reason` for the user."""

from __future__ import annotations


class VideoAnalysisError(Exception):
    """Base of every failure the analysis reports on purpose (never a bare crash)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NoVideoStreamError(VideoAnalysisError):
    """The file is a media file, but has no video stream (e.g. audio only)."""


class CorruptVideoError(VideoAnalysisError):
    """The file cannot be demuxed or decoded (not a video, truncated before any frame, damaged)."""


class EmptyVideoError(VideoAnalysisError):
    """The video stream holds zero frames."""
