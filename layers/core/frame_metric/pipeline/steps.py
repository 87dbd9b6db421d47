"""The pipeline's steps. Each takes the small JSON its state passes and returns a small JSON: S3 keys
and summaries, never frame data (Step Functions caps state at 256 KB)."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from frame_metric.analysis import (
    AnalysisOptions,
    Segment,
    SegmentFeatures,
    ThumbnailSpec,
    VideoProbe,
    analyse_segment,
    extract_frames,
    plan_segments,
    probe_video,
    select_boundaries,
)
from frame_metric.data.video import Video, VideoStatus, frame_id
from frame_metric.pipeline.timing import StepPhases
from frame_metric.settings import get_settings
from frame_metric.storage.keys import VideoKeys
from frame_metric.storage.s3 import ObjectStore, json_bytes
from frame_metric.videos import records
from frame_metric.videos.limits import check_limits

log = logging.getLogger(__name__)
THUMBNAILS = ThumbnailSpec()
CANDIDATE_IMAGES = 5  # full-size frames stored per boundary, for the reviewer


class VideoNotActive(Exception):
    """The video was cancelled or failed meanwhile: the execution stops without touching it."""


def probe(event: dict[str, Any]) -> dict[str, Any]:
    """Probe the upload and plan its segments. A video of one segment is analysed here too, from the
    same downloaded copy: the state machine then skips its Map (no second invocation, download or
    transition), since the probe is needed only to split a long video."""
    video_id, key = event["video_id"], event["key"]
    execution = event.get("execution_id") or ""
    if not records.mark_processing(video_id, execution.rsplit(":", 1)[-1], execution):
        raise VideoNotActive(f"video {video_id} is no longer active")
    phases = StepPhases("probe", video_id)
    records.set_step(video_id, "probing", 5)
    store = ObjectStore()
    with phases.phase("download"):
        path = store.local_copy(key)
    with phases.phase("probe"):
        video_probe = probe_video(str(path))
    keys = VideoKeys(video_id)
    store.put_json(keys.probe, video_probe.to_dict())
    records.update_if(video_id, [VideoStatus.PROCESSING.value], [
        Video.duration.set(video_probe.duration),
        Video.fps.set(video_probe.fps),
        Video.width.set(video_probe.width),
        Video.height.set(video_probe.height),
        Video.frame_count.set(video_probe.frame_count),
        Video.variable_frame_rate.set(video_probe.variable_frame_rate),
        Video.codec.set(video_probe.codec),
        Video.frames_analysed.set(0),
    ])
    check_limits(video_probe, get_settings())  # the stream facts above stay visible next to the reason
    records.set_step(video_id, "extracting_frames", 10)
    segments = plan_segments(video_probe, get_settings().segment_frames)
    # The upload's analysis options, read once here and handed to every later step by the state machine.
    stored = records.get_video(video_id).analysis_options
    options = json.loads(stored) if stored else {}
    analysis_key = None
    if len(segments) == 1:
        # A video of one segment goes from here straight to Finalize: its features stay in memory
        # (no serialising, storing and reading back), and no Select invocation or transition.
        analysis_options = _options({"options": options})
        features = _analyse(video_id, path, video_probe, segments[0], analysis_options, phases)
        analysis_key = _select_and_store(video_id, lambda: path, video_probe, [features], analysis_options, store,
                                         phases)
    phases.report()
    return {"probe_key": keys.probe, "frame_count": video_probe.frame_count,
            "segments": [segment.to_dict() for segment in segments], "options": options,
            "analysis_key": analysis_key}


def analyse(event: dict[str, Any]) -> dict[str, Any]:
    video_id, key = event["video_id"], event["key"]
    phases = StepPhases("analyse", video_id)
    store = ObjectStore()
    video_probe = VideoProbe.from_dict(store.get_json(event["probe_key"]))
    with phases.phase("download"):
        path = store.local_copy(key)
    result = _analyse_and_store(video_id, path, video_probe, Segment.from_dict(event["segment"]),
                                _options(event), store, phases)
    phases.report()
    return result


def _analyse(video_id: str, path: Path, video_probe: VideoProbe, segment: Segment, options: AnalysisOptions,
             phases: StepPhases) -> SegmentFeatures:
    """One segment's features and thumbnails (one decode pass for both), with progress reports."""
    reported = 0
    last_report = time.monotonic()

    def progress(done: int, total: int) -> None:
        nonlocal reported, last_report
        if time.monotonic() - last_report >= 0.5:
            # Best-effort: frames of a report that was not written are carried into the next one.
            if records.add_frames_analysed(video_id, done - reported, video_probe.frame_count):
                reported = done
            last_report = time.monotonic()

    with phases.phase("analyse"):
        features = analyse_segment(str(path), video_probe, segment, options, progress=progress,
                                   thumbnails=THUMBNAILS)
    records.add_frames_analysed(video_id, (segment.end_frame - segment.start_frame) - reported,
                                video_probe.frame_count)
    return features


def _analyse_and_store(video_id: str, path: Path, video_probe: VideoProbe, segment: Segment,
                       options: AnalysisOptions, store: ObjectStore, phases: StepPhases) -> dict[str, Any]:
    """One segment of a longer video, analysed and stored for Select."""
    features = _analyse(video_id, path, video_probe, segment, options, phases)
    keys = VideoKeys(video_id)
    with phases.phase("store"):
        store.put_all([(keys.features(segment.index), features.to_bytes(), "application/octet-stream"),
                       *_sprite_objects(keys, features)])
    return {"segment": segment.index, "features_key": keys.features(segment.index)}


def _sprite_objects(keys: VideoKeys, features: SegmentFeatures) -> list[tuple[str, bytes, str]]:
    return [(keys.sprite(features.segment.index, number), sprite.jpeg, "image/jpeg")
            for number, sprite in enumerate(features.sprites)]


def _sprite_entries(keys: VideoKeys, features: SegmentFeatures) -> list[dict[str, Any]]:
    """Where the review timeline finds each thumbnail (the frames table's sprites)."""
    return [{"key": keys.sprite(features.segment.index, number), "first_frame": sprite.first_frame,
             "count": sprite.count, "columns": sprite.columns, "thumb_width": sprite.thumb_width,
             "thumb_height": sprite.thumb_height} for number, sprite in enumerate(features.sprites)]


def _options(event: dict[str, Any]) -> AnalysisOptions:
    """The upload's options as Probe read them from the video item (none: the defaults)."""
    raw = event.get("options")
    return AnalysisOptions.from_dict(raw) if raw else AnalysisOptions()


def select(event: dict[str, Any]) -> dict[str, Any]:
    """The boundaries of a video analysed in several segments (the Map's outputs)."""
    video_id, key = event["video_id"], event["key"]
    phases = StepPhases("select", video_id)
    store = ObjectStore()
    video_probe = VideoProbe.from_dict(store.get_json(event["probe_key"]))
    analysed = sorted(event["segments"], key=lambda item: item["segment"])
    with phases.phase("read_features"):
        features = [SegmentFeatures.from_bytes(store.get_bytes(item["features_key"])) for item in analysed]
    def download() -> Path:
        with phases.phase("download"):
            return store.local_copy(key)

    analysis_key = _select_and_store(video_id, download, video_probe, features, _options(event), store, phases,
                                     sprites_stored=True)
    phases.report()
    return {"analysis_key": analysis_key}


def _select_and_store(video_id: str, local_video: Callable[[], Path], video_probe: VideoProbe,
                      features: list[SegmentFeatures], options: AnalysisOptions, store: ObjectStore,
                      phases: StepPhases, sprites_stored: bool = False) -> str:
    """Boundaries, candidates' full-size images, the frames table and the summary Finalize reads.
    local_video: the upload as a local file, asked for only when there are frames to take images of
    (Select downloads it then; a video with no boundary needs no copy)."""
    records.set_step(video_id, "selecting_frames", 88)
    keys = VideoKeys(video_id)
    with phases.phase("select"):
        result = select_boundaries(video_probe, features, options)
    summary = result.to_dict()
    wanted: list[int] = []
    for mark in (summary["first_frame"], summary["last_frame"]):
        if mark is not None:
            wanted.append(mark["frame_number"])
    for name in ("first_candidates", "last_candidates"):
        wanted.extend(candidate["frame_number"] for candidate in summary[name][:CANDIDATE_IMAGES])
    sprites = [entry for f in features for entry in _sprite_entries(keys, f)]
    frames = [dict(frame, id=frame_id(video_id, frame["frame_number"])) for frame in result.frames()]
    images: dict[int, bytes] = {}
    # The frames table and the sheets are written while the candidates' images are decoded.
    with store.putting() as puts:
        puts.put(keys.frames_table, json_bytes({"frames": frames, "sprites": sprites}), "application/json")
        for f in [] if sprites_stored else features:
            for obj in _sprite_objects(keys, f):
                puts.put(*obj)
        if wanted:
            path = local_video()
            with phases.phase("candidate_images"):
                # The probe already knows the keyframes: no second demux of the whole file.
                images = extract_frames(str(path), sorted(set(wanted)), probe=video_probe)
        with phases.phase("store"):
            for number, jpeg in images.items():
                puts.put(keys.frame_image(number), jpeg, "image/jpeg")
            puts.wait()
            summary["frame_images"] = {str(number): keys.frame_image(number) for number in images}
            store.put_json(keys.analysis, summary)  # last: Finalize reads it, so the rest is there by then
    records.set_step(video_id, "finalizing", 95)
    return keys.analysis
