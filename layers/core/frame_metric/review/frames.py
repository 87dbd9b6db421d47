"""A completed video's frames as the reviewer sees them: per-frame scores from the pipeline's frame table
(S3 frames.json), thumbnails located in the sprite sheets, full images where the pipeline stored them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from frame_metric.data.video import FrameMark, Video, frame_id
from frame_metric.review.schemas import FrameDetailResponse, Thumbnail
from frame_metric.storage.keys import VideoKeys
from frame_metric.storage.s3 import ObjectMissing, ObjectStore


@dataclass(frozen=True)
class Frame:
    id: str
    frame_number: int
    timestamp: float
    brightness: float | None
    sharpness: float | None
    scene_change_score: float | None


class FrameCatalog:
    def __init__(self, video: Video, store: ObjectStore) -> None:
        self.video = video
        self.store = store
        keys = VideoKeys(video.video_id)
        try:
            table = store.get_json(keys.frames_table)
        except ObjectMissing:
            table = {"frames": [], "sprites": []}
        self.frames = [Frame(f["id"], int(f["frame_number"]), float(f["timestamp"]), f.get("brightness"),
                             f.get("sharpness"), f.get("scene_change_score")) for f in table["frames"]]
        self.by_id = {frame.id: frame for frame in self.frames}
        self.by_number = {frame.frame_number: frame for frame in self.frames}
        self.sprites = sorted(table.get("sprites", []), key=lambda sprite: sprite["first_frame"])
        try:
            self.analysis: dict[str, Any] = store.get_json(video.analysis_key) if video.analysis_key else {}
        except ObjectMissing:
            self.analysis = {}
        self.images: dict[str, str] = self.analysis.get("frame_images", {})
        self._sprite_urls: dict[str, str] = {}
        self.first_scores = self._scores(video.first_candidates)
        self.last_scores = self._scores(video.last_candidates)

    @staticmethod
    def _scores(candidates: list[FrameMark] | None) -> dict[int, float | None]:
        return {int(c.frame_number): None if c.score is None else float(c.score) for c in candidates or []}

    def ai_frame_number(self, kind: str) -> int | None:
        """The algorithm's own mark (analysis.json), which a review never overwrites."""
        mark = self.analysis.get(f"{kind}_frame")
        return None if mark is None else int(mark["frame_number"])

    def image_key(self, frame_number: int) -> str | None:
        """The pipeline's image of the frame, else one stored later for a mark (pipeline/frame_images.py)."""
        key = self.images.get(str(frame_number))
        if key:
            return key
        for mark in (self.video.first_frame, self.video.last_frame):
            if mark is not None and int(mark.frame_number) == frame_number and mark.image_key:
                return str(mark.image_key)
        return None

    def _thumbnail(self, frame_number: int) -> Thumbnail | None:
        for sprite in self.sprites:
            offset = frame_number - int(sprite["first_frame"])
            if 0 <= offset < int(sprite["count"]):
                key = sprite["key"]
                if key not in self._sprite_urls:
                    self._sprite_urls[key] = self.store.presigned_get(key)
                columns, width, height = int(sprite["columns"]), int(sprite["thumb_width"]), int(sprite["thumb_height"])
                return Thumbnail(url=self._sprite_urls[key], x=(offset % columns) * width,
                                 y=(offset // columns) * height, width=width, height=height)
        return None

    def detail(self, frame_number: int, timestamp: float | None = None) -> FrameDetailResponse:
        video = self.video
        frame = self.by_number.get(frame_number)
        if video.first_frame is not None and int(video.first_frame.frame_number) == frame_number:
            frame_type = "first"
        elif video.last_frame is not None and int(video.last_frame.frame_number) == frame_number:
            frame_type = "last"
        else:
            frame_type = "middle"
        score = self.first_scores.get(frame_number, self.last_scores.get(frame_number))
        image = self.image_key(frame_number)
        return FrameDetailResponse(
            id=frame.id if frame else frame_id(video.video_id, frame_number), frame_number=frame_number,
            timestamp=frame.timestamp if frame else float(timestamp or 0.0),
            url=self.store.presigned_get(image) if image else None, frame_type=frame_type,
            is_first_candidate=frame_number in self.first_scores, is_last_candidate=frame_number in self.last_scores,
            confidence_score=score, brightness=frame.brightness if frame else None,
            sharpness=frame.sharpness if frame else None,
            scene_change_score=frame.scene_change_score if frame else None,
            thumbnail=self._thumbnail(frame_number),
        )

    def mark_detail(self, mark: FrameMark | None) -> FrameDetailResponse | None:
        return None if mark is None else self.detail(int(mark.frame_number), float(mark.timestamp))

