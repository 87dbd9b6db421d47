"""`frame-metric qr ...` as a user types it, no server needed: the files it writes scan to the words."""

from __future__ import annotations

import subprocess
from pathlib import Path

from PIL import Image

from tests.qr_decoding import assert_every_frame_scans, assert_plain_scans, busy_picture
from tests.serve_process import BIN

WORDS = "扫码测试 https://example.com/a?b=c"


def qr(*args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN), "qr", *args], capture_output=True, text=True, input=stdin, cwd=cwd, timeout=120)


def test_plain_artistic_and_animated_codes_from_the_command_line(tmp_path: Path) -> None:
    done = qr("simple", "-", "--level", "Q", stdin=WORDS + "\n", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("wrote qrcode.png") and "level Q" in done.stdout
    assert_plain_scans((tmp_path / "qrcode.png").read_bytes(), WORDS)

    busy_picture(160, 120, seed=1).save(tmp_path / "photo.bmp")
    done = qr("artistic", WORDS, str(tmp_path / "photo.bmp"), "--colorized", "--version", "7", "--contrast", "1.3",
              "-o", str(tmp_path / "art.png"))
    assert done.returncode == 0, done.stderr
    assert "version 7" in done.stdout
    assert_every_frame_scans((tmp_path / "art.png").read_bytes(), WORDS)

    frames = [busy_picture(80, 80, seed=seed) for seed in range(3)]
    frames[0].save(tmp_path / "clip.gif", save_all=True, append_images=frames[1:], duration=120, loop=0)
    done = qr("animated", WORDS, str(tmp_path / "clip.gif"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert assert_every_frame_scans((tmp_path / "qrcode.gif").read_bytes(), WORDS) == 3


def test_problems_are_said_plainly(tmp_path: Path) -> None:
    Image.new("RGB", (40, 40)).save(tmp_path / "still.png")
    cases = [(("animated", "x", str(tmp_path / "still.png")), "the picture is a PNG; this endpoint takes GIF"),
             (("artistic", "x", str(tmp_path / "missing.jpg")), "no such picture"),
             (("simple", "x" * 200, "--version", "3", "--exact-version"), "do not fit in a version 3 QR code"),
             (("simple", "x", "--contrast", "9"), "must be between 0.1 and 3.0")]
    for args, message in cases:
        done = qr(*args, cwd=tmp_path)
        assert done.returncode == 2 and message in done.stderr, (args, done.stderr)
    assert not (tmp_path / "qrcode.png").exists() and not (tmp_path / "qrcode.gif").exists()
