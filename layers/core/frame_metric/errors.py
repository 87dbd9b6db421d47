"""Domain errors. Each carries the HTTP status the API answers with and a message for `detail`."""

from __future__ import annotations


class FrameMetricError(Exception):
    status_code = 500

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class BadRequest(FrameMetricError):
    status_code = 400


class NotFound(FrameMetricError):
    status_code = 404


class Conflict(FrameMetricError):
    status_code = 409


class PayloadTooLarge(FrameMetricError):
    status_code = 413


class UnsupportedMedia(FrameMetricError):
    status_code = 415


class ValidationFailed(FrameMetricError):
    status_code = 422
