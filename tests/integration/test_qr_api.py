"""The QR API over real HTTP on the embedded local cloud: images that scan to exactly the words, clear
{"detail"} errors for bad input and hostile pictures, and parallel requests that never mix."""

from __future__ import annotations

import io
import struct
import tempfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from frame_metric.cli.main import main as cli_main
from tests.qr_decoding import assert_every_frame_scans, assert_plain_scans, busy_picture

CHINESE = "你好，世界！性能测试二维码"
URL = "https://example.com/路径?q=帧率&x=1#top"


@pytest.fixture(scope="module")
def photo() -> bytes:
    out = io.BytesIO()
    busy_picture(200, 150, seed=3).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture(scope="module")
def clip() -> bytes:
    frames = [busy_picture(96, 96, seed=seed) for seed in range(4)]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


def post_picture(api: str, kind: str, picture: bytes, name: str, **fields: Any) -> requests.Response:
    form = {key: str(value).lower() if isinstance(value, bool) else str(value) for key, value in fields.items()}
    return requests.post(f"{api}/qr/{kind}", data=form, files={"picture": (name, picture)}, timeout=60)


@pytest.mark.parametrize(("body", "version"), [({"words": CHINESE}, None), ({"words": URL, "level": "L"}, None),
                                               ({"words": "HELLO", "version": 12, "level": "Q"}, 12),
                                               # the original API's example: version 1 raised to 3
                                               ({"words": "https://example.com", "version": 1, "level": "H"}, 3)])
def test_simple_answers_a_png_that_scans(api: str, body: dict[str, Any], version: int | None) -> None:
    response = requests.post(f"{api}/qr/simple", json=body, timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-QR-Level"] == body.get("level", "H")
    if version is not None:
        assert response.headers["X-QR-Version"] == str(version)
    assert_plain_scans(response.content, body["words"])


def test_artistic_answers_a_png_that_scans(api: str, photo: bytes) -> None:
    response = post_picture(api, "artistic", photo, "photo.jpg", words=URL, colorized=True, version=6, level="M",
                            contrast=1.5, brightness=1.1)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "image/png" and response.headers["X-QR-Version"] == "6"
    assert_every_frame_scans(response.content, URL)


def test_animated_answers_a_gif_whose_every_frame_scans(api: str, clip: bytes) -> None:
    response = post_picture(api, "animated", clip, "clip.gif", words=CHINESE, colorized=False)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "image/gif"
    assert assert_every_frame_scans(response.content, CHINESE) == 4


def _bomb_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 60000, 60000, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def test_bad_input_gets_a_clear_4xx(api: str, photo: bytes, clip: bytes) -> None:
    cases = [
        (requests.post(f"{api}/qr/simple", json={"words": "x" * 100, "version": 2, "exact_version": True},
                       timeout=30), 400, "do not fit in a version 2"),
        (requests.post(f"{api}/qr/simple", json={"words": "中" * 3000}, timeout=30), 400, "too long for any QR code"),
        (requests.post(f"{api}/qr/simple", json={"words": "x", "level": "X"}, timeout=30), 422, "level"),
        (requests.post(f"{api}/qr/simple", json={"words": "x", "contrast": 5}, timeout=30), 422, "contrast"),
        (requests.post(f"{api}/qr/simple", json={"words": ""}, timeout=30), 422, "words"),
        (requests.post(f"{api}/qr/simple", data=b"{not json", headers={"Content-Type": "application/json"},
                       timeout=30), 400, "not valid JSON"),
        (post_picture(api, "artistic", b"", "photo.png", words="x"), 400, "empty"),
        (post_picture(api, "artistic", b"<svg></svg>" * 10, "photo.png", words="x"), 415, "judged by its content"),
        (post_picture(api, "artistic", clip, "photo.png", words="x"), 415, "qr/animated"),
        (post_picture(api, "animated", photo, "clip.gif", words="x"), 415, "takes GIF"),
        (post_picture(api, "artistic", _bomb_png(), "photo.png", words="x"), 413, "too large"),
        (post_picture(api, "artistic", photo[: len(photo) // 2], "photo.jpg", words="x"), 400, "damaged"),
        (post_picture(api, "artistic", photo, "photo.jpg", words="x", version=41), 422, "version"),
        (post_picture(api, "artistic", photo, "photo.jpg", words="x", colorized="perhaps"), 422, "colorized"),
        (post_picture(api, "artistic", photo, "photo.jpg", words="x", shape="round"), 422, "shape"),
        (requests.post(f"{api}/qr/artistic", data={"words": "x"}, files={"other": ("a.png", photo)}, timeout=30),
         400, "no picture"),
        (post_picture(api, "artistic", b"\x89PNG" + b"\x00" * (4 * 1024 * 1024), "big.png", words="x"), 413,
         "over the limit"),
    ]
    for response, status, words in cases:
        assert response.status_code == status, (status, words, response.text)
        assert words in response.json()["detail"], response.text


def test_parallel_requests_never_mix(api: str, photo: bytes, clip: bytes) -> None:
    def make(index: int) -> tuple[str, requests.Response]:
        words = f"并发 {index} https://example.com/{index}"
        if index % 3 == 0:
            return words, requests.post(f"{api}/qr/simple", json={"words": words}, timeout=60)
        if index % 3 == 1:
            return words, post_picture(api, "artistic", photo, "p.jpg", words=words, colorized=index % 2 == 0)
        return words, post_picture(api, "animated", clip, "c.gif", words=words)

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(make, range(15)))
    # Each request's directory is gone once it is answered (the API runs in this process here).
    assert not list(Path(tempfile.gettempdir()).glob("frame-metric-qr-*"))
    for index, (words, response) in enumerate(answers):
        assert response.status_code == 200, response.text
        if index % 3 == 0:
            assert_plain_scans(response.content, words)
        else:
            assert_every_frame_scans(response.content, words)


def test_cli_makes_codes_through_the_api(api: str, tmp_path: Path, photo: bytes, capsys: pytest.CaptureFixture[str],
                                         ) -> None:
    base = api.removesuffix("/api/v1")
    picture = tmp_path / "photo.jpg"
    picture.write_bytes(photo)
    out = tmp_path / "code.png"
    assert cli_main(["qr", "artistic", CHINESE, str(picture), "--colorized", "-o", str(out), "--api", base]) == 0
    assert "version" in capsys.readouterr().out
    assert_every_frame_scans(out.read_bytes(), CHINESE)
    assert cli_main(["qr", "simple", "x" * 100, "--version", "2", "-o", str(out), "--api", base]) == 0
    assert "version 10" in capsys.readouterr().out  # raised to the smallest that fits
    assert cli_main(["qr", "simple", "x" * 100, "--version", "2", "--exact-version", "-o", str(out),
                     "--api", base]) == 2
    assert "HTTP 400" not in (err := capsys.readouterr().err) and "do not fit in a version 2" in err
