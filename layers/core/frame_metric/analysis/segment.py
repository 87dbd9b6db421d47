"""Analyse one segment: decode its frames small, compare each with the previous one, keep features.

Memory stays bounded by design: only the previous small frame, the sprite sheet being filled and
a bounded number of kept frames for reference comparisons (references.py) are held; per-frame
results are a few hundred bytes.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import av
import numpy as np
from av.video.reformatter import VideoReformatter

from frame_metric.analysis.changes import Change, Grid, compare, make_grid
from frame_metric.analysis.decode import AnalysisPictures, decode_range, read_ahead, split_planes
from frame_metric.analysis.errors import CorruptVideoError
from frame_metric.analysis.features import SegmentFeatures, Sprite, ThumbnailSpec, encode_jpeg
from frame_metric.analysis.options import AnalysisOptions
from frame_metric.analysis.probe import Segment, VideoProbe
from frame_metric.analysis.references import KeptFrames
from frame_metric.analysis.touch import ROW_SIZE, find_pointer, masked_grid, touch_region

Progress = Callable[[int, int], None]
PROGRESS_EVERY = 50  # frames


class _SpriteSheets:
    """Fills one JPEG grid of thumbnails at a time; emits it when full."""

    def __init__(self, spec: ThumbnailSpec, probe: VideoProbe, first_frame: int) -> None:
        self.spec = spec
        self.tw = max(2, spec.width // 2 * 2)
        self.th = max(2, round(self.tw * probe.height / probe.width / 2) * 2)
        self._encoded: list[tuple[int, int, Future[bytes]]] = []  # (first frame, count, JPEG being encoded)
        # JPEG encoding (Pillow releases the GIL) runs beside the decoding and the measures instead of
        # pausing them for each sheet.
        self._encoder = ThreadPoolExecutor(1, thread_name_prefix="frame-metric-sprites")
        self.first = first_frame
        self.count = 0
        self.sheet = np.zeros((spec.rows * self.th, spec.columns * self.tw, 3), np.uint8)
        self._small: np.ndarray | None = None
        self._scaler = VideoReformatter()
        self._thumb = np.zeros((self.th, self.tw, 3), np.uint8)

    def add(self, frame: Any, small: np.ndarray) -> None:
        """frame: the decoded frame; small: its analysis picture (yuv420p, see decode.AnalysisPictures)."""
        r, c = divmod(self.count, self.spec.columns)
        self.sheet[r * self.th : (r + 1) * self.th, c * self.tw : (c + 1) * self.tw] = self._thumbnail(frame, small)
        self.count += 1
        if self.count == self.spec.per_sprite:
            self.flush()

    def _thumbnail(self, frame: Any, small: np.ndarray) -> np.ndarray:
        # From the analysis picture already scaled, not the full frame: scaling a full phone frame
        # again costs more than the rest of the frame's analysis. A frame that reused the previous
        # analysis picture (same pixels) reuses its thumbnail too.
        if small is self._small:
            return self._thumb
        if small.shape[1] >= self.tw and small.shape[0] * 2 // 3 >= self.th:
            source = av.VideoFrame.from_ndarray(small, format="yuv420p")
            source.colorspace, source.color_range = frame.colorspace, frame.color_range
        else:  # an analysis picture smaller than a thumbnail (very long, thin videos): the frame
            source = frame
        self._small = small
        thumb = self._scaler.reformat(source, self.tw, self.th, "rgb24", interpolation="AREA")
        self._thumb = thumb.to_ndarray()
        return self._thumb

    def flush(self) -> None:
        if not self.count:
            return
        used_rows = -(-self.count // self.spec.columns)
        sheet = self.sheet[: used_rows * self.th].copy()
        self._encoded.append((self.first, self.count, self._encoder.submit(encode_jpeg, sheet, self.spec.quality)))
        self.first += self.count
        self.count = 0
        self.sheet[:] = 0

    def finish(self) -> list[Sprite]:
        """The sheets, once every one is encoded."""
        self.flush()
        return [Sprite(first, count, self.spec.columns, self.tw, self.th, jpeg.result())
                for first, count, jpeg in self._encoded]

    def close(self) -> None:
        """No encoding thread left behind, whether the analysis finished or failed."""
        self._encoder.shutdown(cancel_futures=True)


class _Rows:
    """Per-frame feature arrays, preallocated to the expected frame count and grown if needed."""

    def __init__(self, n: int, zones: int) -> None:
        self.n = 0
        self.a: dict[str, np.ndarray] = {
            "pts": np.zeros(n, np.float64),
            "structural": np.zeros((n, zones), np.uint8),
            "compact": np.zeros((n, zones), np.uint8),
            "shift": np.zeros((n, zones), np.int8),
            "global_shift": np.zeros(n, np.float32),
            "noise": np.zeros(n, np.float32),
            "brightness": np.zeros(n, np.float32),
            "sharpness": np.zeros(n, np.float32),
            "touch": np.zeros((n, ROW_SIZE), np.float32),
        }

    def next_row(self) -> int:
        if self.n == len(self.a["pts"]):
            grow = max(16, self.n // 4)
            self.a = {k: np.concatenate([v, np.zeros((grow, *v.shape[1:]), v.dtype)]) for k, v in self.a.items()}
        self.n += 1
        return self.n - 1

    def arrays(self) -> dict[str, np.ndarray]:
        return {k: v[: self.n].copy() for k, v in self.a.items()}


def _picture_stats(y: np.ndarray) -> tuple[float, float]:
    """(brightness, sharpness) in 0..1 for the review UI: mean luma, and mean gradient magnitude
    (32 levels per pixel already looks crisp at this scale)."""
    grad = (_mean_abs_difference(y[:, 1:], y[:, :-1]) + _mean_abs_difference(y[1:], y[:-1])) / 2
    return _mean(y) / 255.0, min(1.0, grad / 32.0)


def _mean(a: np.ndarray) -> float:
    return float(np.add.reduce(a, axis=None, dtype=np.uint32)) / a.size  # exact: integers summed


def _mean_abs_difference(a: np.ndarray, b: np.ndarray) -> float:
    """|a - b| averaged, computed in uint8 (max - min cannot overflow): no widened copies."""
    d = np.maximum(a, b)
    d -= np.minimum(a, b)
    return _mean(d)


def _touch(
    frame: Any, probe: VideoProbe, region: np.ndarray, change: Change, before: np.ndarray, scaler: VideoReformatter
) -> np.ndarray:
    """The touch indicator or crosshair in this frame; the previous frame's answer when nothing changed where it
    is looked for (e.g. only the status-bar clock ticked), which spares most of the search."""
    if not change.structural.any() and not change.shift.any() and change.global_shift == 0.0:
        return before
    return find_pointer(frame, probe.width, probe.height, region, before, scaler)


READ_AHEAD = 3  # frames scaled ahead of the measures (each holds a full-size frame)
DECODE_AHEAD = 2  # frames decoded ahead of the scaling


def _small_frames(
    path: str, segment: Segment, grid: Grid, warnings: list[str]
) -> Iterator[tuple[int, Any, np.ndarray]]:
    """(pts, frame, analysis picture) of each frame of the segment."""
    pictures = AnalysisPictures(grid.width, grid.height)
    # Decoding runs in a thread of its own: called between two scalings, the decoder's frame
    # threads would sit idle while a frame is scaled instead of decoding the next ones.
    decoded = read_ahead(decode_range(path, segment.start_pts, segment.end_pts, warnings), DECODE_AHEAD)
    try:
        for pts, frame, _ in decoded:
            yield pts, frame, pictures(frame)
    finally:
        decoded.close()  # stops the decoding thread when the analysis stops early


def analyse_segment(
    path: str | os.PathLike[str],
    probe: VideoProbe,
    segment: Segment,
    options: AnalysisOptions,
    progress: Progress | None = None,
    thumbnails: ThumbnailSpec | None = None,
) -> SegmentFeatures:
    grid: Grid = make_grid(probe.width, probe.height, options)
    tb = probe.tb
    warnings: list[str] = []
    rows = _Rows(segment.frame_count, grid.zones)
    sheets = _SpriteSheets(thumbnails, probe, segment.start_frame) if thumbnails else None
    region = touch_region(grid, probe.width, probe.height)
    prev: tuple[np.ndarray, ...] | None = None
    kept = KeptFrames()
    first_image = last_image = None
    touch_scaler = VideoReformatter()  # one per conversion: see AnalysisPictures
    sprites: list[Sprite] = []
    with contextlib.ExitStack() as cleanup:
        if sheets:
            cleanup.callback(sheets.close)
        small = _small_frames(os.fspath(path), segment, grid, warnings)
        for pts, frame, yuv in read_ahead(small, READ_AHEAD):
            planes = split_planes(yuv)
            i = rows.next_row()
            a = rows.a
            a["pts"][i] = float(pts * tb)
            # A still screen decodes to the very same pixels (skipped macroblocks): no change (the row
            # stays zero), same picture statistics. Most frames of a recording are like that.
            same = prev is not None and (yuv is last_image or np.array_equal(yuv, last_image))
            if prev is None:
                first_image = yuv
                if options.touch_indicator:
                    a["touch"][i] = find_pointer(frame, probe.width, probe.height, region, None, touch_scaler)
            elif not same:
                change = compare(grid, prev, planes)
                if options.touch_indicator:
                    a["touch"][i] = _touch(frame, probe, region, change, a["touch"][i - 1], touch_scaler)
                    if a["touch"][i - 1][0] > 0 or a["touch"][i][0] > 0:
                        # The touch indicator is the user, not the app: its discs never count as a change.
                        change = compare(masked_grid(grid, a["touch"][i - 1], a["touch"][i]), prev, planes)
                change.write(a, i)
                kept.add(i, yuv)
            if same:
                a["brightness"][i], a["sharpness"][i] = a["brightness"][i - 1], a["sharpness"][i - 1]
                a["touch"][i] = a["touch"][i - 1]
            else:
                a["brightness"][i], a["sharpness"][i] = _picture_stats(planes[0])
            if sheets:
                sheets.add(frame, yuv)
            prev, last_image = planes, yuv
            if progress and rows.n % PROGRESS_EVERY == 0:
                progress(rows.n, segment.frame_count)
        if first_image is None or last_image is None:
            detail = f": {warnings[0]}" if warnings else ""
            raise CorruptVideoError(f"no frame of frames {segment.start_frame}-{segment.end_frame} decoded{detail}")
        if rows.n != segment.frame_count:
            warnings.append(f"segment {segment.index} decoded {rows.n} frames, expected {segment.frame_count}")
        if sheets:
            sprites = sheets.finish()
    if progress:
        progress(rows.n, segment.frame_count)
    shape = first_image.shape
    head_rows, head_images = kept.pack(kept.head, shape)
    tail_rows, tail_images = kept.pack(kept.tail, shape)
    return SegmentFeatures(
        segment=segment,
        head_rows=head_rows,
        head_images=head_images,
        tail_rows=tail_rows,
        tail_images=tail_images,
        grid_size=(grid.width, grid.height, grid.zone),
        first_image=first_image,
        last_image=last_image,
        warnings=warnings,
        sprites=sprites,
        **rows.arrays(),
    )
