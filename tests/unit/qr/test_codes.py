"""Every code scans to exactly its words: plain, artistic and every frame of an animated one, for ASCII,
Chinese and URLs, at several versions and levels, black and white or colorized."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import segno
from amzqr import amzqr
from amzqr.mylibs import draw as amzqr_draw
from amzqr.mylibs.constant import PIXELS_PER_MODULE, QUIET_ZONE_MODULES
from PIL import Image, ImageChops

from frame_metric.errors import BadRequest
from frame_metric.qr import Level, PictureQRCodeRequest, QRCodeRequest, QrService, TextTooLong, encode
from frame_metric.qr.render import output_side
from tests.qr_decoding import assert_every_frame_scans, assert_plain_scans, frames_of

ASCII = "Hello, World! 123 ~`'\"<>"
CHINESE = "你好，世界！二维码测试：帧率与响应时间"
URL = "https://example.com/zh-CN/path?q=%E4%BD%A0%E5%A5%BD&lang=zh#section-2"
MIXED = "第一行\nline 2 \"quoted\" — 😀 café"
WORDS = {"ascii": ASCII, "chinese": CHINESE, "url": URL, "mixed": MIXED, "digits": "0123456789" * 3,
         "alphanumeric": "HELLO WORLD $%*+-./:"}

service = QrService()


def test_amzqr_alone_cannot_encode_these_words() -> None:
    """Why segno builds the matrix: amzqr refuses Chinese, quotes and line breaks..."""
    for words in (CHINESE, MIXED, ASCII):
        with pytest.raises(ValueError, match="supported"):
            amzqr.run(words)


@pytest.mark.parametrize("name", sorted(WORDS))
@pytest.mark.parametrize("level", list(Level))
def test_plain_codes_scan_at_every_level(name: str, level: Level) -> None:
    image = service.simple(QRCodeRequest(words=WORDS[name], level=level))
    assert image.media_type == "image/png" and image.level is level
    assert_plain_scans(image.content, WORDS[name])
    assert frames_of(image.content)[0].size == (image.width, image.width)


@pytest.mark.parametrize(("version", "level"), [(1, Level.L), (7, Level.M), (15, Level.Q), (25, Level.H),
                                                (40, Level.L)])
def test_plain_codes_scan_at_the_version_asked_for(version: int, level: Level) -> None:
    words = "你好" if version == 1 else CHINESE
    image = service.simple(QRCodeRequest(words=words, version=version, level=level))
    assert image.version == version
    assert image.width == (17 + 4 * version + 8) * 9
    assert_plain_scans(image.content, words)


def test_no_version_means_the_smallest_that_fits() -> None:
    for words in (ASCII, CHINESE, URL, "A"):
        chosen = encode(words, Level.H).version
        assert chosen == segno.make_qr(words, error="H", boost_error=False, encoding="utf-8").version
        if chosen > 1:
            with pytest.raises(TextTooLong):
                encode(words, Level.H, chosen - 1, exact=True)
    assert encode("A", Level.H).version == 1  # the spec's default for short words


def test_a_version_too_small_is_raised_to_the_smallest_that_fits() -> None:
    # The original API's own example: clients written for it send version 1 always.
    image = service.simple(QRCodeRequest(words="https://example.com", version=1, level=Level.H))
    assert image.version == 3 == encode("https://example.com", Level.H).version
    assert_plain_scans(image.content, "https://example.com")
    assert service.simple(QRCodeRequest(words="HELLO", version=12, level=Level.H)).version == 12  # never lowered


def test_exact_version_too_small_is_refused_naming_the_version_needed() -> None:
    with pytest.raises(TextTooLong, match=r"do not fit in a version 2 QR code at level H: they need version 8 or more"):
        service.simple(QRCodeRequest(words="x" * 80, version=2, level=Level.H, exact_version=True))
    assert issubclass(TextTooLong, BadRequest)  # answered 400


@pytest.mark.parametrize("words", ["x" * 1274, "中" * 2000, "9" * 8000])
def test_words_too_long_for_any_version_are_refused(words: str) -> None:
    with pytest.raises(TextTooLong, match="too long for any QR code at level H"):
        service.simple(QRCodeRequest(words=words))


def test_the_largest_code_still_scans() -> None:
    words = "x" * 2953  # byte mode, version 40, level L: full
    image = service.simple(QRCodeRequest(words=words, level=Level.L))
    assert image.version == 40
    assert_plain_scans(image.content, words)


@pytest.mark.parametrize(("kind", "name", "version", "level", "colorized"), [
    ("PNG", "ascii", None, Level.H, False),
    ("JPEG", "chinese", None, Level.H, True),
    ("BMP", "url", 6, Level.M, False),
    ("PNG", "mixed", 10, Level.Q, True),
    ("JPEG", "url", 20, Level.L, True),
    ("BMP", "chinese", 4, Level.L, True),
])
def test_artistic_codes_scan(pictures: dict[str, Path], kind: str, name: str, version: int | None, level: Level,
                             colorized: bool) -> None:
    words = WORDS[name]
    request = PictureQRCodeRequest(words=words, version=version, level=level, colorized=colorized,
                                   contrast=1.2, brightness=0.9)
    image = service.artistic(request, pictures[kind])
    assert image.media_type == "image/png"
    expected = encode(words, level, version)
    assert image.version == expected.version
    frames = frames_of(image.content)
    assert frames[0].size == (output_side(expected),) * 2
    if colorized:  # the picture's colours are there, not only black and white
        assert len(frames[0].getcolors(maxcolors=1 << 20) or []) > 16
    assert_every_frame_scans(image.content, words, expected.rows)


@pytest.mark.parametrize(("name", "version", "level", "colorized"), [
    ("chinese", None, Level.H, False),
    ("url", 8, Level.Q, True),
    ("ascii", 4, Level.L, True),
])
def test_every_frame_of_an_animated_code_scans(pictures: dict[str, Path], name: str, version: int | None,
                                               level: Level, colorized: bool) -> None:
    words = WORDS[name]
    image = service.animated(PictureQRCodeRequest(words=words, version=version, level=level, colorized=colorized),
                             pictures["GIF"])
    assert image.media_type == "image/gif" and image.frames == 5
    with Image.open(io.BytesIO(image.content)) as gif:
        assert gif.format == "GIF" and gif.n_frames == 5 and gif.info.get("duration") == 80
    assert assert_every_frame_scans(image.content, words, encode(words, level, version).rows) == 5


def test_contrast_and_brightness_change_the_picture_not_the_code(pictures: dict[str, Path]) -> None:
    made = [service.artistic(PictureQRCodeRequest(words=URL, colorized=True, contrast=c, brightness=b),
                             pictures["PNG"]).content for c, b in ((1.0, 1.0), (3.0, 0.4), (0.1, 3.0))]
    assert len(set(made)) == 3
    for content in made:
        assert_every_frame_scans(content, URL)


@pytest.mark.parametrize("version", [1, 9, 27])
def test_segno_draws_the_matrix_exactly_as_amzqr_would(tmp_path: Path, version: int) -> None:
    """render.py hands amzqr segno's drawing of the matrix instead of amzqr's own (much slower) one."""
    matrix = encode(CHINESE[:4], Level.M, version)
    ours = tmp_path / "segno.png"
    matrix.code.save(str(ours), kind="png", scale=PIXELS_PER_MODULE, border=QUIET_ZONE_MODULES)
    theirs = amzqr_draw.draw_qrcode(str(tmp_path), matrix.rows)
    with Image.open(ours) as a, Image.open(theirs) as b:
        assert a.mode == b.mode == "1" and a.size == b.size
        assert ImageChops.difference(a.convert("L"), b.convert("L")).getbbox() is None
