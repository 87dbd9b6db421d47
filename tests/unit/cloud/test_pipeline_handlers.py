"""The pipeline's task handlers, invoked in-process one after another with the sample events of
tests/events, against in-process moto: what each state passes on is enough for the next."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from frame_metric.data import Video
from frame_metric.samples import GroundTruth, generate_app_launch
from frame_metric.settings import get_settings, reset_settings
from frame_metric.storage.keys import VideoKeys
from tests.unit.cloud.handlers import event, load_handler


@pytest.fixture
def staged(moto_stack: dict[str, Any], sample_recording: tuple[Path, GroundTruth]) -> dict[str, Any]:
    probe_event = event("pipeline_probe.json")
    assert probe_event["bucket"] == moto_stack["settings"].bucket
    moto_stack["s3"].upload_file(str(sample_recording[0]), probe_event["bucket"], probe_event["key"])
    Video(probe_event["video_id"], filename="app launch.mp4", s3_key=probe_event["key"]).save()
    return {"s3": moto_stack["s3"], "truth": sample_recording[1], "video_id": probe_event["video_id"]}


def test_probe_analyse_select_finalize(staged: dict[str, Any], monkeypatch: pytest.MonkeyPatch,
                                       tmp_path: Path) -> None:
    # Keyframes every 30 frames and segments of at most 40: several segments, the Map's path.
    recording = tmp_path / "keyframes.mp4"
    staged["truth"] = generate_app_launch(recording, width=360, height=800, fps=30.0, seconds=3.0, gop=30)
    probe_event = event("pipeline_probe.json")
    staged["s3"].upload_file(str(recording), probe_event["bucket"], probe_event["key"])
    monkeypatch.setenv("FRAME_METRIC_SEGMENT_FRAMES", "40")
    reset_settings()
    probed = load_handler("ProbeFunction")(event("pipeline_probe.json"), None)
    assert probed["frame_count"] == staged["truth"].frame_count
    assert len(probed["segments"]) > 1 and probed["analysis_key"] is None  # the Map analyses them
    video = Video.get(staged["video_id"])
    assert video.status == "processing" and video.width == 360 and video.progress == 10

    analyse_event = event("pipeline_analyse.json")
    assert set(analyse_event["segment"]) == set(probed["segments"][0])  # the sample has what probe hands on
    analysed = [load_handler("AnalyseFunction")({**analyse_event, "segment": s}, None) for s in probed["segments"]]
    assert Video.get(staged["video_id"]).shown_progress == 85
    _select_and_finalize(staged, analysed)


def test_probe_analyses_and_selects_a_video_of_one_segment_itself(staged: dict[str, Any]) -> None:
    probed = load_handler("ProbeFunction")(event("pipeline_probe.json"), None)
    assert probed["segments"] == [event("pipeline_analyse.json")["segment"]]  # the sample's segment
    # The state machine's Choice then goes straight to Finalize: no Map, no Select.
    assert probed["analysis_key"] == event("pipeline_finalize.json")["analysis_key"]
    assert Video.get(staged["video_id"]).shown_progress == 95
    keys = VideoKeys(staged["video_id"])
    with pytest.raises(ClientError):  # nothing to hand to a Select step
        staged["s3"].head_object(Bucket=get_settings().bucket, Key=keys.features(0))
    table = json.loads(staged["s3"].get_object(Bucket=get_settings().bucket, Key=keys.frames_table)["Body"].read())
    for sprite in table["sprites"]:  # the review timeline's thumbnails are stored where the table says
        staged["s3"].head_object(Bucket=get_settings().bucket, Key=sprite["key"])
    assert table["sprites"]
    _finalize(staged)


def _select_and_finalize(staged: dict[str, Any], analysed: list[dict[str, Any]]) -> None:
    select_event = event("pipeline_select.json")
    selected = load_handler("SelectFunction")({**select_event, "segments": analysed}, None)
    assert selected == {"analysis_key": event("pipeline_finalize.json")["analysis_key"]}
    _finalize(staged)


def _finalize(staged: dict[str, Any]) -> None:
    finalized = load_handler("FinalizeFunction")(event("pipeline_finalize.json"), None)
    assert finalized["status"] == "completed"
    video = Video.get(staged["video_id"])
    truth = staged["truth"]
    assert video.status == "completed" and video.progress == 100
    assert abs(video.first_frame.frame_number - truth.first_frame) <= 1
    assert abs(video.last_frame.frame_number - truth.last_frame) <= 1
    image = staged["s3"].get_object(Bucket=get_settings().bucket, Key=video.first_frame.image_key)
    assert image["ContentType"] == "image/jpeg"
    # Finalizing again (a retried state) changes nothing.
    assert load_handler("FinalizeFunction")(event("pipeline_finalize.json"), None)["status"] == "unchanged"


def test_fail_records_the_reason_once(staged: dict[str, Any]) -> None:
    result = load_handler("FailFunction")(event("pipeline_fail.json"), None)
    assert result["status"] == "failed"
    video = Video.get(staged["video_id"])
    assert video.status == "failed" and "truncated" in video.error_message
    assert load_handler("FailFunction")(event("pipeline_fail.json"), None)["status"] == "unchanged"


def test_probe_of_a_cancelled_video_touches_nothing(staged: dict[str, Any]) -> None:
    Video(staged["video_id"]).update(actions=[Video.status.set("cancelled")])
    with pytest.raises(Exception, match="no longer active"):
        load_handler("ProbeFunction")(event("pipeline_probe.json"), None)
    assert Video.get(staged["video_id"]).status == "cancelled"


def test_sweeper_with_the_scheduled_event(staged: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRAME_METRIC_PRESIGN_SECONDS", "-400")  # every upload's URL has long expired
    reset_settings()
    result = load_handler("SweeperFunction")(event("scheduled_sweep.json"), None)
    assert result["ended"] == 1
    video = Video.get(staged["video_id"])
    assert video.status == "failed" and video.error_message == "the upload never completed"


def test_outcomes_are_counted_and_logged_with_the_video_id(staged: dict[str, Any],
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    from frame_metric.observability import logger

    # The JSON logger keeps the stream it was made with (an earlier test's captured stdout when this
    # module is not the first to load it): point it at this test's stdout.
    for handler in logger.handlers:
        if hasattr(handler, "setStream"):
            handler.setStream(sys.stdout)
    load_handler("FailFunction")(event("pipeline_fail.json"), None)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    metrics = [line for line in lines if "_aws" in line]
    assert metrics and metrics[0]["VideosFailed"] in (1.0, [1.0])
    assert metrics[0]["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "FrameMetric"
    logged = [line for line in lines if line.get("message") == "video failed"]
    assert logged and logged[0]["video_id"] == staged["video_id"] and "truncated" in logged[0]["reason"]
    load_handler("FailFunction")(event("pipeline_fail.json"), None)  # unchanged: nothing to count
    assert not [line for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]


def test_select_of_a_video_without_boundaries_does_not_download_it(staged: dict[str, Any], tmp_path: Path) -> None:
    from frame_metric.analysis import AnalysisOptions, analyse_segment, plan_segments, probe_video
    from frame_metric.pipeline import steps
    from frame_metric.pipeline.timing import StepPhases
    from frame_metric.samples.interactions import generate_interactions
    from frame_metric.storage.s3 import ObjectStore

    still = tmp_path / "still.mp4"
    generate_interactions(still, [], seconds=1.0)
    probe = probe_video(still)
    features = [analyse_segment(str(still), probe, s, AnalysisOptions()) for s in plan_segments(probe, 10)]

    def no_copy() -> Path:
        raise AssertionError("the upload was downloaded though no frame needs an image")

    store = ObjectStore()
    key = steps._select_and_store(staged["video_id"], no_copy, probe, features, AnalysisOptions(), store,
                                  StepPhases("select", staged["video_id"]), sprites_stored=True)
    summary = store.get_json(key)
    assert summary["first_frame"] is None and summary["frame_images"] == {}
