"""Bad and degenerate inputs: a clear result that asks for review, or a named error; never a crash."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from frame_metric.analysis import (
    CorruptVideoError,
    EmptyVideoError,
    NoVideoStreamError,
    VideoAnalysisError,
    analyze_video,
    extract_frames,
    probe_video,
)

from .conftest import MakeRecording


def test_no_change_asks_for_review_without_inventing_frames(recording: MakeRecording) -> None:
    path, truth = recording(no_change=True)
    assert truth.first_frame is None
    d = analyze_video(path).to_dict()
    assert d["first_frame"] is None and d["last_frame"] is None and d["duration"] is None
    assert d["needs_review"] and d["confidence"] == 0.0
    assert any("no visible change" in r for r in d["review_reasons"])


def test_single_frame(recording: MakeRecording) -> None:
    path, truth = recording(single_frame=True)
    assert truth.frame_count == 1
    d = analyze_video(path).to_dict()
    assert d["video"]["frame_count"] == 1
    assert d["first_frame"] is None and d["needs_review"]
    assert any("single frame" in r for r in d["review_reasons"])


def test_change_right_at_the_end_gets_low_confidence(recording: MakeRecording) -> None:
    path, truth = recording(seconds=1.9)  # the app finishes loading at 1.8 s
    d = analyze_video(path).to_dict()
    assert d["last_frame"]["frame_number"] == pytest.approx(truth.last_frame, abs=1)
    assert d["needs_review"] and d["confidence"] < 0.6
    assert any("ends" in r for r in d["review_reasons"])


def test_audio_only_file_has_no_video_stream(tmp_path: Path) -> None:
    path = tmp_path / "audio.mp4"
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("aac", rate=44100)
        for k in range(5):
            frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
            frame.sample_rate, frame.pts = 44100, k * 1024
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    with pytest.raises(NoVideoStreamError) as err:
        analyze_video(path)
    assert "no video stream" in err.value.reason


def test_header_without_frames_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "empty.mkv"
    with av.open(str(path), "w", format="matroska") as out:
        stream = out.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        out.start_encoding()
    with pytest.raises(EmptyVideoError):
        probe_video(path)


@pytest.mark.parametrize("content", [b"", b"this is not a video" * 100])
def test_not_a_video(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "fake.mp4"
    path.write_bytes(content)
    with pytest.raises(CorruptVideoError):
        analyze_video(path)


def test_missing_file_is_a_named_error(tmp_path: Path) -> None:
    with pytest.raises(VideoAnalysisError, match="not found"):
        analyze_video(tmp_path / "nope.mp4")


def test_truncated_mp4_without_index_is_corrupt(recording: MakeRecording, tmp_path: Path) -> None:
    path, _ = recording()
    data = path.read_bytes()  # the MP4 index (moov) is at the end: cut it off
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptVideoError):
        analyze_video(cut)


def _faststart_copy(src: Path, dst: Path) -> None:
    with av.open(str(src)) as inp, av.open(str(dst), "w", format="mp4", options={"movflags": "faststart"}) as out:
        stream = out.add_stream_from_template(inp.streams.video[0])
        for packet in inp.demux(inp.streams.video[0]):
            if packet.dts is not None:
                packet.stream = stream
                out.mux(packet)


def test_truncated_mp4_with_index_first_analyses_what_is_there(recording: MakeRecording, tmp_path: Path) -> None:
    path, truth = recording()
    whole = tmp_path / "faststart.mp4"
    _faststart_copy(path, whole)
    data = whole.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.9)])
    result = analyze_video(cut)
    d = result.to_dict()
    assert result.video.truncated and d["needs_review"]
    assert any("truncated" in r for r in d["review_reasons"])
    assert d["video"]["frame_count"] < truth.frame_count
    assert d["first_frame"]["frame_number"] == truth.first_frame  # what was readable is still right


def test_extract_frames_rejects_frames_outside_the_video(recording: MakeRecording) -> None:
    path, truth = recording()
    with pytest.raises(ValueError, match="out of range"):
        extract_frames(path, [truth.frame_count])
