"""Synthetic phone screen recordings with exact ground truth.

`generate_app_launch` draws a home screen, a tap, an app launch and content loading (see `scene.py`),
encodes it with PyAV into an MP4, and returns where the first and last frames are, computed from the
pixels that were rendered (not from the script), in presentation order, with their PTS.
"""

from __future__ import annotations

import math
import os
import random
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from frame_metric.samples.mp4 import mp4_writer
from frame_metric.samples.scene import Scene, Timeline

# A pixel "visibly" changed when one channel moved by more than this; a frame changed when at least
# _MIN_PIXELS did. Rendering is exact, so this only keeps sub-pixel rounding of the zoom out of truth.
_PIXEL_DELTA = 8
_MIN_PIXELS = 4

_OPTIONS = {
    "steps",
    "step_pause",
    "fade",
    "small_late_change",
    "isoluminant",
    "noise",
    "flicker",
    "cursor",
    "banner",
    "landscape",
    "no_change",
    "single_frame",
    "gop",
    "preset",
    "bframes",
    "zoom_seconds",
}


@dataclass(frozen=True)
class GroundTruth:
    """Where the change starts and ends, in the frames as a decoder outputs them.

    `first_frame`/`last_frame` (and their timestamps) are None when nothing ever changes (a video
    with no change, or a single frame): there is then no true answer to find.
    """

    first_frame: int | None  # 0-based index of the first frame that visibly differs from frame 0
    last_frame: int | None  # index of the first frame of the final stable screen
    first_timestamp: float | None  # presentation time (s) of first_frame
    last_timestamp: float | None
    frame_count: int

    @property
    def duration(self) -> float | None:
        if self.first_timestamp is None or self.last_timestamp is None:
            return None
        return self.last_timestamp - self.first_timestamp

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "duration": self.duration}


def _timeline(tap_at: float, load_seconds: float, fps: float, opts: dict[str, Any]) -> Timeline:
    d = max(load_seconds, 4.0 / fps)
    end = tap_at + d
    zoom_start = tap_at + min(0.1, 0.12 * d)
    zoom_end = zoom_start + min(float(opts.get("zoom_seconds", 0.25)), 0.25 * d)
    late = bool(opts.get("small_late_change") or opts.get("isoluminant"))
    content_done = end - min(0.4, 0.3 * d) if late else end
    fade = float(opts.get("fade", 0.0))
    if fade > 0:
        fade_start = max(content_done - fade, zoom_end + 1.0 / fps)
        return Timeline(tap_at, zoom_start, zoom_end, (), fade_start, content_done, end if late else None, end)
    steps = int(opts.get("steps", 3))
    room = max(content_done - zoom_end - 1.0 / fps, 0.0)
    pause = min(float(opts.get("step_pause", 0.2)), room / max(steps, 1))
    times = tuple(content_done - (steps - 1 - k) * pause for k in range(steps))
    return Timeline(tap_at, zoom_start, zoom_end, times, None, content_done, end if late else None, end)


def _emission_times(n_ticks: int, fps: float, vfr: bool, rng: random.Random, scene: Scene, clock: bool) -> list[float]:
    """When frames are emitted. With vfr, like Android screenrecord: a frame whenever something on
    screen changed, otherwise only now and then, and never exactly on the nominal grid."""
    if not vfr:
        return [k / fps for k in range(n_ticks)]
    times: list[float] = []
    last_state: object = None
    for k in range(n_ticks):
        t = k / fps + (rng.uniform(0.0, 0.45) / fps if k else 0.0)
        state = (
            scene.render(t)[0],
            int(t) if clock else 0,
            scene.cursor and round(t * 2),
            scene.banner and k,
        )
        if k == 0 or state != last_state or rng.random() < 0.2:
            times.append(t)
        last_state = state
    return times


def _differs(a: np.ndarray, b: np.ndarray, top: int) -> bool:
    d = np.abs(a[top:].astype(np.int16) - b[top:])
    d = np.maximum(np.maximum(d[..., 0], d[..., 1]), d[..., 2])  # much faster than max(axis=2)
    return int(np.count_nonzero(d > _PIXEL_DELTA)) >= _MIN_PIXELS


def generate_app_launch(
    path: str | os.PathLike[str],
    *,
    width: int = 360,
    height: int = 800,
    fps: float = 30.0,
    seconds: float = 3.0,
    tap_at: float = 0.8,
    load_seconds: float = 1.0,
    codec: str = "h264",
    bit_rate: int | None = None,
    variable_frame_rate: bool = False,
    status_bar_clock: bool = True,
    seed: int = 0,
    **scenario_options: Any,
) -> GroundTruth:
    """Write a synthetic app-launch recording to `path` (MP4) and return its ground truth.

    Scenario options (all off by default):
      steps=N, step_pause=s   content appears in N steps separated by pauses (default 3 steps, 0.2 s)
      fade=s                  content fades in linearly from the splash over s seconds instead
      small_late_change       a small badge (~0.1% of pixels) appears last, after the content
                              (0.3 x load_seconds, at most 0.4 s, later)
      isoluminant             last change (same timing) is a button turning red -> green at equal luma
      noise=sigma, flicker=a  camera-like per-pixel noise and global brightness flicker (fraction)
      cursor, banner          a blinking cursor / scrolling banner that never stops (not in truth)
      landscape               swap width and height when portrait
      no_change               nobody taps: only the clock ticks (truth is None/None)
      single_frame            exactly one frame (truth is None/None)
      gop, preset, bframes    encoder keyframe interval (frames), x264 preset, B-frame count
      zoom_seconds            length of the zoom-from-icon animation (default 0.25)
    """
    unknown = set(scenario_options) - _OPTIONS
    if unknown:
        raise TypeError(f"unknown scenario options: {sorted(unknown)}")
    opts = scenario_options
    if opts.get("landscape") and width < height:
        width, height = height, width
    if width % 2 or height % 2:
        raise ValueError("width and height must be even (yuv420p)")
    rng = random.Random(seed)
    timeline = None if opts.get("no_change") else _timeline(tap_at, load_seconds, fps, opts)
    scene = Scene(
        width,
        height,
        timeline,
        steps=int(opts.get("steps", 3)),
        small_late_change=bool(opts.get("small_late_change")),
        isoluminant=bool(opts.get("isoluminant")),
        cursor=bool(opts.get("cursor")),
        banner=bool(opts.get("banner")),
    )
    n_ticks = 1 if opts.get("single_frame") else max(1, round(seconds * fps))
    times = _emission_times(n_ticks, fps, variable_frame_rate, rng, scene, status_bar_clock)

    camera = _Camera(height, width, float(opts.get("noise", 0.0)), float(opts.get("flicker", 0.0)), seed)
    first_key, first_img = scene.render(times[0])
    final_key, final_img = scene.render(times[-1])
    first = last = None

    with mp4_writer(path, fps=fps, width=width, height=height, codec=codec, bit_rate=bit_rate, opts=opts) as out:
        for i, t in enumerate(times):
            key, img = scene.render(t)
            if first is None and key != first_key and _differs(img, first_img, scene.status_h):
                first = i
            if key != final_key and _differs(img, final_img, scene.status_h):
                last = i + 1
            frame_img = img.copy()
            scene.overlay(frame_img, t, status_bar_clock)
            out.add(camera(frame_img, t), t)

    if first is None:  # nothing ever differs from the opening screen
        return GroundTruth(None, None, None, None, len(times))
    last = max(last or 0, first)
    return GroundTruth(first, last, out.seconds(first), out.seconds(last), len(times))


class _Camera:
    """Camera-like noise and flicker. A few precomputed noise fields, never the same one twice in a
    row, look fresh every frame at a fraction of the cost of drawing noise per frame."""

    def __init__(self, height: int, width: int, sigma: float, flicker: float, seed: int) -> None:
        gen = np.random.default_rng(seed)
        self.bank = (
            [np.clip(gen.normal(0, sigma, (height, width, 3)), -127, 127).astype(np.int16) for _ in range(9)]
            if sigma > 0
            else []
        )
        self.flicker = flicker
        self.rng = random.Random(seed)
        self.last = 0

    def __call__(self, img: np.ndarray, t: float) -> np.ndarray:
        if not self.bank and self.flicker <= 0:
            return img
        out = img.astype(np.float32)
        if self.flicker > 0:
            # Mains flicker beating against the camera's frame rate, plus a little randomness.
            out *= 1 + self.flicker * (0.7 * math.sin(2 * math.pi * 7.3 * t) + 0.3 * self.rng.uniform(-1, 1))
        if self.bank:
            self.last = (self.last + self.rng.randrange(1, len(self.bank))) % len(self.bank)
            out += self.bank[self.last]
        return np.clip(out, 0, 255).astype(np.uint8)
