"""Pictures to blend codes into, made here: a busy photo-like still in each format and a small GIF."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from PIL import Image, ImageDraw


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


@pytest.fixture(scope="session")
def pictures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("qr-pictures")
    still = busy_picture(240, 180, seed=7)
    made = {}
    for kind, name in {"PNG": "photo.png", "JPEG": "photo.jpg", "BMP": "photo.bmp"}.items():
        made[kind] = folder / name
        still.save(made[kind], format=kind)
    frames = [busy_picture(120, 120, seed=seed) for seed in range(5)]
    made["GIF"] = folder / "clip.gif"
    frames[0].save(made["GIF"], save_all=True, append_images=frames[1:], duration=80, loop=0)
    return made
