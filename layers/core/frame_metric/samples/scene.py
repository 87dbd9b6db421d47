"""A drawn phone screen: home screen, tap, app launch, content loading.

Everything is plain numpy on an RGB canvas so a 3 s clip renders in milliseconds. The scene is split
in two layers on purpose:

* the *scene* layer (`Scene.render`) is what the ground truth is computed from;
* the *overlay* layer (`Scene.overlay`) holds what a person must not count as "the app changed":
  the status-bar clock, a blinking cursor, a looping banner. The analysis engine has to find and
  ignore those on its own, so the ground truth must not see them either.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Rgb = tuple[int, int, int]
Rect = tuple[int, int, int, int]  # x0, y0, x1, y1 (exclusive)

BRAND: Rgb = (226, 88, 34)
# Two colours with the same BT.601 luma (0.299 R + 0.587 G + 0.114 B = 114.85 vs 114.75) but very
# different chroma: a person sees red turn green, a luma-only detector sees nothing.
ISO_A: Rgb = (220, 70, 70)
ISO_B: Rgb = (52, 155, 72)
PALETTE: tuple[Rgb, ...] = (
    (66, 133, 244),
    (219, 68, 55),
    (244, 180, 0),
    (15, 157, 88),
    (171, 71, 188),
    (0, 172, 193),
    (255, 112, 67),
    (92, 107, 192),
    (124, 179, 66),
    (240, 98, 146),
    (38, 166, 154),
    (141, 110, 99),
)
_DIGITS = {  # seven-segment masks: a b c d e f g
    "0": "abcdef",
    "1": "bc",
    "2": "abdeg",
    "3": "abcdg",
    "4": "bcfg",
    "5": "acdfg",
    "6": "acdefg",
    "7": "abc",
    "8": "abcdefg",
    "9": "abcdfg",
}


def fill(img: np.ndarray, rect: Rect, colour: Rgb) -> None:
    x0, y0, x1, y1 = rect
    img[max(y0, 0) : max(y1, 0), max(x0, 0) : max(x1, 0)] = colour


def blend_disc(img: np.ndarray, cx: int, cy: int, r: int, colour: Rgb, alpha: float) -> None:
    h, w = img.shape[:2]
    y0, y1, x0, x1 = max(cy - r, 0), min(cy + r + 1, h), max(cx - r, 0), min(cx + r + 1, w)
    yy, xx = np.ogrid[y0:y1, x0:x1]
    inside = (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r
    patch = img[y0:y1, x0:x1].astype(np.float32)
    patch[inside] = patch[inside] * (1 - alpha) + np.asarray(colour, np.float32) * alpha
    img[y0:y1, x0:x1] = patch.round().astype(np.uint8)


def draw_clock(img: np.ndarray, text: str, x: int, y: int, height: int, colour: Rgb) -> None:
    """Seven-segment digits: enough for a clock that visibly ticks."""
    t = max(1, height // 7)
    w = max(3 * t, height // 2)
    half = height // 2
    for ch in text:
        if ch == ":":
            fill(img, (x + t, y + half // 2, x + 2 * t, y + half // 2 + t), colour)
            fill(img, (x + t, y + height - half // 2 - t, x + 2 * t, y + height - half // 2), colour)
            x += 3 * t
            continue
        segs = {
            "a": (x, y, x + w, y + t),
            "d": (x, y + height - t, x + w, y + height),
            "g": (x, y + half - t // 2, x + w, y + half - t // 2 + t),
            "f": (x, y, x + t, y + half),
            "e": (x, y + half, x + t, y + height),
            "b": (x + w - t, y, x + w, y + half),
            "c": (x + w - t, y + half, x + w, y + height),
        }
        for s in _DIGITS[ch]:
            fill(img, segs[s], colour)
        x += w + 2 * t


@dataclass(frozen=True)
class Timeline:
    """When each phase of the launch happens, in seconds."""

    tap: float
    zoom_start: float
    zoom_end: float
    step_times: tuple[float, ...]  # content steps (empty when the content fades in)
    fade_start: float | None  # content fades in from the splash, from here to content_done
    content_done: float  # main content complete
    late_change: float | None  # small badge / isoluminant colour change, the final change
    end: float  # tap + load_seconds: from here on the scene is stable


class Scene:
    def __init__(
        self,
        width: int,
        height: int,
        timeline: Timeline | None,
        *,
        steps: int = 3,
        small_late_change: bool = False,
        isoluminant: bool = False,
        cursor: bool = False,
        banner: bool = False,
    ) -> None:
        self.w, self.h = width, height
        self.tl = timeline
        self.steps = steps
        self.small_late_change, self.isoluminant = small_late_change, isoluminant
        self.cursor, self.banner = cursor, banner
        self.status_h = math.ceil(0.04 * max(width, height))
        self.landscape = width > height
        self._cache: dict[object, np.ndarray] = {}
        self._layout()

    # -- layout -------------------------------------------------------------------------------------
    def _layout(self) -> None:
        w, h, s = self.w, self.h, self.status_h
        cols, rows = (7, 3) if self.landscape else (4, 5)
        cell_w, cell_h = w // cols, (h - s) * 3 // 4 // rows
        icon = int(min(cell_w, cell_h) * 0.62)
        self.icons: list[Rect] = []
        for r in range(rows):
            for c in range(cols):
                x0 = c * cell_w + (cell_w - icon) // 2
                y0 = s + cell_h // 3 + r * cell_h
                self.icons.append((x0, y0, x0 + icon, y0 + icon))
        self.tap_icon = self.icons[cols + 1]
        # A tap highlight covers about 1% of the screen, as on real recordings.
        self.tap_radius = round(math.sqrt(0.01 * w * h / math.pi))
        self.appbar = (0, s, w, s + round(0.09 * min(w, h) * (1.6 if not self.landscape else 1.0)))
        top = self.appbar[3] + round(0.03 * h)
        self.banner_rect = (round(0.04 * w), top, round(0.96 * w), top + round(0.12 * h))
        self.search = (round(0.06 * w), s + round(0.02 * min(w, h)), round(0.8 * w), self.appbar[3] - 6)
        ncol = 3 if self.landscape else 2
        card_top = self.banner_rect[3] + round(0.03 * h)
        gap = round(0.03 * w)
        card_w = (w - gap * (ncol + 1)) // ncol
        card_h = round(0.22 * h) if not self.landscape else round(0.3 * h)
        self.cards: list[Rect] = []
        for i in range(2 * ncol):
            r, c = divmod(i, ncol)
            x0, y0 = gap + c * (card_w + gap), card_top + r * (card_h + gap)
            if y0 + card_h < h - round(0.1 * h):
                self.cards.append((x0, y0, x0 + card_w, y0 + card_h))
        self.nav = (0, h - round(0.07 * h), w, h)
        bx = self.cards[0]
        self.button = (
            bx[0],
            self.nav[1] - round(0.08 * h),
            bx[0] + round(0.42 * w),
            self.nav[1] - round(0.02 * h),
        )
        c0 = self.cards[-1]
        self.badge = (
            c0[2] - round(0.05 * min(w, h)),
            c0[1] + round(0.05 * min(w, h)),
            round(0.028 * min(w, h)),
        )

    # -- screens ------------------------------------------------------------------------------------
    def _home(self) -> np.ndarray:
        if "home" not in self._cache:
            ramp = np.linspace(0, 1, self.h, dtype=np.float32)[:, None, None]
            top, bottom = np.array([28, 40, 84], np.float32), np.array([86, 44, 104], np.float32)
            img = np.broadcast_to(top * (1 - ramp) + bottom * ramp, (self.h, self.w, 3)).round()
            img = np.ascontiguousarray(img.astype(np.uint8))
            for i, (x0, y0, x1, y1) in enumerate(self.icons):
                fill(img, (x0, y0, x1, y1), PALETTE[i % len(PALETTE)])
                fill(
                    img,
                    (x0 + (x1 - x0) // 4, y0 + (y1 - y0) // 4, x1 - (x1 - x0) // 4, y1 - (y1 - y0) // 4),
                    (250, 250, 250),
                )
                fill(img, (x0, y1 + 4, x1, y1 + 4 + max(2, (y1 - y0) // 8)), (200, 200, 210))
            self._cache["home"] = img
        return self._cache["home"]

    def _splash_into(self, img: np.ndarray, rect: Rect) -> None:
        x0, y0, x1, y1 = rect
        fill(img, rect, BRAND)
        r = max(1, min(x1 - x0, y1 - y0) // 6)
        blend_disc(img, (x0 + x1) // 2, (y0 + y1) // 2, r, (255, 255, 255), 1.0)

    def _content_groups(self) -> list[Callable[[np.ndarray], None]]:
        def skeleton(img: np.ndarray) -> None:
            img[self.status_h :] = (250, 250, 250)
            fill(img, self.appbar, BRAND)
            fill(img, self.search, (255, 255, 255))
            fill(img, self.banner_rect, (225, 225, 230))
            for c in self.cards:
                fill(img, c, (232, 232, 236))

        def images(img: np.ndarray) -> None:
            for i, (x0, y0, x1, y1) in enumerate(self.cards):
                fill(img, (x0, y0, x1, y0 + (y1 - y0) * 3 // 5), PALETTE[(i * 5 + 2) % len(PALETTE)])

        def titles(img: np.ndarray) -> None:
            for x0, y0, x1, y1 in self.cards:
                ty = y0 + (y1 - y0) * 2 // 3
                fill(img, (x0 + 8, ty, x1 - (x1 - x0) // 4, ty + max(3, (y1 - y0) // 14)), (40, 40, 48))

        def body(img: np.ndarray) -> None:
            for x0, y0, x1, y1 in self.cards:
                ty = y0 + (y1 - y0) * 5 // 6
                fill(img, (x0 + 8, ty, x1 - 8, ty + max(2, (y1 - y0) // 20)), (120, 120, 128))

        def nav(img: np.ndarray) -> None:
            fill(img, self.nav, (245, 245, 248))
            n = 4
            for i in range(n):
                cx = self.w * (2 * i + 1) // (2 * n)
                blend_disc(
                    img,
                    cx,
                    (self.nav[1] + self.nav[3]) // 2,
                    max(3, (self.nav[3] - self.nav[1]) // 4),
                    BRAND if i == 0 else (150, 150, 160),
                    1.0,
                )

        def button(img: np.ndarray) -> None:
            fill(img, self.button, ISO_A if self.isoluminant else BRAND)

        return [skeleton, images, titles, body, nav, button]

    def _content(self, step: int, late: bool) -> np.ndarray:
        key = ("content", step, late)
        if key not in self._cache:
            img = self._home().copy()
            groups = self._content_groups()
            upto = math.ceil((step + 1) * len(groups) / self.steps)
            for g in groups[:upto]:
                g(img)
            if late and self.small_late_change:
                cx, cy, r = self.badge
                blend_disc(img, cx, cy, r, (229, 57, 53), 1.0)
            if late and self.isoluminant:
                fill(img, self.button, ISO_B)
            self._cache[key] = img
        return self._cache[key]

    def render(self, t: float) -> tuple[object, np.ndarray]:
        """The scene (no clock, cursor or banner motion) at time t, and a key naming that state."""
        tl = self.tl
        if tl is None or t < tl.tap:
            return ("home",), self._home()
        if t < tl.zoom_start:
            if "tap" not in self._cache:
                img = self._home().copy()
                x0, y0, x1, y1 = self.tap_icon
                blend_disc(img, (x0 + x1) // 2, (y0 + y1) // 2, self.tap_radius, (255, 255, 255), 0.45)
                self._cache["tap"] = img
            return ("tap",), self._cache["tap"]
        if t < tl.zoom_end:
            p = (t - tl.zoom_start) / (tl.zoom_end - tl.zoom_start)
            p = 1 - (1 - p) ** 2  # ease-out, like the platform's launch animation
            x0, y0, x1, y1 = self.tap_icon
            rect = (
                round(x0 * (1 - p)),
                round(y0 * (1 - p)),
                round(x1 + (self.w - x1) * p),
                round(y1 + (self.h - y1) * p),
            )
            img = self._home().copy()
            self._splash_into(img, rect)
            return ("zoom", rect), img
        final_late = tl.late_change is not None and t >= tl.late_change
        if tl.fade_start is not None:
            if t < tl.fade_start:
                return self._splash()
            last = self.steps - 1
            if t >= tl.content_done:
                return ("content", last, final_late), self._content(last, final_late)
            a = (t - tl.fade_start) / (tl.content_done - tl.fade_start)
            img = (self._splash()[1] * (1 - a) + self._content(last, False) * a).round().astype(np.uint8)
            return ("fade", round(a, 6)), img
        step = sum(1 for s in tl.step_times if t >= s) - 1
        if step < 0:
            return self._splash()
        return ("content", step, final_late), self._content(step, final_late)

    def _splash(self) -> tuple[object, np.ndarray]:
        if "splash" not in self._cache:
            img = self._home().copy()
            self._splash_into(img, (0, 0, self.w, self.h))
            self._cache["splash"] = img
        return ("splash",), self._cache["splash"]

    # -- overlays: what changes but is not "the app changing" ---------------------------------------
    def overlay(self, img: np.ndarray, t: float, clock: bool) -> None:
        tl = self.tl
        if clock:
            fill(img, (0, 0, self.w, self.status_h), (20, 20, 24))
            secs = int(t) + 9 * 60 + 41  # starts at 00:09:41 and ticks every second
            text = f"{secs // 3600 % 24:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}"
            draw_clock(img, text, round(0.04 * self.w), self.status_h // 5, self.status_h * 3 // 5, (235, 235, 235))
        if tl is None:
            return
        loaded = tl.step_times[0] if tl.step_times else tl.fade_start
        if self.banner and loaded is not None and t >= loaded:
            # A carousel that scrolls forever: stripes moving a few pixels every frame.
            x0, y0, x1, y1 = self.banner_rect
            period = max(8, (x1 - x0) // 5)
            xs = (np.arange(x0, x1) + int(t * 90)) % period < period // 2
            band = np.where(xs[None, :, None], np.array(PALETTE[0], np.uint8), np.array(PALETTE[2], np.uint8))
            img[y0:y1, x0:x1] = band
        if self.cursor and t >= tl.end and int((t - tl.end) / 0.5) % 2 == 0:
            x0, y0, x1, y1 = self.search
            cx = x0 + (x1 - x0) // 3
            fill(img, (cx, y0 + (y1 - y0) // 5, cx + max(2, self.w // 180), y1 - (y1 - y0) // 5), (30, 30, 30))
