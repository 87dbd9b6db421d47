"""Pictures to blend codes into, made here: a busy photo-like still in each format and a small GIF."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.qr_decoding import busy_picture


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
