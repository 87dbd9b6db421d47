"""Writing generated recordings: RGB pictures with their times in, an MP4 (H.264 or MPEG-4) out.

Every generator (app launches, interaction scripts, failure families, screencasts) writes through
this one writer, so presentation times are made the same way everywhere: rounded to the stream's
time base, strictly increasing as a muxer needs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction
from typing import Any

import av
import numpy as np


class Mp4Writer:
    def __init__(self, container: Any, stream: Any, time_base: Fraction) -> None:
        self.container, self.stream, self.time_base = container, stream, time_base
        self.pts: list[int] = []  # of every frame written, in order

    def add(self, rgb: np.ndarray, t: float) -> int:
        """Encode one picture shown from t seconds on; returns its presentation time (time-base ticks)."""
        pts = round(t / self.time_base)
        if self.pts and pts <= self.pts[-1]:
            pts = self.pts[-1] + 1
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24").reformat(format="yuv420p")
        frame.pts, frame.time_base = pts, self.time_base
        for packet in self.stream.encode(frame):
            self.container.mux(packet)
        self.pts.append(pts)
        return pts

    def seconds(self, index: int) -> float:
        """The presentation time of the index-th frame written, in seconds."""
        return float(self.pts[index] * self.time_base)


@contextmanager
def mp4_writer(
    path: str | os.PathLike[str],
    *,
    fps: float,
    width: int,
    height: int,
    codec: str = "h264",
    bit_rate: int | None = None,
    opts: dict[str, Any] | None = None,
) -> Iterator[Mp4Writer]:
    """opts: `preset`, `crf` (H.264 without a bit rate; default 23), `bframes`, `gop`."""
    with av.open(os.fspath(path), "w", format="mp4") as container:
        stream, time_base = _open_stream(container, codec, fps, width, height, bit_rate, opts or {})
        writer = Mp4Writer(container, stream, time_base)
        yield writer
        for packet in stream.encode(None):  # flush what the encoder still holds
            container.mux(packet)


def _open_stream(
    container: Any, codec: str, fps: float, width: int, height: int, bit_rate: int | None, opts: dict[str, Any]
) -> tuple[Any, Fraction]:
    rate = Fraction(fps).limit_denominator(1001)
    if codec in ("h264", "libx264"):
        stream = container.add_stream("libx264", rate=rate)
        time_base = Fraction(1, 90000)  # what Android's MP4 muxer uses
        options = {"preset": str(opts.get("preset", "veryfast"))}
        if bit_rate is None:
            options["crf"] = str(opts.get("crf", 23))
        if opts.get("bframes") is not None:
            options["bf"] = str(opts["bframes"])
        stream.options = options
    elif codec == "mpeg4":
        stream = container.add_stream("mpeg4", rate=rate)
        time_base = Fraction(1, 60000)  # MPEG-4 Part 2 needs a time-base denominator below 2**16
        bit_rate = bit_rate or int(width * height * fps * 0.1)
    else:
        raise ValueError(f"unsupported codec {codec!r}: use 'h264' or 'mpeg4'")
    stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
    stream.codec_context.time_base = time_base
    if bit_rate is not None:
        stream.codec_context.bit_rate = bit_rate
    if opts.get("gop"):
        stream.codec_context.gop_size = int(opts["gop"])
    return stream, time_base
