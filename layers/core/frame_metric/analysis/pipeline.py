"""Convenience entry points: whole-video analysis and full-size frames for candidates."""

from __future__ import annotations

import bisect
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

import numpy as np

from frame_metric.analysis.decode import decode_range, open_video, usable_cores
from frame_metric.analysis.errors import CorruptVideoError
from frame_metric.analysis.features import SegmentFeatures, encode_jpeg
from frame_metric.analysis.options import AnalysisOptions
from frame_metric.analysis.probe import Segment, VideoProbe, plan_segments, probe_video
from frame_metric.analysis.result import AnalysisResult
from frame_metric.analysis.segment import analyse_segment
from frame_metric.analysis.select import select_boundaries

DEFAULT_SEGMENT_FRAMES = 3600


def _segment_job(path: str, probe: dict[str, Any], segment: dict[str, Any], options: dict[str, Any]) -> bytes:
    # Runs in a worker process: everything in and out is plain data, as between pipeline steps.
    features = analyse_segment(
        path, VideoProbe.from_dict(probe), Segment.from_dict(segment), AnalysisOptions.from_dict(options)
    )
    return features.to_bytes()


def analyze_video(
    path: str | os.PathLike[str],
    options: AnalysisOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
    segment_frames: int | None = None,
    *,
    workers: int | None = None,
) -> AnalysisResult:
    """Probe, plan, analyse every segment and select the boundaries.

    workers > 1 analyses segments in that many processes (spawned: call it from code guarded by
    `if __name__ == "__main__"`). Each decoder already uses both cores through frame threading, so
    processes pay off mainly for long videos with several segments."""
    path = os.fspath(path)
    options = options or AnalysisOptions()
    probe = probe_video(path)
    segments = plan_segments(probe, segment_frames or DEFAULT_SEGMENT_FRAMES)
    total = probe.frame_count
    workers = min(workers or 1, len(segments), usable_cores())
    features: list[SegmentFeatures] = []
    if workers <= 1:
        done = 0
        for seg in segments:

            def report(n: int, _: int, base: int = done) -> None:
                if progress:
                    progress(base + n, total)

            features.append(analyse_segment(path, probe, seg, options, report))
            done += features[-1].frame_count
    else:
        # spawn, not fork: the parent may hold FFmpeg threads, and forking a threaded process is unsafe.
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            jobs = [pool.submit(_segment_job, path, probe.to_dict(), s.to_dict(), options.to_dict()) for s in segments]
            done = 0
            for job in jobs:
                features.append(SegmentFeatures.from_bytes(job.result()))
                done += features[-1].frame_count
                if progress:
                    progress(done, total)
    return select_boundaries(probe, features, options)


def extract_frames(
    path: str | os.PathLike[str],
    frame_numbers: Iterable[int],
    max_side: int | None = None,
    *,
    probe: VideoProbe | None = None,
    quality: int = 90,
) -> dict[int, bytes]:
    """JPEG of each requested frame (presentation order), decoding from the nearest clean keyframe."""
    path = os.fspath(path)
    probe = probe or probe_video(path)
    wanted = sorted(set(frame_numbers))
    bad = [n for n in wanted if not 0 <= n < probe.frame_count]
    if bad:
        raise ValueError(f"frame numbers out of range 0..{probe.frame_count - 1}: {bad[:10]}")
    keys = [k for k in probe.keyframes if k[0] > 0]
    starts = [k[0] for k in keys]
    encoded: dict[int, Future[bytes]] = {}
    # JPEG encoding (Pillow releases the GIL) of one frame runs beside the decoding of the next.
    with ThreadPoolExecutor(usable_cores(), thread_name_prefix="frame-metric-jpeg") as encoder:
        while wanted:
            k = bisect.bisect_right(starts, wanted[0]) - 1
            start_frame, start_pts = keys[k] if k >= 0 else (0, None)
            next_start = starts[k + 1] if k + 1 < len(starts) else probe.frame_count
            group = [n for n in wanted if n < next_start]
            wanted = wanted[len(group) :]
            for number, frame in _frames_of(path, start_frame, start_pts, group):
                encoded[number] = encoder.submit(encode_jpeg, _rgb(frame, max_side), quality)
            missing = [n for n in group if n not in encoded]
            if missing:
                raise CorruptVideoError(f"frames {missing[:10]} could not be decoded")
        return {number: jpeg.result() for number, jpeg in encoded.items()}


REORDER = 32  # packets read past the last wanted frame's: B-frames come after the frame they precede


def _frames_of(path: str, start_frame: int, start_pts: int | None, group: list[int]) -> Iterator[tuple[int, Any]]:
    """(number, decoded frame) of the group's frames, decoding from the clean keyframe start_frame.
    Frames are told apart by their PTS (read from the packets first), so that the decoder can skip
    the frames no other frame refers to (B-frames, ~40 % of a phone's or x264's frames when it uses
    them); counting frames as they come out instead is the fallback for packets without a PTS."""
    by_pts = _frame_numbers(path, start_frame, start_pts, group[-1] - start_frame + 1)
    wanted_pts = {pts: number for pts, number in by_pts.items() if number in group}
    warnings: list[str] = []
    if len(wanted_pts) == len(group):
        found = 0
        for pts, frame, _ in decode_range(path, start_pts, None, warnings, only=wanted_pts):
            if pts in wanted_pts:
                yield wanted_pts[pts], frame
                found += 1
                if found == len(group):
                    return
        return
    number = start_frame
    for _, frame, _ in decode_range(path, start_pts, None, warnings):
        if number in group:
            yield number, frame
        if number >= group[-1]:
            return
        number += 1


def _frame_numbers(path: str, start_frame: int, start_pts: int | None, count: int) -> dict[int, int]:
    """PTS -> frame number of the first `count` frames from the clean keyframe start_frame, from the
    packets alone (no decoding); empty when a packet has no PTS."""
    seen: list[int] = []
    with open_video(path) as (container, stream):
        if start_pts is not None:
            container.seek(start_pts, stream=stream, backward=True, any_frame=False)
        for packet in container.demux(stream):
            if packet.size == 0:
                continue  # the flushing packet at the end
            if packet.pts is None:
                return {}
            if start_pts is None or packet.pts >= start_pts:
                seen.append(packet.pts)
            if len(seen) >= count + REORDER:
                break
    return {pts: start_frame + i for i, pts in enumerate(sorted(seen)[:count])}


def _rgb(frame: Any, max_side: int | None) -> np.ndarray:
    w, h = frame.width, frame.height
    if max_side and max(w, h) > max_side:
        f = max_side / max(w, h)
        w, h = max(2, round(w * f / 2) * 2), max(2, round(h * f / 2) * 2)
    return frame.reformat(width=w, height=h, format="rgb24", interpolation="AREA").to_ndarray()
