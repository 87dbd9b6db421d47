"""Opening videos and decoding small frames straight from FFmpeg.

Decoding dominates the cost of analysis, so frames are scaled down (halved by OpenCV, then FFmpeg's
swscale) to a small yuv420p image and never converted to BGR/RGB; threaded decoding uses both cores.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Container, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import av
import cv2
import numpy as np
from av.video.reformatter import VideoReformatter

from frame_metric.analysis.errors import (
    CorruptVideoError,
    EmptyVideoError,
    NoVideoStreamError,
    VideoAnalysisError,
)


@contextmanager
def open_video(path: str | os.PathLike[str]) -> Iterator[tuple[Any, Any]]:
    """(container, video stream), with FFmpeg failures mapped to the named errors."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise VideoAnalysisError(f"file not found: {path}")
    try:
        container = av.open(path)
    except av.error.EOFError as exc:  # a header and nothing after it (e.g. a recording never written to)
        raise EmptyVideoError("the file ends before its first frame") from exc
    except av.FFmpegError as exc:
        raise CorruptVideoError(f"not a readable video file ({exc.strerror or exc})") from exc
    try:
        if not container.streams.video:
            raise NoVideoStreamError("the file has no video stream")
        yield container, container.streams.video[0]
    finally:
        container.close()


def usable_cores() -> int:
    """Cores this process may run on (a container's or taskset's limit, not the host's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def frame_pts(frame: Any) -> int | None:
    return frame.pts if frame.pts is not None else frame.dts


def decode_range(
    path: str, start_pts: int | None, end_pts: int | None, warnings: list[str], threaded: bool = True,
    only: Container[int] | None = None,
) -> Iterator[tuple[int, Any, Any]]:
    """Yield (pts, frame, stream) for frames with start_pts <= pts < end_pts, in presentation order.

    start_pts must be a clean keyframe (see probe.py): we seek there, decode until the packet of the
    next clean keyframe, then flush the decoder so the frames it still holds come out. A damaged tail
    stops decoding with a warning instead of an exception, so a truncated upload still gets analysed.
    only: the PTS of the frames wanted; the decoder then skips the other frames that no frame refers
    to (B-frames, mostly), which are then not yielded either.
    """
    with open_video(path) as (container, stream):
        if threaded:
            stream.thread_type = "AUTO"
            # One decoding thread per core. FFmpeg's default (cores + 1) only adds a thread that
            # competes with the scaling and the measures of the frames already decoded.
            stream.thread_count = usable_cores()
        if start_pts is not None:
            container.seek(start_pts, stream=stream, backward=True, any_frame=False)

        def keep(frame: Any) -> bool:
            pts = frame_pts(frame)
            return pts is not None and (start_pts is None or pts >= start_pts) and (end_pts is None or pts < end_pts)

        try:
            stopped_early = False
            for packet in container.demux(stream):  # ends with an empty packet that flushes
                if end_pts is not None and packet.pts is not None and packet.pts >= end_pts:
                    stopped_early = True
                    break
                if only is not None:
                    # Read per packet, also by the frame threads (FFmpeg copies it to the thread the
                    # packet goes to); a reference frame is always decoded.
                    unwanted = packet.pts is not None and packet.pts not in only
                    stream.codec_context.skip_frame = "NONREF" if unwanted else "DEFAULT"
                for frame in packet.decode():
                    if keep(frame):
                        yield frame_pts(frame), frame, stream
            if stopped_early:  # the decoder still holds reordered frames of this segment
                for frame in stream.codec_context.decode(None):
                    if keep(frame):
                        yield frame_pts(frame), frame, stream
        except av.FFmpegError as exc:
            warnings.append(f"decoding stopped early: {exc.strerror or exc}")


class AnalysisPictures:
    """The analysis picture of each decoded frame in turn: the frame scaled to width x height as
    yuv420p, one (height*3/2, width) uint8 array. A frame whose pixels the picture cannot tell from
    the previous frame's gets the very same array back (a still screen: skipped macroblocks), so
    that scaling and measuring it again is skipped.

    Frames at least twice the picture's size along an axis (8-bit yuv420p: what phones and
    browsers record) are halved first (see halve); then FFmpeg's AREA scaler does the rest. One
    reformatter is kept for all frames: it keeps FFmpeg's scaling context (its filters) instead of
    building it again for each frame (~10 % of the scaling). One scaling thread: scaling already runs
    beside the measures (read_ahead) and the decoder's threads; FFmpeg's own slice threads only
    competed with them (same pixels, ~4 % faster)."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self._scaler = VideoReformatter()
        self._picture: np.ndarray | None = None
        self._before: Any = None  # what the previous frame was compared by: its halved planes, or itself

    def __call__(self, frame: Any) -> np.ndarray:
        halved = halve(frame, self.width, self.height)
        # Equal halved planes give an equal picture: comparing them (a sixteenth of the frame on a
        # phone) costs far less than comparing the whole frames.
        unchanged = same_picture(frame, self._before) if halved is None else _same_planes(halved, self._before)
        source = self._before = frame if halved is None else halved
        if self._picture is None or not unchanged:
            self._picture = self._scaler.reformat(
                source, width=self.width, height=self.height, format="yuv420p", interpolation="AREA", threads=1
            ).to_ndarray()
        return self._picture


def halve(frame: Any, width: int, height: int) -> Any:
    """An 8-bit yuv420p frame at least twice width (or height) along an axis, halved along it by 2x2
    (or 2x1) means of its pixels until the next halving would go below the target, as a new frame;
    None for other frames. The means are OpenCV's vectorised INTER_AREA case, several times cheaper
    per pixel than FFmpeg's general AREA filter, which then scales only the last factor below 2:
    every pixel still counts alike, as in one AREA scaling (the picture differs by rounding), for
    about 60 % of its cost on a phone-sized frame (scaling was the largest cost of the analysis after
    decoding). Up to 3 rows or columns at the frame's edges are left out, so that the halved planes
    stay 4:2:0."""
    if frame.format.name != "yuv420p" or (frame.width < 2 * width and frame.height < 2 * height):
        return None
    _opencv_single_threaded()
    w, h = frame.width, frame.height
    fx = fy = 1
    while w // (2 * fx) >= width:
        fx *= 2
    while h // (2 * fy) >= height:
        fy *= 2
    # Cropped to whole 2*f blocks: each halving then maps even luma onto even luma and chroma onto
    # exactly half of it.
    w, h = w - w % (2 * fx), h - h % (2 * fy)
    halved = av.VideoFrame(w // fx, h // fy, "yuv420p")
    sizes = ((w, h), (w // 2, h // 2), (w // 2, h // 2))
    for plane, out, (pw, ph) in zip(frame.planes, halved.planes, sizes, strict=True):
        image = _view(plane)[:ph, :pw]
        sx, sy = fx, fy
        while sx > 1 or sy > 1:
            step_x, step_y = min(sx, 2), min(sy, 2)
            sx, sy = sx // step_x, sy // step_y
            size = (image.shape[1] // step_x, image.shape[0] // step_y)
            # The last halving writes straight into the new frame's plane (rows padded to its line size).
            image = cv2.resize(image, size, dst=_view(out) if sx == sy == 1 else None, interpolation=cv2.INTER_AREA)
    return halved


def _view(plane: Any) -> np.ndarray:
    """A decoded plane's pixels as a (height, width) view of its buffer (rows padded to line_size)."""
    return np.frombuffer(plane, np.uint8).reshape(-1, plane.line_size)[: plane.height, : plane.width]


def _same_planes(frame: Any, previous: Any) -> bool:
    """Whether two frames' pixels are equal (not the padding of their rows)."""
    if previous is None or (frame.format.name, frame.width, frame.height) != (
        previous.format.name, previous.width, previous.height
    ):
        return False
    return all(np.array_equal(_view(a), _view(b)) for a, b in zip(frame.planes, previous.planes, strict=True))


def _opencv_single_threaded() -> None:
    """OpenCV's own worker threads would compete with the decoder's threads and the measures, which
    keep the cores busy already (measured slower with them)."""
    if cv2.getNumThreads() != 1:
        cv2.setNumThreads(1)


PROBES, PROBE_BYTES = 8, 512  # runs of luma bytes same_picture compares first


def same_picture(frame: Any, previous: Any) -> bool:
    """Whether two decoded frames hold the same pixels (plane buffers equal, padding included: a
    difference there only costs a needless rescale)."""
    if previous is None or frame.format.name != previous.format.name or len(frame.planes) != len(previous.planes):
        return False
    pairs = [
        (np.frombuffer(a, np.uint8), np.frombuffer(b, np.uint8))
        for a, b in zip(frame.planes, previous.planes, strict=True)
    ]
    if any(a.size != b.size for a, b in pairs):
        return False
    # A probe first: a camera's noise changes nearly every pixel, so a few rows spread over the
    # picture almost always tell, without reading (and allocating a mask of) every whole plane.
    y, y_before = pairs[0]
    for start in range(0, y.size, max(PROBE_BYTES, y.size // PROBES)):
        if not np.array_equal(y[start : start + PROBE_BYTES], y_before[start : start + PROBE_BYTES]):
            return False
    return all(np.array_equal(_words(a), _words(b)) for a, b in pairs)


def _words(plane: np.ndarray) -> np.ndarray:
    """The bytes as 64-bit words where they divide evenly: equality in an eighth of the steps."""
    return plane.view(np.uint64) if plane.size % 8 == 0 else plane


def split_planes(yuv: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    h = yuv.shape[0] * 2 // 3
    w = yuv.shape[1]
    chroma = yuv[h:].reshape(2, h // 2, w // 2)
    return yuv[:h], chroma[0], chroma[1]


Item = TypeVar("Item")


def read_ahead(items: Iterator[Item], depth: int) -> Iterator[Item]:
    """The items, produced in a worker thread up to `depth` ahead of the consumer. FFmpeg decodes and
    scales with the GIL released, so decoding and scaling the next frames overlaps the measures of
    this one. Errors are raised in the consumer; stopping early stops (and closes) the producer."""
    ahead: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(kind: str, value: Any) -> bool:
        while not stop.is_set():
            try:
                ahead.put((kind, value), timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put("item", item):
                    return
            put("done", None)
        except BaseException as exc:  # handed to the consumer, which raises it
            put("error", exc)
        finally:
            close = getattr(items, "close", None)
            if close:
                close()

    worker = threading.Thread(target=produce, name="frame-metric-read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            kind, value = ahead.get()
            if kind == "item":
                yield value
            elif kind == "error":
                raise value
            else:
                return
    finally:
        stop.set()
        worker.join()
