"""Where each object of a video lives in the bucket. One place, so the layout is documented once."""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(filename: str) -> str:
    """A key-safe version of a user's file name (the original name is kept in the video item)."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, extension = base.rpartition(".")
    if not dot:
        stem, extension = base, ""
    stem = _UNSAFE.sub("_", stem).strip("._") or "video"
    extension = _UNSAFE.sub("", extension)[:10]
    return f"{stem[:110]}.{extension}" if extension else stem[:120]


@dataclass(frozen=True)
class VideoKeys:
    video_id: str

    @property
    def root(self) -> str:
        return f"videos/{self.video_id}/"

    def upload(self, upload_prefix: str, filename: str) -> str:
        return f"{upload_prefix}{self.video_id}/{safe_filename(filename)}"

    @property
    def probe(self) -> str:
        return f"{self.root}probe.json"

    def features(self, segment: int) -> str:
        return f"{self.root}features/segment-{segment:05d}.bin"

    def sprite(self, segment: int, index: int) -> str:
        return f"{self.root}sprites/segment-{segment:05d}-{index:04d}.jpg"

    def frame_image(self, frame_number: int) -> str:
        return f"{self.root}frames/{frame_number:07d}.jpg"

    @property
    def analysis(self) -> str:
        return f"{self.root}analysis.json"

    @property
    def frames_table(self) -> str:
        return f"{self.root}frames.json"
