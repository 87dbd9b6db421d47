"""The three kinds of QR code of the API and CLI. Each call works in a temporary directory of its own
(amzqr writes files), removed when the call ends, whatever happens."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from frame_metric.errors import PayloadTooLarge
from frame_metric.qr import render
from frame_metric.qr.matrix import QrMatrix, encode
from frame_metric.qr.pictures import ANIMATIONS, MIB, STILL_PICTURES, PictureKind, PictureLimits, accept_picture
from frame_metric.qr.schemas import Level, PictureQRCodeRequest, QRCodeRequest


@dataclass(frozen=True)
class QrLimits:
    picture: PictureLimits = field(default_factory=PictureLimits)
    # Pixels of all frames of an animated code together (each frame is rendered in full, RGBA when
    # colorized): bounds its time and memory. A version 40 frame is 1665 x 1665.
    max_animation_pixels: int = 32_000_000
    # Lambda returns at most 6 MB, base64 included.
    max_result_bytes: int = 4 * MIB


@dataclass(frozen=True)
class QrImage:
    content: bytes
    media_type: str  # image/png or image/gif
    version: int
    level: Level
    width: int
    frames: int = 1

    @property
    def extension(self) -> str:
        return ".gif" if self.media_type == "image/gif" else ".png"


class QrService:
    def __init__(self, limits: QrLimits | None = None) -> None:
        self.limits = limits or QrLimits()

    def simple(self, request: QRCodeRequest) -> QrImage:
        matrix = encode(request.words, request.level, request.version, request.exact_version)
        # contrast and brightness act on a picture; a plain code has none, so they change nothing here.
        with tempfile.TemporaryDirectory(prefix="frame-metric-qr-") as work:
            return self._finish(matrix, render.draw(matrix, Path(work)), "image/png")

    def artistic(self, request: PictureQRCodeRequest, picture: Path) -> QrImage:
        return self._with_picture(request, picture, STILL_PICTURES)

    def animated(self, request: PictureQRCodeRequest, picture: Path) -> QrImage:
        return self._with_picture(request, picture, ANIMATIONS)

    def _with_picture(self, request: PictureQRCodeRequest, upload: Path,
                      allowed: frozenset[PictureKind]) -> QrImage:
        matrix = encode(request.words, request.level, request.version, request.exact_version)
        with tempfile.TemporaryDirectory(prefix="frame-metric-qr-") as work:
            picture = accept_picture(upload, Path(work), allowed, self.limits.picture)
            animated = picture.kind is PictureKind.GIF
            if animated:
                self._check_animation_size(matrix, picture.frames)
            written = render.draw(matrix, Path(work), picture.path, colorized=request.colorized,
                                  contrast=request.contrast, brightness=request.brightness)
            return self._finish(matrix, written, "image/gif" if animated else "image/png", picture.frames)

    def _check_animation_size(self, matrix: QrMatrix, frames: int) -> None:
        side = render.output_side(matrix)
        if frames * side * side > self.limits.max_animation_pixels:
            most = max(1, self.limits.max_animation_pixels // (side * side))
            at_most = f"at most {most} frame{'' if most == 1 else 's'} at this version"
            raise PayloadTooLarge(f"an animated version {matrix.version} code is {side}x{side} pixels a frame; "
                                  f"{frames} frames are over the limit of {self.limits.max_animation_pixels} "
                                  f"pixels in all ({at_most}): send a GIF with fewer frames or use a lower version")

    def _finish(self, matrix: QrMatrix, written: Path, media_type: str, frames: int = 1) -> QrImage:
        content = written.read_bytes()
        if len(content) > self.limits.max_result_bytes:
            raise PayloadTooLarge(f"the code came out at {len(content)} bytes, over the {self.limits.max_result_bytes} "
                                  "bytes an answer can carry: use a smaller GIF (fewer frames), a lower version "
                                  "or colorized=false")
        return QrImage(content, media_type, matrix.version, matrix.level, render.output_side(matrix), frames)
