"""Probe a video by demuxing its packets (no decoding beyond one frame) and plan segments.

Frame numbers are positions in presentation order. A segment must decode on its own and produce
exactly its frames, so segments start only at *clean* keyframes: every packet before it in decode
order is presented before it, and every packet after it is presented at or after it (no open-GOP
leading pictures). Then frame number of a clean keyframe = number of packets demuxed before it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import av
import numpy as np

from frame_metric.analysis.decode import open_video
from frame_metric.analysis.errors import CorruptVideoError, EmptyVideoError

# Keep to_dict() small for Step Functions: a segment needs a split point only every few hundred
# frames, so an all-intra 10-minute video does not need all 36,000 keyframes.
MAX_KEYFRAMES = 1500


@dataclass(frozen=True)
class VideoProbe:
    width: int
    height: int
    frame_count: int
    fps: float  # average: (frames - 1) / (last PTS - first PTS)
    duration: float  # seconds, first frame's PTS to the end of the last frame
    variable_frame_rate: bool
    codec: str
    time_base: str = "1/1"  # of the stream's PTS, as "num/den"
    start_time: float = 0.0  # PTS of the first frame, seconds
    keyframes: tuple[tuple[int, int], ...] = ()  # clean split points: (frame number, pts)
    truncated: bool = False  # demuxing stopped on damaged data; frame_count counts readable frames
    warnings: tuple[str, ...] = field(default=())

    @property
    def tb(self) -> Fraction:
        return Fraction(self.time_base)

    def to_dict(self) -> dict[str, Any]:
        return {
            "width": self.width,
            "height": self.height,
            "frame_count": self.frame_count,
            "fps": self.fps,
            "duration": self.duration,
            "variable_frame_rate": self.variable_frame_rate,
            "codec": self.codec,
            "time_base": self.time_base,
            "start_time": self.start_time,
            "keyframes": [list(k) for k in self.keyframes],
            "truncated": self.truncated,
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VideoProbe:
        d = dict(data)
        d["keyframes"] = tuple((int(a), int(b)) for a, b in d.get("keyframes", ()))
        d["warnings"] = tuple(d.get("warnings", ()))
        return cls(**d)


def _clean_keyframes(pts: np.ndarray, is_key: np.ndarray) -> list[tuple[int, int]]:
    """(frame number, pts) of keyframes that split the stream cleanly (see module doc)."""
    prefix_max = np.maximum.accumulate(pts)
    suffix_min = np.minimum.accumulate(pts[::-1])[::-1]
    out = []
    for j in np.flatnonzero(is_key):
        before_ok = j == 0 or prefix_max[j - 1] < pts[j]
        after_ok = j == len(pts) - 1 or suffix_min[j + 1] >= pts[j]
        if before_ok and after_ok:
            out.append((int(j), int(pts[j])))  # decode index == frame number at a clean point
    if len(out) > MAX_KEYFRAMES:
        step = len(out) / MAX_KEYFRAMES
        out = [out[int(i * step)] for i in range(MAX_KEYFRAMES)]
    return out


def _varies_beyond_rounding(deltas: np.ndarray, median: float) -> bool:
    """Constant frame rate streams repeat one PTS step, give or take rounding; screenrecord output does
    not. The rounding may have happened in a coarser clock than the stream's time base: 60 fps stamped
    in milliseconds and muxed at 1/16000 s has steps of 256 and 272 ticks (16 and 17 ms). So the step's
    tolerance is the rounding quantum seen (the gap between the step values, when small against the
    step), at least one tick and 5 % of the step; more than 1 % of steps outside it is variable."""
    if not len(deltas):
        return False
    values = np.unique(deltas)
    gaps = np.diff(values)
    quantum = float(gaps.min()) if len(gaps) else 0.0
    if quantum >= median / 4:  # steps of a frame and of two frames: dropped frames, not rounding
        quantum = 0.0
    irregular = np.abs(deltas - median) > max(1.0, 0.05 * median, quantum)
    return int(irregular.sum()) > max(1, len(deltas) // 100)


def probe_video(path: str | os.PathLike[str]) -> VideoProbe:
    """Read every video packet's timestamps and flags, and decode the first frame only."""
    pts_list: list[int] = []
    keys: list[bool] = []
    last_duration = 0
    warnings: list[str] = []
    truncated = False
    first_frame = None
    with open_video(path) as (container, stream):
        try:
            for packet in container.demux(stream):
                if packet.size == 0:
                    continue
                pts = packet.pts if packet.pts is not None else packet.dts
                if pts is None:
                    warnings.append("packets without timestamps were skipped")
                    continue
                pts_list.append(pts)
                keys.append(bool(packet.is_keyframe))
                last_duration = packet.duration or 0
                if first_frame is None:
                    frames = packet.decode()
                    first_frame = frames[0] if frames else None
            if first_frame is None and pts_list:
                frames = stream.codec_context.decode(None)
                first_frame = frames[0] if frames else None
        except av.FFmpegError as exc:
            truncated = True
            warnings.append(f"file is damaged or truncated after {len(pts_list)} frames: {exc.strerror or exc}")
        if not pts_list:
            if truncated:
                raise CorruptVideoError("no frame could be read: the file is damaged or truncated")
            raise EmptyVideoError("the video stream has no frames")
        if first_frame is None:
            raise CorruptVideoError("the first frame cannot be decoded")
        declared = stream.frames or 0  # from the container's index, when it has one (MP4 does)
        if declared > len(pts_list) and not truncated:
            truncated = True
            warnings.append(f"file is truncated: {len(pts_list)} of {declared} frames are readable")
        tb = stream.time_base or Fraction(1, 90000)
        codec = stream.codec_context.name
        width, height = first_frame.width, first_frame.height

    pts = np.asarray(pts_list, dtype=np.int64)
    order = np.sort(pts)
    deltas = np.diff(order)
    median = float(np.median(deltas)) if len(deltas) else 0.0
    span = float((order[-1] - order[0]) * tb)
    one_frame = float(last_duration * tb)  # a single frame: its own duration is all we know
    fps = (len(order) - 1) / span if span > 0 else (1.0 / one_frame if one_frame > 0 else 0.0)
    vfr = _varies_beyond_rounding(deltas, median)
    tail = last_duration or median
    return VideoProbe(
        width=width,
        height=height,
        frame_count=len(order),
        fps=round(fps, 6),
        duration=round(span + float(tail * tb), 6),
        variable_frame_rate=vfr,
        codec=codec,
        time_base=f"{tb.numerator}/{tb.denominator}",
        start_time=float(order[0] * tb),
        keyframes=tuple(_clean_keyframes(pts, np.asarray(keys))),
        truncated=truncated,
        warnings=tuple(dict.fromkeys(warnings)),
    )


@dataclass(frozen=True)
class Segment:
    """Frames [start_frame, end_frame) in presentation order, decodable on their own."""

    index: int
    start_frame: int
    end_frame: int
    start_pts: int | None  # seek target (a clean keyframe); None = from the start, no seek
    end_pts: int | None  # PTS of the next segment's keyframe; None = to the end

    @property
    def frame_count(self) -> int:
        return self.end_frame - self.start_frame

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "start_frame": self.start_frame,
            "end_frame": self.end_frame,
            "start_pts": self.start_pts,
            "end_pts": self.end_pts,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Segment:
        return cls(
            int(data["index"]),
            int(data["start_frame"]),
            int(data["end_frame"]),
            data.get("start_pts"),
            data.get("end_pts"),
        )


def plan_segments(probe: VideoProbe, max_frames_per_segment: int = 3600) -> list[Segment]:
    """Split at clean keyframes so that segments hold at most max_frames_per_segment frames where
    the keyframes allow it (a single longer GOP stays one segment)."""
    if max_frames_per_segment < 1:
        raise ValueError("max_frames_per_segment must be at least 1")
    points = [k for k in probe.keyframes if 0 < k[0] < probe.frame_count]
    cuts: list[tuple[int, int]] = []
    start, candidate = 0, None
    for point in points:
        if point[0] - start > max_frames_per_segment:
            if candidate is not None:  # the furthest split point that kept the segment in limits
                cuts.append(candidate)
                start, candidate = candidate[0], None
            if point[0] - start > max_frames_per_segment:  # one GOP longer than the limit
                cuts.append(point)
                start = point[0]
                continue
        candidate = point
    if probe.frame_count - start > max_frames_per_segment and candidate is not None:
        cuts.append(candidate)
    bounds = [(0, None), *cuts]
    segments = []
    for n, (frame, pts) in enumerate(bounds):
        end_frame, end_pts = (cuts[n][0], cuts[n][1]) if n < len(cuts) else (probe.frame_count, None)
        segments.append(Segment(n, frame, end_frame, pts, end_pts))
    return segments
