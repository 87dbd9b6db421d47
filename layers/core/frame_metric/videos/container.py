"""Is this really an MP4? A walk over the top-level ISO-BMFF boxes, reading only their headers.

The check reads through a callable `read_at(offset, length)`, so the same code checks a local temp
file during a multipart upload and an S3 object with ranged GETs when a file arrives by presigned URL
or is dropped straight into the bucket.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from frame_metric.errors import BadRequest, UnsupportedMedia

ReadAt = Callable[[int, int], bytes]
_MAX_BOXES = 10_000  # a real MP4 has a handful of top-level boxes; this bounds hostile files


class NotMp4Error(UnsupportedMedia):
    pass


class TruncatedMp4Error(BadRequest):
    pass


@dataclass(frozen=True)
class Mp4Layout:
    major_brand: str
    boxes: tuple[str, ...]


def inspect_mp4(read_at: ReadAt, size: int, name: str = "file") -> Mp4Layout:
    if size == 0:
        raise BadRequest(f"{name} is empty")
    if size < 16:
        raise NotMp4Error(f"{name} is not an MP4 video: {size} bytes is too short")
    head = read_at(0, 16)
    if len(head) < 16 or head[4:8] != b"ftyp":
        raise NotMp4Error(f"{name} is not an MP4 video: it does not start with an 'ftyp' box")
    major_brand = head[8:12].decode("latin-1")
    boxes: list[str] = []
    offset = 0
    while offset < size:
        if len(boxes) >= _MAX_BOXES:
            raise NotMp4Error(f"{name} is not a usable MP4 video: too many top-level boxes")
        header = read_at(offset, 16)
        if len(header) < 8:
            raise TruncatedMp4Error(f"{name} is truncated: a box header at byte {offset} is cut off")
        box_size, box_type = struct.unpack(">I4s", header[:8])
        kind = box_type.decode("latin-1")
        if box_size == 1:
            if len(header) < 16:
                raise TruncatedMp4Error(f"{name} is truncated: a box header at byte {offset} is cut off")
            box_size = struct.unpack(">Q", header[8:16])[0]
        elif box_size == 0:
            box_size = size - offset  # "extends to the end of the file"
        if box_size < 8:
            raise NotMp4Error(f"{name} is not a valid MP4 video: box '{kind}' at byte {offset} is malformed")
        if offset + box_size > size:
            raise TruncatedMp4Error(
                f"{name} is truncated: box '{kind}' needs {offset + box_size} bytes, the file has {size}"
            )
        boxes.append(kind)
        offset += box_size
    if "moov" not in boxes:
        raise TruncatedMp4Error(
            f"{name} is not a complete MP4 video: it has no 'moov' box (was the recording stopped before it was saved?)"
        )
    if "mdat" not in boxes and "moof" not in boxes:
        raise TruncatedMp4Error(f"{name} is not a complete MP4 video: it has no media data ('mdat' box)")
    return Mp4Layout(major_brand=major_brand, boxes=tuple(boxes))


def inspect_mp4_file(path: Path, name: str | None = None) -> Mp4Layout:
    size = path.stat().st_size
    with path.open("rb") as handle:

        def read_at(offset: int, length: int) -> bytes:
            handle.seek(offset)
            return handle.read(length)

        return inspect_mp4(read_at, size, name or path.name)
