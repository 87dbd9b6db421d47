"""Synthetic reproductions of the changes real recordings showed a frame-to-frame engine missing.

Each family draws a plain page (white background, lines of "text", an image block) whose one
hard change is the first or the last change, scaled like the real cases (see docs/analysis.md):

* `pointer`      first change: the mouse pointer turns from arrow to hand (0.03 % of the frame)
* `typed_glyph`  last change: one more glyph of a placeholder typed letter by letter
* `scrollbar`    last change: a thin scrollbar fading in over 8 frames after the page completed
* `slow_glow`    last change: a glow brightening by at most 60 levels over 2 s (< 1 level a frame)
* `banner_slide` last change: a banner sliding into place at 3 px, then 2, then 1 px a frame
* `scroll_settle` last change: a list scroll settling exponentially (1 px every few frames at the end)
* `background_step` first change: the whole background steps 255 -> 246 at once (counted)

Truth is computed from the rendered pixels: a frame differs from another when at least 4 pixels
differ by more than 8 levels in a channel (the rule of `recording.py`), or when a square of 1/16 of
the long side differs in mean luma by more than AREA_LEVELS (a faint change over an area is seen).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from typing import Any

import av
import numpy as np

from frame_metric.samples.mp4 import mp4_writer
from frame_metric.samples.recording import GroundTruth, _Camera, _differs

AREA_LEVELS = 2.5

FAMILIES = ("pointer", "typed_glyph", "scrollbar", "slow_glow", "banner_slide", "scroll_settle", "background_step")
# Per family: default (width, height, fps, seconds) — desktop browser or phone, as in the real cases.
_SHAPES: dict[str, tuple[int, int, float, float]] = {
    "pointer": (1280, 720, 30.0, 2.0),
    "typed_glyph": (1280, 720, 30.0, 2.5),
    "scrollbar": (1280, 720, 30.0, 2.0),
    "slow_glow": (1280, 720, 30.0, 3.5),
    "banner_slide": (720, 1600, 60.0, 2.6),
    "scroll_settle": (720, 1600, 60.0, 2.5),
    "background_step": (1280, 720, 30.0, 2.0),
}
TEXT: tuple[int, int, int] = (60, 64, 72)


def _page(w: int, h: int, lines_from: int, offset: int = 0, background: int = 255) -> np.ndarray:
    """A page of text lines (dark bars broken into words) and image blocks, scrolled by offset px."""
    img = np.full((h, w, 3), background, np.uint8)
    line_h = max(6, h // 60)
    pitch = 2 * line_h + 2
    rng = np.random.default_rng(7)
    y, k = lines_from - offset, 0
    while y < h:
        if k % 9 == 4:  # an image block every few lines
            y0 = max(y, 0)
            if y + 5 * pitch > 0:
                img[y0 : max(y + 5 * pitch - line_h, 0), w // 10 : w // 2] = (66, 133, 244)
            y += 5 * pitch
        else:
            x = w // 10
            while x < w * 8 // 10:
                word = int(rng.integers(w // 40, w // 12))
                if y >= 0 and y + line_h <= h:
                    img[y : y + line_h, x : min(x + word, w * 9 // 10)] = TEXT
                x += word + max(4, w // 100)
            y += pitch
        k += 1
    return img


def _visibly_differs(a: np.ndarray, b: np.ndarray) -> bool:
    if _differs(a, b, 0):
        return True
    side = max(a.shape[:2]) // 16
    h, w = a.shape[0] // side * side, a.shape[1] // side * side
    luma = (a[:h, :w].astype(np.float32) - b[:h, :w]) @ np.float32([0.299, 0.587, 0.114])
    means = luma.reshape(h // side, side, w // side, side).mean(axis=(1, 3))
    return bool(np.abs(means).max() > AREA_LEVELS)


def _arrow(size: int) -> np.ndarray:
    yy, xx = np.mgrid[0:size, 0 : size * 3 // 4]
    return (xx <= yy * 0.72) & (yy < size * 0.85) | ((np.abs(xx - yy * 0.4) < size * 0.1) & (yy >= size * 0.6))


def _hand(size: int) -> np.ndarray:
    yy, xx = np.mgrid[0:size, 0 : size * 3 // 4]
    w = size * 3 // 4
    finger = (np.abs(xx - w * 0.35) < size * 0.1) & (yy < size * 0.6)
    palm = (yy >= size * 0.45) & (xx >= w * 0.1) & (xx < w * 0.95)
    return finger | palm


def _stamp(img: np.ndarray, mask: np.ndarray, x: int, y: int) -> None:
    """A black shape with a white outline, like a pointer."""
    h, w = mask.shape
    pad = np.zeros((h + 2, w + 2), bool)
    pad[1:-1, 1:-1] = mask
    outline = pad[:-2, 1:-1] | pad[2:, 1:-1] | pad[1:-1, :-2] | pad[1:-1, 2:]
    region = img[y : y + h, x : x + w]
    region[outline & ~mask] = 255
    region[mask] = 0


Render = Callable[[int], np.ndarray]


def _family(name: str, w: int, h: int, fps: float, n: int) -> Render:
    """render(i) -> RGB frame i of the family's scene (deterministic, no noise)."""
    base = _page(w, h, h // 10)
    t1, t2 = round(0.6 * fps), round(1.0 * fps)  # two moments: a change, then the next

    def with_block(img: np.ndarray) -> np.ndarray:
        out = img.copy()
        out[h // 12 : h // 12 + h // 20, w // 10 : w * 6 // 10] = (219, 68, 55)  # a title bar loads
        return out

    if name == "pointer":
        size = round(0.0165 * w)  # 21 px on 1280: 33x42 on 2732 scaled
        arrow, hand = _arrow(size), _hand(size)
        loaded = with_block(base)

        def render(i: int) -> np.ndarray:
            img = (loaded if i >= t2 else base).copy()
            _stamp(img, hand if i >= t1 else arrow, w * 6 // 10, h // 2)
            return img

        return render
    if name == "typed_glyph":
        gw, gh = max(3, round(0.0073 * w)), max(4, round(0.0092 * w))  # ~20x25 on 2732
        field = (w // 10, h * 9 // 10 - gh - 4)
        loaded = with_block(base)
        loaded[field[1] - 4 : field[1] + gh + 4, field[0] - 4 : field[0] + 40 * gw] = (235, 235, 240)
        letters = 6

        def render(i: int) -> np.ndarray:
            if i < t1:
                return base
            img = loaded.copy()
            typed = min(letters, max(0, (i - t2) // max(1, round(0.15 * fps)) + 1)) if i >= t2 else 0
            for k in range(typed):
                x = field[0] + k * (gw + max(1, gw // 3))
                img[field[1] : field[1] + gh, x : x + gw] = (150, 150, 156)
                img[field[1] + gh // 3 : field[1] + gh * 2 // 3, x + 1 : x + gw - 1] = 235  # a counter
            return img

        return render
    if name == "scrollbar":
        bw, bh = max(3, round(0.003 * w)), round(0.06 * w)  # 8x160 on 2732
        loaded = with_block(base)
        fade = 8

        def render(i: int) -> np.ndarray:
            if i < t1:
                return base
            img = loaded.copy()
            a = min(1.0, max(0, i - t2 + 1) / fade)
            x0, y0 = w - bw - 2, h // 5
            img[y0 : y0 + bh, x0 : x0 + bw] = np.round(255 * (1 - a) + 120 * a).astype(np.uint8)
            return img

        return render
    if name == "slow_glow":
        loaded = with_block(base)
        hero = (slice(h // 3, h * 5 // 6), slice(w // 2, w * 9 // 10))
        loaded[hero] = (24, 28, 44)  # a dark hero area the glow rises in
        yy, xx = np.mgrid[0:h, 0:w]
        shape = np.clip(1.0 - np.hypot(xx - w * 0.7, yy - h * 0.6) / (0.15 * w), 0.0, 1.0) ** 0.5
        glow_frames = round(2.0 * fps)

        def render(i: int) -> np.ndarray:
            if i < t1:
                return base
            a = min(1.0, max(0, i - t2) / glow_frames)  # linear: under 1 level a frame
            img = loaded.astype(np.int16)
            img[hero] += np.round(60.0 * a * shape[hero]).astype(np.int16)[..., None]
            return np.clip(img, 0, 255).astype(np.uint8)

        return render
    if name == "banner_slide":
        bh = h // 12
        banner = np.full((bh, w, 3), (244, 180, 0), np.uint8)
        banner[bh // 3 : bh * 2 // 3, w // 10 : w // 2] = TEXT
        steps = [3] * 12 + [2] * 12 + [1] * 14  # px per frame, decelerating into place
        start = w * 0 + sum(steps)  # offset to the right at the start of the slide
        loaded = with_block(base)

        def render(i: int) -> np.ndarray:
            if i < t1:
                return base
            img = loaded.copy()
            moved = sum(steps[: max(0, i - t2)])
            x = start - moved
            img[h // 4 : h // 4 + bh, x:] = banner[:, : w - x]
            return img

        return render
    if name == "scroll_settle":
        distance, tau = round(0.25 * h), 0.15  # px, s: last 1-px steps come every 5-10 frames

        def render(i: int) -> np.ndarray:
            if i < t1:
                return _page(w, h, h // 10)
            off = round(distance * (1 - math.exp(-(i - t1) / fps / tau)))
            return _page(w, h, h // 10, off)

        return render
    if name == "background_step":
        stepped = _page(w, h, h // 10, background=246)
        loaded = with_block(stepped)

        def render(i: int) -> np.ndarray:
            return base if i < t1 else stepped if i < t2 else loaded

        return render
    raise ValueError(f"unknown family {name!r}: one of {', '.join(FAMILIES)}")


def generate_family(
    path: str | os.PathLike[str],
    family: str,
    *,
    width: int | None = None,
    height: int | None = None,
    fps: float | None = None,
    seconds: float | None = None,
    noise: float = 0.0,
    crf: int = 18,
    seed: int = 0,
) -> GroundTruth:
    """Write one failure-family recording (H.264 MP4, constant frame rate) and return its truth."""
    if family not in _SHAPES:
        raise ValueError(f"unknown family {family!r}: one of {', '.join(FAMILIES)}")
    dw, dh, dfps, dsec = _SHAPES[family]
    w, h, fps, seconds = width or dw, height or dh, fps or dfps, seconds or dsec
    n = max(2, round(seconds * fps))
    render = _family(family, w, h, fps, n)
    camera = _Camera(h, w, noise, 0.0, seed)
    first_img, final_img = render(0), render(n - 1)
    first = last = None
    with mp4_writer(path, fps=fps, width=w, height=h, opts={"crf": crf}) as out:
        for i in range(n):
            img = render(i)
            if first is None and _visibly_differs(img, first_img):
                first = i
            if _visibly_differs(img, final_img):
                last = i + 1
            out.add(camera(img, i / fps), i / fps)
    if first is None:
        return GroundTruth(None, None, None, None, n)
    last = max(last or 0, first)
    return GroundTruth(first, last, out.seconds(first), out.seconds(last), n)


def family_defaults(family: str) -> dict[str, Any]:
    w, h, fps, seconds = _SHAPES[family]
    return {"width": w, "height": h, "fps": fps, "seconds": seconds}


def contact_sheet(path: str | os.PathLike[str], truth: GroundTruth, width: int = 200) -> Any:
    """A PIL image of a recording's frames around its truth: before first, first, before last, last;
    under each pair, a 4x zoom of where the pair differs most (small changes stay visible)."""
    from PIL import Image, ImageDraw

    assert truth.first_frame is not None and truth.last_frame is not None
    wanted = [max(truth.first_frame - 1, 0), truth.first_frame, max(truth.last_frame - 1, 0), truth.last_frame]
    with av.open(os.fspath(path)) as container:
        frames = {i: f.to_ndarray(format="rgb24") for i, f in enumerate(container.decode(video=0)) if i in wanted}
    h, w = frames[wanted[0]].shape[:2]
    th = round(width * h / w)
    zoom = width
    sheet = Image.new("RGB", (4 * width, th + zoom + 16), "white")
    draw = ImageDraw.Draw(sheet)
    for k, i in enumerate(wanted):
        sheet.paste(Image.fromarray(frames[i]).resize((width, th), Image.LANCZOS), (k * width, 16))
        draw.text((k * width + 4, 2), f"#{i}", fill=(0, 0, 0))
    for pair in (0, 1):
        a, b = frames[wanted[2 * pair]].astype(np.int16), frames[wanted[2 * pair + 1]].astype(np.int16)
        d = np.abs(a - b).max(axis=2)
        cy, cx = np.unravel_index(int(np.argmax(d)), d.shape) if d.max() else (h // 2, w // 2)
        r = max(8, zoom // 8)  # a (2r x 2r) window shown 4x
        y0, x0 = min(max(cy - r, 0), h - 2 * r), min(max(cx - r, 0), w - 2 * r)
        for k, img in enumerate((a, b)):
            crop = Image.fromarray(img[y0 : y0 + 2 * r, x0 : x0 + 2 * r].astype(np.uint8))
            sheet.paste(crop.resize((width, zoom), Image.NEAREST), ((2 * pair + k) * width, 16 + th))
    return sheet
