"""Hostile and broken pictures get a clear 4xx before amzqr sees them; nothing is left on disk, ever,
also with many requests at once."""

from __future__ import annotations

import io
import struct
import tempfile
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image

from frame_metric.errors import BadRequest, FrameMetricError, PayloadTooLarge, UnsupportedMedia
from frame_metric.qr import PictureLimits, PictureQRCodeRequest, QRCodeRequest, QrImage, QrLimits, QrService
from tests.qr_decoding import assert_every_frame_scans, assert_plain_scans

REQUEST = PictureQRCodeRequest(words="https://example.com/qr")


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every temporary file of the process goes here, and here must be empty again afterwards."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
    assert list(folder.iterdir()) == [], "temporary files were left behind"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares width x height and holds almost nothing: a decompression bomb's header."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = chunk(b"IDAT", zlib.compress(b"\x00" * 64))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + pixels + chunk(b"IEND", b"")


def gif_header(width: int, height: int) -> bytes:
    screen = struct.pack("<HHBBB", width, height, 0, 0, 0)
    image = b"\x2c" + struct.pack("<HHHHB", 0, 0, width, height, 0) + b"\x02\x02\x44\x01\x00"
    return b"GIF89a" + screen + image + b"\x3b"


def gif_frames(path: Path, count: int, size: int) -> Path:
    # Alternate colours: Pillow merges identical neighbouring frames.
    frames = [Image.new("L", (size, size), 255 * (index % 2)) for index in range(count)]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=20, loop=0)
    return path


def test_empty_upload(tmp_path: Path, scratch: Path) -> None:
    with pytest.raises(BadRequest, match="empty"):
        QrService().artistic(REQUEST, write(tmp_path, "photo.png", b""))


@pytest.mark.parametrize("data", [b"<html><body>not a picture</body></html>", b"\x00" * 100, b"%PDF-1.7\n" * 10,
                                  b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 64])
def test_type_is_judged_by_content_not_by_name(tmp_path: Path, scratch: Path, data: bytes) -> None:
    with pytest.raises(UnsupportedMedia, match="judged by its content"):
        QrService().artistic(REQUEST, write(tmp_path, "photo.png", data))


def test_a_still_picture_is_not_an_animation(tmp_path: Path, scratch: Path, pictures: dict[str, Path]) -> None:
    renamed = write(tmp_path, "clip.gif", pictures["PNG"].read_bytes())
    with pytest.raises(UnsupportedMedia, match="is a PNG; this endpoint takes GIF"):
        QrService().animated(REQUEST, renamed)


def test_a_gif_goes_to_the_animated_endpoint(tmp_path: Path, scratch: Path, pictures: dict[str, Path]) -> None:
    renamed = write(tmp_path, "photo.jpg", pictures["GIF"].read_bytes())
    with pytest.raises(UnsupportedMedia, match=r"is a GIF.*qr/animated"):
        QrService().artistic(REQUEST, renamed)


def test_a_jpeg_named_png_is_still_used(tmp_path: Path, scratch: Path, pictures: dict[str, Path]) -> None:
    renamed = write(tmp_path, "photo.png", pictures["JPEG"].read_bytes())
    assert_every_frame_scans(QrService().artistic(REQUEST, renamed).content, REQUEST.words)


@pytest.mark.parametrize(("make", "kind"), [(lambda: png_header(100_000, 100_000), "artistic"),
                                            (lambda: png_header(5000, 5000), "artistic"),
                                            (lambda: gif_header(65535, 65535), "animated"),
                                            (lambda: gif_header(5000, 5000), "animated")])
def test_decompression_bombs_are_refused_from_the_header(tmp_path: Path, scratch: Path, make: Callable[[], bytes],
                                                         kind: str) -> None:
    bomb = write(tmp_path, "bomb", make())
    with pytest.raises(PayloadTooLarge, match=r"too large|over the limit of 16777216 pixels"):
        getattr(QrService(), kind)(REQUEST, bomb)


def test_a_gif_frame_larger_than_its_screen_is_checked_too(tmp_path: Path, scratch: Path) -> None:
    """Pillow grows the canvas to a frame larger than the screen the header declares: a bomb the header
    check alone would miss (a 4 MiB GIF could hold a 30000 x 30000 frame of one colour)."""
    big = io.BytesIO()
    Image.new("L", (300, 300), 0).save(big, format="GIF")
    frame = big.getvalue()[big.getvalue().index(b"\x2c\x00\x00\x00\x00" + struct.pack("<HH", 300, 300)):-1]
    small = io.BytesIO()
    Image.new("L", (10, 10), 255).save(small, format="GIF")
    growing = write(tmp_path, "grow.gif", small.getvalue()[:-1] + frame + b"\x3b")
    with Image.open(growing) as check:
        assert check.size == (10, 10) and check.n_frames == 2
    limits = QrLimits(picture=PictureLimits(max_pixels=200 * 200))
    with pytest.raises(PayloadTooLarge, match="frame 2 of the GIF is 300x300 pixels"):
        QrService(limits).animated(REQUEST, growing)


def test_a_gif_with_too_many_frames(tmp_path: Path, scratch: Path) -> None:
    many = gif_frames(tmp_path / "many.gif", 101, 4)
    with pytest.raises(PayloadTooLarge, match="101 frames, over the limit of 100"):
        QrService().animated(REQUEST, many)


def test_a_gif_with_too_many_pixels_in_all(tmp_path: Path, scratch: Path) -> None:
    limits = QrLimits(picture=PictureLimits(max_total_pixels=20 * 200 * 200 - 1))
    with pytest.raises(PayloadTooLarge, match="20 frames of 200x200 pixels, 800000 pixels in all"):
        QrService(limits).animated(REQUEST, gif_frames(tmp_path / "big.gif", 20, 200))


def test_an_animation_too_large_to_render_names_the_frames_it_could_take(tmp_path: Path, scratch: Path) -> None:
    limits = QrLimits(max_animation_pixels=3 * 400 * 400)
    request = PictureQRCodeRequest(words="x", version=10)  # 585 x 585 a frame
    expected = r"585x585 pixels a frame; 8 frames .*\(at most 1 frame at this version\)"
    with pytest.raises(PayloadTooLarge, match=expected):
        QrService(limits).animated(request, gif_frames(tmp_path / "clip.gif", 8, 32))


def test_an_upload_over_the_byte_limit(tmp_path: Path, scratch: Path, pictures: dict[str, Path]) -> None:
    limits = QrLimits(picture=PictureLimits(max_bytes=1000))
    with pytest.raises(PayloadTooLarge, match="over the limit of 1000 bytes"):
        QrService(limits).artistic(REQUEST, pictures["BMP"])


def test_a_result_too_large_to_answer(scratch: Path, pictures: dict[str, Path]) -> None:
    limits = QrLimits(max_result_bytes=10_000)
    with pytest.raises(PayloadTooLarge, match="over the 10000 bytes an answer can carry"):
        QrService(limits).artistic(PictureQRCodeRequest(words="x", colorized=True), pictures["PNG"])


@pytest.mark.parametrize("kind", ["PNG", "JPEG", "GIF"])
def test_truncated_pictures_are_named_damaged(tmp_path: Path, scratch: Path, pictures: dict[str, Path],
                                              kind: str) -> None:
    data = pictures[kind].read_bytes()
    cut = write(tmp_path, "cut", data[: len(data) * 2 // 3])
    with pytest.raises(BadRequest, match="damaged or truncated"):
        getattr(QrService(), "animated" if kind == "GIF" else "artistic")(REQUEST, cut)


def test_concurrent_requests_each_get_their_own_code(scratch: Path, pictures: dict[str, Path]) -> None:
    service = QrService()

    def make(index: int) -> tuple[str, str, QrImage]:
        words = f"请求 {index}: https://example.com/{index}"
        if index % 3 == 0:
            return "simple", words, service.simple(QRCodeRequest(words=words))
        request = PictureQRCodeRequest(words=words, colorized=index % 2 == 0)
        if index % 3 == 1:
            return "artistic", words, service.artistic(request, pictures["JPEG"])
        return "animated", words, service.animated(request, pictures["GIF"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        made = list(pool.map(make, range(18)))
    for kind, words, image in made:
        if kind == "simple":
            assert_plain_scans(image.content, words)
        else:
            assert_every_frame_scans(image.content, words)


def test_failures_leave_nothing_behind_either(tmp_path: Path, scratch: Path, pictures: dict[str, Path]) -> None:
    service = QrService(QrLimits(max_result_bytes=10_000))
    for call in (lambda: service.artistic(PictureQRCodeRequest(words="x", colorized=True), pictures["PNG"]),
                 lambda: service.animated(REQUEST, write(tmp_path, "cut.gif", pictures["GIF"].read_bytes()[:300])),
                 lambda: service.simple(QRCodeRequest(words="x" * 100, version=1, exact_version=True))):
        with pytest.raises(FrameMetricError):
            call()
