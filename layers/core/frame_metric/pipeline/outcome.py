"""The pipeline's last steps, Finalize and MarkFailed: they write the outcome to the video item and
the statistics of its tasks. Nothing here imports the decoder (PyAV, NumPy), so their functions ship
without the 200 MB analysis package and start fast (template.yaml: functions/pipeline_outcome)."""

from __future__ import annotations

import json
import logging
from typing import Any

from frame_metric.data.video import FrameMark, IgnoredRegion, MarkingMethod, Video, VideoStatus
from frame_metric.monitor.runs import run_step_actions, try_apply_run_steps
from frame_metric.storage.s3 import ObjectStore
from frame_metric.tasks.recompute import recompute_for_video
from frame_metric.videos import records
from frame_metric.videos.stored_actions import action_marks

log = logging.getLogger(__name__)


def _mark(value: dict[str, Any] | None, images: dict[str, str]) -> FrameMark | None:
    if value is None:
        return None
    number = int(value["frame_number"])
    return FrameMark(frame_number=number, timestamp=value["timestamp"], score=value.get("score"),
                     image_key=images.get(str(number)))


def finalize(event: dict[str, Any]) -> dict[str, Any]:
    video_id = event["video_id"]
    summary = ObjectStore().get_json(event["analysis_key"])
    images = summary.get("frame_images", {})
    actions = summary.get("actions") or []
    try:
        video: Video | None = Video.get(video_id, consistent_read=True)
    except Video.DoesNotExist:
        video = None
    run_id = video.linked_run_id if video else None
    if video and run_id:  # a run's recording linked before its analysis completed takes the run's steps now
        try:
            actions = run_step_actions(video, actions) or actions
        except Exception:  # the analysis' own actions rather than a failed video; linking again retries
            log.warning("the steps of run %s could not be applied to video %s", run_id, video_id, exc_info=True)
    changed = records.update_if(video_id, [VideoStatus.PROCESSING.value], [
        *Video.status_actions(video_id, VideoStatus.COMPLETED),
        Video.progress.set(100),
        Video.current_step.set("completed"),
        Video.first_frame.set(_mark(summary["first_frame"], images)),
        Video.last_frame.set(_mark(summary["last_frame"], images)),
        Video.first_candidates.set([_mark(c, images) for c in summary["first_candidates"]]),
        Video.last_candidates.set([_mark(c, images) for c in summary["last_candidates"]]),
        Video.ai_confidence.set(summary["confidence"]),
        Video.needs_review.set(bool(summary["needs_review"])),
        Video.review_reasons.set(list(summary.get("review_reasons") or [])),
        Video.ignored_regions.set([IgnoredRegion(**region) for region in summary.get("ignored_regions", [])]),
        Video.marking_method.set(MarkingMethod.ALGORITHM.value),
        Video.analysis_key.set(event["analysis_key"]),
        Video.actions.set(action_marks(actions)),
    ])
    late_run = None if run_id else _linked_run(video_id)
    if changed and late_run and try_apply_run_steps(video_id, late_run):
        # linked meanwhile, seeing the video still processing: its steps are applied here instead
        return {"video_id": video_id, "status": "completed"}
    # Even when unchanged: a retried step may have stopped between the write and the statistics.
    recompute_for_video(video_id)
    return {"video_id": video_id, "status": "completed" if changed else "unchanged"}


def _linked_run(video_id: str) -> str | None:
    try:
        return Video.get(video_id, consistent_read=True, attributes_to_get=["linked_run_id"]).linked_run_id
    except Video.DoesNotExist:
        return None


def failure_reason(error: dict[str, Any] | None) -> str:
    """A person-readable reason from a Catch's {Error, Cause}; Lambda errors put JSON in Cause."""
    if not error:
        return "the pipeline failed without saying why"
    name, cause = error.get("Error") or "Error", error.get("Cause") or ""
    try:
        parsed = json.loads(cause)
    except (TypeError, ValueError):
        parsed = None
    if isinstance(parsed, dict) and parsed.get("errorMessage"):
        return f"{parsed.get('errorType') or name}: {parsed['errorMessage']}"
    if name == "States.Timeout":
        return "the pipeline timed out"
    return f"{name}: {cause}" if cause else name


def fail(event: dict[str, Any]) -> dict[str, Any]:
    reason = failure_reason(event.get("error"))
    changed = records.mark_failed(event["video_id"], reason)
    recompute_for_video(event["video_id"])
    return {"video_id": event["video_id"], "status": "failed" if changed else "unchanged", "reason": reason}
