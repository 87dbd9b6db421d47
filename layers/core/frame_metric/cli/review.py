"""`frame-metric review pending|show|mark|history`: check and correct the first/last frame of videos the
analysis was not sure about, from the command line (the console's review screen does the same)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from frame_metric.cli.common import api_url
from frame_metric.cli.output import fail, guarded, ms, print_json

if TYPE_CHECKING:
    from frame_metric.client import FrameMetricClient


def register(commands: argparse._SubParsersAction) -> None:
    review = commands.add_parser("review", help="videos to review: pending, show, mark the first/last frame, history")
    actions = review.add_subparsers(dest="review_command", metavar="ACTION", required=True)

    pending = actions.add_parser("pending", help="completed videos flagged for review and not yet marked")
    pending.add_argument("--skip", type=int, default=0)
    pending.add_argument("--limit", type=int, default=20)
    pending.add_argument("--json", action="store_true")
    pending.set_defaults(handler=run_pending)

    show = actions.add_parser("show", help="a video's marks, candidates and why it needs review")
    show.add_argument("video_id")
    show.add_argument("--json", action="store_true", help="everything, every extracted frame included")
    show.set_defaults(handler=run_show)

    mark = actions.add_parser("mark", help="set the first and last frame (by frame number, or frame id)",
                              description="Set a video's first and last frame. FIRST and LAST are frame "
                                          "numbers as `review show` lists them (or frame ids); the duration "
                                          "and every task holding the video are recomputed.")
    mark.add_argument("video_id")
    mark.add_argument("first", metavar="FIRST", help="frame number (or id) of the first frame")
    mark.add_argument("last", metavar="LAST", help="frame number (or id) of the last frame")
    mark.add_argument("--reviewer", required=True, help="who marked it (kept in the history)")
    mark.add_argument("--notes", help="why (kept in the history)")
    mark.set_defaults(handler=run_mark)

    history = actions.add_parser("history", help="every mark of a video: who, when, before and after")
    history.add_argument("video_id")
    history.add_argument("--json", action="store_true")
    history.set_defaults(handler=run_history)


def _client(args: argparse.Namespace) -> FrameMetricClient:
    from frame_metric.client import FrameMetricClient

    return FrameMetricClient(api_url(args))


def _frame(frame: dict[str, Any] | None) -> str:
    return "-" if frame is None else f"#{frame['frame_number']} at {frame['timestamp']:.3f} s"


def _confidence(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


@guarded
def run_pending(args: argparse.Namespace) -> int:
    found = _client(args).review_pending(args.skip, args.limit)
    if args.json:
        print_json(found)
        return 0
    if not found:
        print("no videos waiting for review")
    for video in found:
        reasons = "; ".join(video.get("review_reasons") or []) or "low confidence"
        print(f"{video['video_id']}  confidence {_confidence(video['ai_confidence']):>5}  "
              f"{ms(video.get('duration')):>10}  {video['filename']}  ({reasons})")
    return 0


def _candidates(frames: list[dict[str, Any]]) -> str:
    ordered = sorted(frames, key=lambda f: f["frame_number"])
    return ", ".join(f"#{f['frame_number']}" + (f" ({f['confidence_score']:.2f})"
                                                if f.get("confidence_score") is not None else "")
                     for f in ordered) or "-"


@guarded
def run_show(args: argparse.Namespace) -> int:
    review = _client(args).review(args.video_id)
    if args.json:
        print_json(review)
        return 0
    state = "needs review" if review["needs_review"] and not review["reviewed_by"] else (
        f"reviewed by {review['reviewed_by']}" if review["reviewed_by"] else "no review needed")
    print(f"{review['video_id']}  {review['filename']}  {review['status']}, {state}")
    print(f"  marking:     {review['marking_method']}  (confidence {_confidence(review['ai_confidence'])})")
    print(f"  first frame: {_frame(review['marked_first_frame'])}")
    print(f"  last frame:  {_frame(review['marked_last_frame'])}")
    print(f"  duration:    {ms(review.get('duration'))}")
    print(f"  first candidates: {_candidates(review['first_candidates'])}")
    print(f"  last candidates:  {_candidates(review['last_candidates'])}")
    print(f"  frames to choose from: {review['extracted_frames']} (frame numbers as above; "
          f"`review mark {review['video_id']} FIRST LAST --reviewer NAME`)")
    for reason in review.get("review_reasons") or []:
        print(f"  - {reason}")
    if review.get("review_notes"):
        print(f"  notes: {review['review_notes']}")
    return 0


def _frame_id(review: dict[str, Any], wanted: str) -> str | None:
    """A frame number ("123" or "#123") to its id among the video's extracted frames; an id as is."""
    number = wanted.removeprefix("#")
    if not number.isdigit():
        return wanted
    for frame in review["all_frames"]:
        if frame["frame_number"] == int(number):
            return str(frame["id"])
    return None


@guarded
def run_mark(args: argparse.Namespace) -> int:
    client = _client(args)
    review = client.review(args.video_id)
    ids = []
    for label, wanted in (("first", args.first), ("last", args.last)):
        found = _frame_id(review, wanted)
        if found is None:
            numbers = [f["frame_number"] for f in review["all_frames"]]
            span = f" (extracted frames run #{min(numbers)}-#{max(numbers)})" if numbers else ""
            return fail(f"{label} frame {wanted} is not an extracted frame of video {args.video_id}{span}")
        ids.append(found)
    result = client.mark(args.video_id, ids[0], ids[1], args.reviewer, args.notes)
    print(f"{result['video_id']}  marked: first {_frame(result['first_frame'])}, last {_frame(result['last_frame'])}, "
          f"duration {ms(result['duration'])}")
    if result.get("tasks_updated"):
        print(f"  statistics recomputed for task(s): {', '.join(result['tasks_updated'])}")
    return 0


def _state(state: dict[str, Any]) -> str:
    if state.get("first_frame_number") is None:
        return "unmarked"
    return (f"#{state['first_frame_number']}-#{state['last_frame_number']} {ms(state.get('duration'))} "
            f"({state.get('marking_method') or '-'})")


@guarded
def run_history(args: argparse.Namespace) -> int:
    entries = _client(args).review_history(args.video_id)
    if args.json:
        print_json(entries)
        return 0
    if not entries:
        print(f"video {args.video_id} has not been marked by anyone yet")
    for entry in entries:
        print(f"{entry['seq']:>3}. {entry['created_at']}  {entry['reviewer']}: {_state(entry['before'])} -> "
              f"{_state(entry['after'])}" + (f"  ({entry['notes']})" if entry.get("notes") else ""))
    return 0
