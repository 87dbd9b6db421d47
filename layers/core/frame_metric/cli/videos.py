"""`frame-metric upload|status|list|cancel`: the video API from the command line."""

from __future__ import annotations

import argparse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from frame_metric.cli.common import api_url
from frame_metric.cli.output import describe_result, fail, guarded, print_json

if TYPE_CHECKING:
    from frame_metric.client import FrameMetricClient

MAX_CONCURRENT_UPLOADS = 5


def _client(args: argparse.Namespace) -> FrameMetricClient:
    from frame_metric.client import FrameMetricClient

    return FrameMetricClient(api_url(args))


def register(commands: argparse._SubParsersAction) -> None:
    upload = commands.add_parser("upload", help="upload recordings (presigned S3 upload) and follow them")
    upload.add_argument("files", nargs="+", type=Path, metavar="FILE")
    upload.add_argument("--no-wait", action="store_true", help="return once uploaded")
    upload.add_argument("--json", action="store_true", help="print the final statuses as JSON")
    upload.add_argument("--ignore", action="append", default=[], metavar="X,Y,W,H",
                        help="a region (fractions of the frame) whose changes never count; repeatable")
    upload.add_argument("--keep-status-bar", action="store_true", help="count changes in the status bar too")
    upload.add_argument("--threshold-scale", type=float, metavar="S",
                        help="0.25-4: above 1 only larger changes count (default 1)")
    upload.set_defaults(handler=run_upload)

    status = commands.add_parser("status", help="status and result of a video")
    status.add_argument("video_id")
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=run_status)

    listing = commands.add_parser("list", help="list videos, newest first")
    listing.add_argument("--status", choices=["uploading", "processing", "completed", "failed", "cancelled"])
    listing.add_argument("--skip", type=int, default=0)
    listing.add_argument("--limit", type=int, default=20)
    listing.set_defaults(handler=run_list)

    cancel = commands.add_parser("cancel", help="cancel a video's processing")
    cancel.add_argument("video_id")
    cancel.set_defaults(handler=run_cancel)


def upload_options(args: argparse.Namespace) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if args.ignore:
        options["ignore"] = list(args.ignore)
    if args.keep_status_bar:
        options["ignore_status_bar"] = False
    if args.threshold_scale is not None:
        options["threshold_scale"] = args.threshold_scale
    return options


def upload_and_wait(client: FrameMetricClient, path: Path, wait: bool = True,
                    options: dict[str, Any] | None = None) -> dict[str, Any]:
    from frame_metric.cli.output import ProcessingBar, upload_bar

    with upload_bar(path.name, path.stat().st_size) as bar:
        ticket = client.upload(path, on_bytes=bar.update, options=options)
    if not wait:
        return client.status(ticket["video_id"])
    progress = ProcessingBar(path.name)
    try:
        return client.wait(ticket["video_id"], on_progress=progress)
    finally:
        progress.close()


def run_upload(args: argparse.Namespace) -> int:
    from frame_metric.client import ApiError
    from frame_metric.errors import FrameMetricError
    from frame_metric.videos.container import inspect_mp4_file

    missing = [str(path) for path in args.files if not path.is_file()]
    if missing:
        return fail(f"no such file: {', '.join(missing)}")
    for path in args.files:  # the server checks too; checking here saves uploading a wrong file
        try:
            inspect_mp4_file(path)
        except FrameMetricError as exc:
            return fail(exc.detail)
    client = _client(args)
    options = upload_options(args)

    def one(path: Path) -> dict[str, Any] | str:
        try:
            return upload_and_wait(client, path, wait=not args.no_wait, options=options)
        except ApiError as exc:
            return f"{path.name}: {exc.detail}"
        except TimeoutError as exc:  # still processing after the wait: say so, the video goes on
            return f"{path.name}: {exc}; follow it with `frame-metric status`"

    with ThreadPoolExecutor(max_workers=MAX_CONCURRENT_UPLOADS) as pool:
        outcomes = list(pool.map(one, args.files))  # in argument order, whichever finished first
    results = [outcome for outcome in outcomes if isinstance(outcome, dict)]
    errors = [outcome for outcome in outcomes if isinstance(outcome, str)]
    if args.json:
        print_json(results)
    else:
        for status in results:
            print(f"{status['video_id']}  " + describe_result(status) if not args.no_wait
                  else f"{status['video_id']}  {status['filename']}: {status['status']}")
    for error in errors:
        fail(error)
    return 1 if errors or any(s["status"] in ("failed", "cancelled") for s in results) else 0


@guarded
def run_status(args: argparse.Namespace) -> int:
    status = _client(args).status(args.video_id)
    if args.json:
        print_json(status)
    else:
        print(f"{status['video_id']}  {status['status']}  {status['progress']}%  {status['current_step']}")
        print(describe_result(status) if status["status"] in ("completed", "failed") else "")
    return 0


@guarded
def run_list(args: argparse.Namespace) -> int:
    items = _client(args).list(args.skip, args.limit, args.status)
    if not items:
        filtered = f" {args.status}" if args.status else ""
        more = f" after the first {args.skip}" if args.skip else ""
        print(f"no{filtered} videos{more} (upload one with: frame-metric upload FILE)")
        return 0
    for item in items:
        measured = item.get("measured_duration")
        shown = f"{measured * 1000:.1f} ms" if measured is not None else "-"
        print(f"{item['video_id']}  {item['status']:<10} {shown:>10}  {item['filename']}")
    return 0


@guarded
def run_cancel(args: argparse.Namespace) -> int:
    result = _client(args).cancel(args.video_id)
    print(f"{result['video_id']}  {result['status']}")
    return 0
