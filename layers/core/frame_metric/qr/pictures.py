"""Uploaded pictures, checked before amzqr touches them: their type judged by content (never by name),
their size in bytes, pixels and frames bounded, and every frame decoded once so damage is found here.

A picture that fails a check is a clear 4xx: empty or unreadable 400, the wrong type 415, over a limit
413. Pillow itself only warns about images over 89 megapixels and refuses those over 179; the explicit
pixel limits here are far lower and are checked from the header, before anything is decoded.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from frame_metric.errors import BadRequest, PayloadTooLarge, UnsupportedMedia

MIB = 1024 * 1024


class PictureKind(StrEnum):
    PNG = "PNG"
    JPEG = "JPEG"
    BMP = "BMP"
    GIF = "GIF"

    @property
    def extension(self) -> str:
        """The name amzqr needs (it picks its behaviour by extension): .gif means animated."""
        return f".{self.value.lower()}"


STILL_PICTURES = frozenset({PictureKind.PNG, PictureKind.JPEG, PictureKind.BMP})
ANIMATIONS = frozenset({PictureKind.GIF})

_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", PictureKind.PNG), (b"\xff\xd8\xff", PictureKind.JPEG),
               (b"BM", PictureKind.BMP), (b"GIF87a", PictureKind.GIF), (b"GIF89a", PictureKind.GIF))


@dataclass(frozen=True)
class PictureLimits:
    # API Gateway hands Lambda at most 6 MB, base64 included: 4 MiB of file still fits.
    max_bytes: int = 4 * MIB
    # One picture or one GIF frame (4096 x 4096): decoded as RGBA that is 64 MiB.
    max_pixels: int = 4096 * 4096
    max_frames: int = 100
    # All frames of a GIF together, decoded.
    max_total_pixels: int = 50_000_000


@dataclass(frozen=True)
class Picture:
    path: Path  # a copy in the request's own directory, named with the extension of its real type
    kind: PictureKind
    width: int
    height: int
    frames: int


def sniff(head: bytes) -> PictureKind | None:
    return next((kind for signature, kind in _SIGNATURES if head.startswith(signature)), None)


def accept_picture(source: Path, work_dir: Path, allowed: frozenset[PictureKind],
                   limits: PictureLimits) -> Picture:
    size = source.stat().st_size
    if size == 0:
        raise BadRequest("the picture is empty (0 bytes)")
    if size > limits.max_bytes:
        raise PayloadTooLarge(f"the picture is {size} bytes, over the limit of {limits.max_bytes} bytes")
    with source.open("rb") as handle:
        kind = sniff(handle.read(16))
    names = "/".join(sorted(allowed))
    if kind is None:
        raise UnsupportedMedia(f"the picture is not a {names} image (judged by its content, not its name)")
    if kind not in allowed:
        hint = " (animated GIFs go to /qr/animated)" if kind is PictureKind.GIF else ""
        raise UnsupportedMedia(f"the picture is a {kind.value}; this endpoint takes {names}{hint}")
    target = work_dir / f"picture{kind.extension}"
    shutil.copyfile(source, target)
    width, height, frames = _decode_within_limits(target, kind, limits)
    return Picture(target, kind, width, height, frames)


def _decode_within_limits(path: Path, kind: PictureKind, limits: PictureLimits) -> tuple[int, int, int]:
    damaged = f"the picture could not be read as a {kind.value}: it is damaged or truncated"
    try:
        # Only the plugin of the type its bytes claim: no other decoder ever sees the upload.
        image = Image.open(path, formats=[kind.value])
    except Image.DecompressionBombError as exc:
        raise PayloadTooLarge(f"the picture is too large: {exc}") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise BadRequest(damaged) from None
    with image:
        width, height = image.size
        if width * height > limits.max_pixels:
            raise PayloadTooLarge(f"the picture is {width}x{height} pixels, over the limit of {limits.max_pixels} "
                                  "pixels per picture or frame")
        try:
            frames = int(getattr(image, "n_frames", 1)) if kind is PictureKind.GIF else 1
        except (OSError, SyntaxError, ValueError, EOFError):
            raise BadRequest(damaged) from None
        if frames > limits.max_frames:
            raise PayloadTooLarge(f"the GIF has {frames} frames, over the limit of {limits.max_frames}")
        if frames * width * height > limits.max_total_pixels:
            raise PayloadTooLarge(f"the GIF has {frames} frames of {width}x{height} pixels, "
                                  f"{frames * width * height} pixels in all, over the limit of "
                                  f"{limits.max_total_pixels}")
        total = 0
        try:
            for index in range(frames):
                image.seek(index)
                # A GIF frame larger than the screen its header declares grows the canvas: check each one.
                frame_width, frame_height = image.size
                total += frame_width * frame_height
                if frame_width * frame_height > limits.max_pixels:
                    raise PayloadTooLarge(f"frame {index + 1} of the GIF is {frame_width}x{frame_height} pixels, "
                                          f"over the limit of {limits.max_pixels} pixels per picture or frame")
                if total > limits.max_total_pixels:
                    raise PayloadTooLarge(f"the GIF's first {index + 1} frames have {total} pixels, over the "
                                          f"limit of {limits.max_total_pixels} pixels in all")
                image.load()
        except (OSError, SyntaxError, ValueError, EOFError):
            raise BadRequest(damaged) from None
    return width, height, frames
