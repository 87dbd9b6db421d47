"""The MP4 check reads box headers only and names what is wrong."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from frame_metric.errors import BadRequest, UnsupportedMedia
from frame_metric.videos.container import NotMp4Error, TruncatedMp4Error, inspect_mp4_file


def box(kind: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "clip.mp4"
    path.write_bytes(data)
    return path


def test_real_recording_passes(sample_recording: tuple[Path, object]) -> None:
    layout = inspect_mp4_file(sample_recording[0])
    assert "moov" in layout.boxes and "mdat" in layout.boxes


def test_minimal_layout_passes(tmp_path: Path) -> None:
    data = box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2") + box(b"moov", b"x" * 20) + box(b"mdat", b"y" * 50)
    assert inspect_mp4_file(write(tmp_path, data)).major_brand == "isom"


def test_empty_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(BadRequest, match="empty"):
        inspect_mp4_file(write(tmp_path, b""))


@pytest.mark.parametrize("data", [b"GIF89a" + b"\x00" * 100, b"\x00" * 64, b"<html>" * 20])
def test_other_content_is_not_mp4(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(NotMp4Error, match="ftyp"):
        inspect_mp4_file(write(tmp_path, data))
    assert issubclass(NotMp4Error, UnsupportedMedia)


def test_truncated_recording_is_named(tmp_path: Path, sample_recording: tuple[Path, object]) -> None:
    data = sample_recording[0].read_bytes()
    with pytest.raises(TruncatedMp4Error, match=r"truncated|moov"):
        inspect_mp4_file(write(tmp_path, data[: len(data) // 2]))


def test_missing_moov_is_named(tmp_path: Path) -> None:
    data = box(b"ftyp", b"isom\x00\x00\x02\x00") + box(b"mdat", b"y" * 50)
    with pytest.raises(TruncatedMp4Error, match="moov"):
        inspect_mp4_file(write(tmp_path, data))


def test_malformed_box_size(tmp_path: Path) -> None:
    data = box(b"ftyp", b"isom\x00\x00\x02\x00") + struct.pack(">I4s", 3, b"moov") + b"\x00" * 20
    with pytest.raises(NotMp4Error, match="malformed"):
        inspect_mp4_file(write(tmp_path, data))


def test_64_bit_box_size(tmp_path: Path) -> None:
    mdat = struct.pack(">I4sQ", 1, b"mdat", 16 + 10) + b"z" * 10
    data = box(b"ftyp", b"isom\x00\x00\x02\x00") + box(b"moov", b"m" * 8) + mdat
    assert inspect_mp4_file(write(tmp_path, data)).boxes[-1] == "mdat"
