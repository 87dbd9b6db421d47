"""Reading QR codes back in tests, the way a scanner would (and busy pictures to blend them into).

Plain codes: OpenCV's QRCodeDetector. Artistic and animated codes (a picture fills most of every module):
zxing-cpp on the image itself, and, independently, the centre of every module sampled at the geometry
amzqr draws (9 x 9 pixels a module, a 4-module quiet zone), redrawn clean and read by OpenCV.
"""

from __future__ import annotations

import io
import random

import cv2
import numpy as np
import zxingcpp
from PIL import Image, ImageDraw, ImageSequence

PIXELS_PER_MODULE = 9
QUIET_ZONE = 4


def frames_of(content: bytes) -> list[Image.Image]:
    with Image.open(io.BytesIO(content)) as image:
        return [frame.convert("RGB") for frame in ImageSequence.Iterator(image)]


def opencv_text(image: Image.Image | np.ndarray) -> str:
    """OpenCV's classic detector, then its ArUco-based one: the classic one misses some perfectly clean
    codes at some sizes (segno's own rendering of one version 8 code at 9 px a module, for one)."""
    pixels = np.asarray(image.convert("L")) if isinstance(image, Image.Image) else image
    text, _, _ = cv2.QRCodeDetector().detectAndDecode(pixels)
    if not text:
        text, _, _ = cv2.QRCodeDetectorAruco().detectAndDecode(pixels)
    return text


def zxing_texts(image: Image.Image) -> list[str]:
    return [found.text for found in zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)]


def module_centres(image: Image.Image) -> tuple[bytes, ...]:
    """The matrix as the centre pixel of each module shows it (1 = dark)."""
    side = image.width
    assert image.height == side and side % PIXELS_PER_MODULE == 0, f"unexpected geometry {image.size}"
    modules = side // PIXELS_PER_MODULE - 2 * QUIET_ZONE
    grey = np.asarray(image.convert("L"))
    centre = [(index + QUIET_ZONE) * PIXELS_PER_MODULE + PIXELS_PER_MODULE // 2 for index in range(modules)]
    return tuple(bytes(int(grey[y, x] < 128) for x in centre) for y in centre)


def clean_image(rows: tuple[bytes, ...], scale: int = 6) -> np.ndarray:
    size = (len(rows) + 2 * QUIET_ZONE) * scale
    image = Image.new("L", (size, size), 255)
    draw = ImageDraw.Draw(image)
    for y, row in enumerate(rows):
        for x, dark in enumerate(row):
            if dark:
                left, top = (x + QUIET_ZONE) * scale, (y + QUIET_ZONE) * scale
                draw.rectangle([left, top, left + scale - 1, top + scale - 1], fill=0)
    return np.asarray(image)


def assert_plain_scans(content: bytes, words: str) -> None:
    frames = frames_of(content)
    assert len(frames) == 1
    assert opencv_text(frames[0]) == words


def assert_every_frame_scans(content: bytes, words: str, expected: tuple[bytes, ...] | None = None) -> int:
    """Each frame read by zxing-cpp and by its module centres; returns the number of frames."""
    frames = frames_of(content)
    for number, frame in enumerate(frames):
        assert zxing_texts(frame) == [words], f"frame {number}: zxing-cpp read {zxing_texts(frame)!r}"
        centres = module_centres(frame)
        if expected is not None:
            assert centres == expected, f"frame {number}: module centres differ from the reference matrix"
        assert opencv_text(clean_image(centres)) == words, f"frame {number}: module centres do not read back"
    return len(frames)


def busy_picture(width: int, height: int, seed: int) -> Image.Image:
    """Gradients and overlapping discs: dark and light areas under the code, like a real photo."""
    rng = random.Random(seed)
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        draw.line([(0, y), (width, y)], fill=(y * 255 // height, 120, 255 - y * 255 // height))
    for _ in range(25):
        x, y, r = rng.randrange(width), rng.randrange(height), rng.randrange(8, max(9, width // 5))
        draw.ellipse([x - r, y - r, x + r, y + r], fill=tuple(rng.randrange(256) for _ in range(3)))
    return image
