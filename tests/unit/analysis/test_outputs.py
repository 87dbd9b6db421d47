"""What the engine hands out: the result's JSON shape, per-frame values, sprites and candidate frames."""

from __future__ import annotations

import io
import json

import av
import numpy as np
import pytest
from PIL import Image

from frame_metric.analysis import (
    AnalysisOptions,
    FrameTable,
    Region,
    ThumbnailSpec,
    analyse_segment,
    analyze_video,
    extract_frames,
    plan_segments,
    probe_video,
)
from frame_metric.analysis.decode import decode_range
from frame_metric.analysis.features import encode_jpeg

from .conftest import MakeRecording


def test_result_json_has_exactly_the_contract_fields(recording: MakeRecording) -> None:
    path, _ = recording()
    d = json.loads(json.dumps(analyze_video(path).to_dict()))
    assert list(d) == [
        "video",
        "first_frame",
        "last_frame",
        "duration",
        "confidence",
        "needs_review",
        "review_reasons",
        "first_candidates",
        "last_candidates",
        "ignored_regions",
        "actions",
    ]
    assert list(d["video"]) == ["width", "height", "frame_count", "fps", "duration", "variable_frame_rate"]
    for mark in (d["first_frame"], d["last_frame"], *d["first_candidates"], *d["last_candidates"]):
        assert list(mark) == ["frame_number", "timestamp", "score"]
    assert all(list(r) == ["x", "y", "w", "h", "reason"] for r in d["ignored_regions"])
    assert 0.0 <= d["confidence"] <= 1.0


def test_per_frame_values_for_the_review_ui(recording: MakeRecording) -> None:
    path, truth = recording()
    result = analyze_video(path)
    frames = list(result.frames())
    assert len(frames) == truth.frame_count
    assert [f["frame_number"] for f in frames] == list(range(truth.frame_count))
    assert set(frames[0]) == {"frame_number", "timestamp", "brightness", "sharpness", "scene_change_score"}
    for f in frames:
        assert all(0.0 <= f[k] <= 1.0 for k in ("brightness", "sharpness", "scene_change_score"))
    assert frames[truth.first_frame]["scene_change_score"] > 0.5 > frames[truth.first_frame - 1]["scene_change_score"]
    assert frames[-1]["brightness"] > frames[0]["brightness"]  # dark home screen -> white app
    assert result.table is not None
    table = FrameTable.from_bytes(result.table.to_bytes())
    assert np.array_equal(table.timestamp, result.table.timestamp)
    assert len(result.table.to_bytes()) < 40 * truth.frame_count


def test_sprites_cover_every_frame_in_few_jpegs(recording: MakeRecording) -> None:
    path, truth = recording(seconds=4.0, gop=60)
    probe = probe_video(path)
    spec = ThumbnailSpec(width=60, columns=10, rows=10)
    sprites = []
    for segment in plan_segments(probe, 60):
        sprites += analyse_segment(path, probe, segment, AnalysisOptions(), thumbnails=spec).sprites
    assert sum(s.count for s in sprites) == truth.frame_count == 120
    assert len(sprites) == 2  # one per segment of 60 frames: never one object per frame
    assert [s.first_frame for s in sprites] == [0, 60]
    sheet = Image.open(io.BytesIO(sprites[1].jpeg))
    assert sheet.format == "JPEG"
    assert sheet.size == (10 * 60, 6 * sprites[1].thumb_height)
    assert sprites[1].thumb_height == round(60 * 800 / 360 / 2) * 2
    pixels = np.asarray(sheet.convert("L"), dtype=float)
    x, y = sprites[0].position(0)
    home = np.asarray(Image.open(io.BytesIO(sprites[0].jpeg)).convert("L"), dtype=float)
    x2, y2 = sprites[1].position(truth.frame_count - 1)
    th, tw = sprites[0].thumb_height, sprites[0].thumb_width
    assert pixels[y2 : y2 + th, x2 : x2 + tw].mean() > home[y : y + th, x : x + tw].mean() + 50
    with pytest.raises(IndexError):
        sprites[0].position(60)


@pytest.mark.parametrize("analysis_size", [448, 64])  # 64: an analysis picture narrower than a thumbnail
def test_thumbnails_look_like_their_frames(recording: MakeRecording, analysis_size: int) -> None:
    """Thumbnails are made from the small analysis picture when it is large enough (cheap), else from
    the frame: either way each one looks like its frame scaled down directly, colours included."""
    path, truth = recording(seconds=2.0)
    probe = probe_video(path)
    spec = ThumbnailSpec(width=120, columns=10, rows=10, quality=95)
    (segment,) = plan_segments(probe, 1000)
    options = AnalysisOptions(analysis_size=analysis_size)
    sprites = analyse_segment(path, probe, segment, options, thumbnails=spec).sprites
    sheets = {s.first_frame: np.asarray(Image.open(io.BytesIO(s.jpeg)).convert("RGB"), dtype=float) for s in sprites}
    with av.open(path) as container:
        for number, frame in enumerate(container.decode(video=0)):
            if number not in (0, truth.first_frame, truth.frame_count - 1):
                continue
            sprite = next(s for s in sprites if s.first_frame <= number < s.first_frame + s.count)
            x, y = sprite.position(number)
            thumb = sheets[sprite.first_frame][y : y + sprite.thumb_height, x : x + sprite.thumb_width]
            direct = frame.reformat(sprite.thumb_width, sprite.thumb_height, "rgb24", interpolation="AREA")
            assert np.abs(thumb - direct.to_ndarray()).mean() < 6.0, number


def test_extract_frames_gives_full_size_jpegs_of_exactly_those_frames(recording: MakeRecording) -> None:
    path, truth = recording(gop=15)
    wanted = [0, truth.first_frame, 31, truth.last_frame, truth.frame_count - 1]
    images = extract_frames(path, wanted)
    assert sorted(images) == sorted(set(wanted))
    with av.open(str(path)) as container:
        decoded = {i: f.to_ndarray(format="rgb24") for i, f in enumerate(container.decode(video=0)) if i in images}
    for number, jpeg in images.items():
        image = np.asarray(Image.open(io.BytesIO(jpeg)).convert("RGB"), dtype=float)
        assert image.shape == (800, 360, 3)
        assert np.abs(image - decoded[number]).mean() < 3.0, number
    small = extract_frames(path, [truth.first_frame], max_side=200)
    assert Image.open(io.BytesIO(small[truth.first_frame])).size == (90, 200)


def test_extract_frames_skips_unreferenced_b_frames_and_gives_the_very_same_pictures(
    recording: MakeRecording,
) -> None:
    path, truth = recording(gop=12, bframes=3)
    # frames around both boundaries, where the picture changes from frame to frame: a neighbour's
    # picture would be a different JPEG
    wanted = [truth.first_frame - 1, truth.first_frame, truth.first_frame + 1, truth.last_frame - 2,
              truth.last_frame - 1, truth.last_frame]
    images = extract_frames(path, wanted)
    with av.open(str(path)) as container:
        decoded = {i: f for i, f in enumerate(container.decode(video=0)) if i in images}
    for number, jpeg in images.items():
        frame = decoded[number]
        rgb = frame.reformat(frame.width, frame.height, "rgb24", interpolation="AREA").to_ndarray()
        assert jpeg == encode_jpeg(rgb, 90), number
    # the decoder was told to skip: fewer frames came out than lie between the keyframe and the last
    with av.open(str(path)) as container:
        pts = sorted(p.pts for p in container.demux(video=0) if p.size)
    wanted_pts = {pts[n] for n in wanted}
    came_out = [p for p, _, _ in decode_range(str(path), None, None, [], only=wanted_pts)]
    assert wanted_pts <= set(came_out)
    assert len([p for p in came_out if p <= pts[truth.last_frame]]) < truth.last_frame + 1


def test_region_and_options_round_trip() -> None:
    region = Region.parse("0, 0.9, 1, 0.1")
    assert region == Region(0.0, 0.9, 1.0, 0.1)
    for bad in ("1,2,3", "a,b,c,d", "0,0,0,0.5", "0,0,1.5,1"):
        with pytest.raises(ValueError):
            Region.parse(bad)
    options = AnalysisOptions(ignore=(region,), ignore_status_bar=False, threshold_scale=1.5)
    assert AnalysisOptions.from_dict(json.loads(json.dumps(options.to_dict()))) == options
    assert AnalysisOptions.from_dict({"ignore": ["0,0,0.5,0.5"]}).ignore == (Region(0, 0, 0.5, 0.5),)
    with pytest.raises(ValueError, match="unknown"):
        AnalysisOptions.from_dict({"sensitivity": 3})
