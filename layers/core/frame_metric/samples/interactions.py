"""Synthetic multi-interaction recordings with Android's "Show taps" indicator or its "Pointer
location" crosshair, and exact ground truth.

A list app (cards under an app bar) is driven by a script of interactions:

* a tap: the indicator appears where the finger is; after `response` seconds a sheet starts sliding
  up from the bottom and is in place `finish` seconds later (0: it appears at once);
* a swipe: the indicator follows the finger; the list starts following `response` seconds after
  touch-down and keeps scrolling (a fling, decelerating) until `finish` seconds after lift-off;
* an ignored tap (`ignored=True`): the indicator comes and goes, the app does nothing.

With `pointer_location`, while a finger is down a full-width and a full-height line cross where it
is, its path is drawn as a trail (kept until the next touch-down) and a text bar under the status
bar shows figures that change while touching, as Developer options > Pointer location does.

The truth is computed from the rendered app pixels (no clock, no indicator, no crosshair), like recording.py:
operation = first frame showing the indicator, response = first frame in the interaction whose app
pixels differ from the frame before, finish = the last such frame, end = the frame before the next
operation (or the last frame).
"""

from __future__ import annotations

import math
import os
import random
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from frame_metric.samples.mp4 import mp4_writer
from frame_metric.samples.recording import _differs
from frame_metric.samples.scene import PALETTE, Rgb, blend_disc, draw_clock, fill

TAP_SECONDS = 0.12  # how long a tap's finger stays down
INDICATOR_DIAMETER = 0.075  # of the screen's short side ("Show taps": 6-9 %, one size in dp)
CROSSHAIR: Rgb = (0, 0, 192)  # Pointer location's lines, as the platform paints them
TRAIL: Rgb = (0, 96, 255)
ELLIPSE: Rgb = (128, 255, 128)
POINTER_BAR = 0.018  # of the height: the text bar under the status bar (text ~10 dp)


@dataclass(frozen=True)
class Interaction:
    at: float  # touch-down time, seconds
    kind: str = "tap"  # "tap" | "swipe"
    response: float = 0.1  # seconds from touch-down to the app's first reaction
    finish: float = 0.3  # seconds the reaction's animation lasts (after lift-off for a swipe)
    ignored: bool = False  # the app does not react at all
    x: float = 0.5  # touch position, fractions of the screen
    y: float = 0.6
    swipe_seconds: float = 0.3
    swipe_distance: float = 0.3  # of the screen height, upwards


@dataclass(frozen=True)
class FrameTruth:
    frame_number: int
    timestamp: float


@dataclass(frozen=True)
class ActionTruth:
    operation: FrameTruth
    response: FrameTruth | None
    finish: FrameTruth | None
    end: FrameTruth


@dataclass(frozen=True)
class InteractionsTruth:
    actions: list[ActionTruth]
    frame_count: int
    timestamps: list[float]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def draw_touch_indicator(img: np.ndarray, cx: float, cy: float) -> None:
    """Android's "Show taps" spot: a translucent light disc with a darker ring."""
    h, w = img.shape[:2]
    r = INDICATOR_DIAMETER * min(w, h) / 2
    ring = max(2.0, r / 6)
    y0, y1 = max(int(cy - r - 2), 0), min(int(cy + r + 3), h)
    x0, x1 = max(int(cx - r - 2), 0), min(int(cx + r + 3), w)
    if y0 >= y1 or x0 >= x1:
        return
    yy, xx = np.ogrid[y0:y1, x0:x1]
    d = np.sqrt((yy + 0.5 - cy) ** 2 + (xx + 0.5 - cx) ** 2)
    disc = np.clip(r - ring - d + 0.5, 0.0, 1.0)  # anti-aliased edges, like the platform draws them
    ring_cover = np.clip(r - d + 0.5, 0.0, 1.0) - disc
    patch = img[y0:y1, x0:x1].astype(np.float32)
    patch += (255.0 - patch) * (0.35 * disc)[..., None]
    patch += (np.float32(60.0) - patch) * (0.8 * ring_cover)[..., None]
    img[y0:y1, x0:x1] = np.clip(patch.round(), 0, 255).astype(np.uint8)


def _segment(img: np.ndarray, a: tuple[float, float], b: tuple[float, float], colour: Rgb, width: int) -> None:
    h, w = img.shape[:2]
    steps = max(2, int(np.hypot(b[0] - a[0], b[1] - a[1])) + 1)
    xs = np.clip(np.rint(np.linspace(a[0], b[0], steps)).astype(int), 0, w - width)
    ys = np.clip(np.rint(np.linspace(a[1], b[1], steps)).astype(int), 0, h - width)
    for dy in range(width):
        for dx in range(width):
            img[ys + dy, xs + dx] = colour


def draw_pointer_location(
    img: np.ndarray, status_h: int, touch: tuple[float, float] | None,
    trail: tuple[tuple[float, float], tuple[float, float]] | None, shown: tuple[int, int, int], line: int = 1,
) -> None:
    """Android's "Pointer location": the text bar (figures `shown`: pointers down, x, y), the last
    gesture's trail, and while a finger is down (`touch`) the crosshair `line` pixels thick."""
    h, w = img.shape[:2]
    bar = img[status_h : status_h + round(POINTER_BAR * h)]
    bar[:] = (bar.astype(np.uint16) + 255) // 2  # half-transparent white
    # Its figures as words of small text (a line of glyphs a few pixels tall), whose widths follow them.
    x0, top, tall = round(0.03 * w), status_h + 3, max(3, round(POINTER_BAR * h) - 8)
    for k, figure in enumerate(shown):
        fill(img, (x0, top, x0 + 6 + figure % 7 * 3, top + tall), (0, 0, 0))
        x0 += round(0.3 * w) if k else round(0.1 * w)
    if trail is not None:
        _segment(img, trail[0], trail[1], TRAIL, 2)
    if touch is not None:
        # the finger's touch ellipse (its contact size), then the lines across the whole screen
        yy, xx = np.ogrid[0:h, 0:w]
        d = np.hypot((xx + 0.5 - touch[0]) / (0.03 * w), (yy + 0.5 - touch[1]) / (0.036 * w))
        img[np.abs(d - 1.0) * 0.03 * w < 0.6] = ELLIPSE
        cy, cx = min(int(touch[1]), h - line), min(int(touch[0]), w - line)
        img[cy : cy + line] = CROSSHAIR
        img[:, cx : cx + line] = CROSSHAIR


class ListApp:
    """The app's pixels as a function of time (no clock, no indicator)."""

    def __init__(self, width: int, height: int, script: list[Interaction]) -> None:
        self.w, self.h = width, height
        self.status_h = math.ceil(0.04 * max(width, height))
        self.bar_h = round(0.09 * height)
        self.script = script
        card_h, gap = round(0.16 * height), round(0.025 * height)
        self.content = self._long_list(3 * height + 2000, card_h, gap)
        self.base_img = np.zeros((height, width, 3), np.uint8)
        self._cache: dict[object, np.ndarray] = {}

    def _long_list(self, length: int, card_h: int, gap: int) -> np.ndarray:
        img = np.full((length, self.w, 3), 246, np.uint8)
        m = round(0.04 * self.w)
        for i, y in enumerate(range(gap, length - card_h, card_h + gap)):
            fill(img, (m, y, self.w - m, y + card_h), (255, 255, 255))
            fill(img, (m, y, m + card_h, y + card_h), PALETTE[i % len(PALETTE)])
            fill(img, (m + card_h + 10, y + card_h // 4, self.w - 3 * m, y + card_h // 4 + 8), (40, 40, 48))
            fill(img, (m + card_h + 10, y + card_h // 2, self.w - 5 * m, y + card_h // 2 + 6), (140, 140, 150))
        return img

    def _scroll(self, t: float) -> int:
        """Scroll offset in pixels: each swipe adds its drag then a decelerating fling."""
        total = 0.0
        for a in self.script:
            if a.kind != "swipe" or a.ignored or t < a.at + a.response:
                continue
            drag = a.swipe_distance * self.h
            start = a.at + a.response
            drag_end = a.at + a.swipe_seconds
            if t < drag_end:
                total += drag * (t - start) / max(drag_end - start, 1e-6)
                continue
            total += drag
            fling = 1.5 * drag
            u = 1.0 if a.finish <= 0 else min((t - drag_end) / a.finish, 1.0)
            # Half ease-out, half linear: decelerates, yet keeps moving visibly until it stops.
            total += fling * (0.5 * (1 - (1 - u) ** 2) + 0.5 * u)
        return round(total)

    def _sheets(self, t: float) -> list[tuple[int, Rgb, float]]:
        out = []
        for k, a in enumerate(self.script):
            if a.kind != "tap" or a.ignored or t < a.at + a.response:
                continue
            p = 1.0 if a.finish <= 0 else min((t - a.at - a.response) / a.finish, 1.0)
            out.append((k, PALETTE[(3 * k + 1) % len(PALETTE)], max(p, 0.02)))
        return out

    def state(self, t: float) -> tuple[object, ...]:
        return (self._scroll(t), tuple((k, round(p * self.h * 0.6)) for k, _, p in self._sheets(t)))

    def render(self, t: float) -> tuple[object, np.ndarray]:
        key = self.state(t)
        if key in self._cache:
            return key, self._cache[key]
        scroll, sheets = key[0], self._sheets(t)
        img = self.base_img.copy()
        top = self.status_h + self.bar_h
        off = int(scroll) % (self.content.shape[0] - self.h)
        img[top:] = self.content[off : off + self.h - top]
        fill(img, (0, self.status_h, self.w, top), (33, 150, 243))
        fill(img, (round(0.05 * self.w), self.status_h + self.bar_h // 3, round(0.5 * self.w),
                   self.status_h + self.bar_h // 3 + 10), (255, 255, 255))
        for k, colour, p in sheets:
            height = round(p * self.h * 0.6)
            y0 = self.h - height
            fill(img, (0, y0, self.w, self.h), colour)
            fill(img, (round(0.1 * self.w), y0 + 20, round((0.3 + 0.05 * (k % 8)) * self.w), y0 + 34),
                 (255, 255, 255))
        self._cache = {key: img} if len(self._cache) > 64 else {**self._cache, key: img}
        return key, img

    def touch(self, t: float) -> tuple[int, float, float] | None:
        """(interaction index, x, y) in pixels of the finger at time t, if one is down."""
        for k, a in enumerate(self.script):
            if a.kind == "tap" and a.at <= t < a.at + TAP_SECONDS:
                return k, a.x * self.w, a.y * self.h
            if a.kind == "swipe" and a.at <= t < a.at + a.swipe_seconds:
                u = (t - a.at) / a.swipe_seconds
                return k, a.x * self.w, (a.y - a.swipe_distance * u) * self.h
        return None


def _emission_times(app: ListApp, fps: float, seconds: float, vfr: bool, rng: random.Random) -> list[float]:
    n = max(1, round(seconds * fps))
    if not vfr:
        return [k / fps for k in range(n)]
    times: list[float] = []
    last: object = None
    for k in range(n):
        t = k / fps + (rng.uniform(0.0, 0.45) / fps if k else 0.0)
        touch = app.touch(t)
        state = (app.state(t), int(t), touch and (touch[0], round(touch[2])))
        if k == 0 or state != last or rng.random() < 0.2:
            times.append(t)
        last = state
    return times


def _clock(img: np.ndarray, t: float, status_h: int) -> None:
    w = img.shape[1]
    fill(img, (0, 0, w, status_h), (20, 20, 24))
    secs = int(t) + 10 * 3600 + 7 * 60 + 55
    draw_clock(img, f"{secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}", round(0.04 * w),
               status_h // 5, status_h * 3 // 5, (235, 235, 235))
    blend_disc(img, w - status_h, status_h // 2, status_h // 4, (235, 235, 235), 1.0)  # a battery dot


def generate_interactions(
    path: str | os.PathLike[str],
    script: list[Interaction],
    *,
    width: int = 360,
    height: int = 800,
    fps: float = 30.0,
    seconds: float | None = None,
    variable_frame_rate: bool = False,
    show_taps: bool = True,
    pointer_location: bool = False,
    line: int = 1,
    status_bar_clock: bool = True,
    seed: int = 0,
) -> InteractionsTruth:
    """Write the recording of `script` to `path` (MP4, H.264) and return its per-action truth.
    pointer_location: draw the crosshair, touch ellipse, trail and text bar, its lines `line`
    pixels thick (with show_taps too: both are on)."""
    if width % 2 or height % 2:
        raise ValueError("width and height must be even (yuv420p)")
    script = sorted(script, key=lambda a: a.at)
    if seconds is None:
        seconds = (max(a.at + a.swipe_seconds + a.response + a.finish for a in script) + 1.5) if script else 2.0
    app = ListApp(width, height, script)
    times = _emission_times(app, fps, seconds, variable_frame_rate, random.Random(seed))
    changed: list[bool] = []
    touched: list[int | None] = []
    prev_img: np.ndarray | None = None
    gesture: tuple[int, tuple[float, float], tuple[float, float]] | None = None  # index, first, last point
    shown = (0, 0, 0)
    with mp4_writer(path, fps=fps, width=width, height=height) as out:
        for t in times:
            _, img = app.render(t)
            changed.append(prev_img is not None and _differs(img, prev_img, app.status_h))
            prev_img = img
            frame_img = img.copy()
            if status_bar_clock:
                _clock(frame_img, t, app.status_h)
            touch = app.touch(t)
            touched.append(touch[0] if touch else None)
            if touch and pointer_location:
                if gesture is None or gesture[0] != touch[0]:
                    gesture = (touch[0], (touch[1], touch[2]), (touch[1], touch[2]))
                gesture = (gesture[0], gesture[1], (touch[1], touch[2]))
                shown = (1, round(touch[1]), round(touch[2]))
            elif shown[0]:
                shown = (0, shown[1], shown[2])
            if pointer_location:
                draw_pointer_location(frame_img, app.status_h, touch and (touch[1], touch[2]),
                                      gesture and (gesture[1], gesture[2]), shown, line)
            if touch and show_taps:
                draw_touch_indicator(frame_img, touch[1], touch[2])
            out.add(frame_img, t)
    stamps = [out.seconds(i) for i in range(len(times))]
    return InteractionsTruth(_truth(script, touched, changed, stamps), len(times), stamps)


def _truth(
    script: list[Interaction], touched: list[int | None], changed: list[bool], stamps: list[float]
) -> list[ActionTruth]:
    ops = [touched.index(k) for k in range(len(script)) if k in touched]
    actions = []
    for j, op in enumerate(ops):
        end = ops[j + 1] - 1 if j + 1 < len(ops) else len(stamps) - 1
        moved = [i for i in range(op, end + 1) if changed[i]]

        def at(i: int) -> FrameTruth:
            return FrameTruth(i, stamps[i])

        actions.append(
            ActionTruth(at(op), at(moved[0]) if moved else None, at(moved[-1]) if moved else None, at(end))
        )
    return actions
