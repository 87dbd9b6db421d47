"""`frame-metric task create|list|show|add|remove|stats|export`: timing tasks from the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from frame_metric.cli.common import api_url
from frame_metric.cli.output import guarded, ms, print_json, save_download

if TYPE_CHECKING:
    from frame_metric.client import FrameMetricClient


def register(commands: argparse._SubParsersAction) -> None:
    task = commands.add_parser("task", help="timing tasks: group videos, statistics, Excel/CSV export")
    actions = task.add_subparsers(dest="task_command", metavar="ACTION", required=True)

    create = actions.add_parser("create", help="create a task")
    create.add_argument("name")
    create.add_argument("--description")
    create.add_argument("--user", help="created_by")
    create.set_defaults(handler=run_create)

    listing = actions.add_parser("list", help="list tasks, newest first")
    listing.add_argument("--user")
    listing.add_argument("--skip", type=int, default=0)
    listing.add_argument("--limit", type=int, default=20)
    listing.set_defaults(handler=run_list)

    show = actions.add_parser("show", help="a task with its videos")
    show.add_argument("task_id")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=run_show)

    add = actions.add_parser("add", help="add completed videos to a task")
    add.add_argument("task_id")
    add.add_argument("video_ids", nargs="+", metavar="VIDEO_ID")
    add.add_argument("--notes")
    add.set_defaults(handler=run_add)

    remove = actions.add_parser("remove", help="remove a video from a task")
    remove.add_argument("task_id")
    remove.add_argument("video_id")
    remove.set_defaults(handler=run_remove)

    stats = actions.add_parser("stats", help="a task's statistics")
    stats.add_argument("task_id")
    stats.add_argument("--recalculate", action="store_true", help="recompute before showing")
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(handler=run_stats)

    export = actions.add_parser("export", help="download the timing data as .xlsx or .csv")
    export.add_argument("task_id")
    export.add_argument("--format", choices=["excel", "csv"], default="excel")
    export.add_argument("-o", "--output", type=Path,
                        help="file or folder to write (default: the server's file name, here)")
    export.set_defaults(handler=run_export)


def _client(args: argparse.Namespace) -> FrameMetricClient:
    from frame_metric.client import FrameMetricClient

    return FrameMetricClient(api_url(args))


@guarded
def run_create(args: argparse.Namespace) -> int:
    task = _client(args).create_task(args.name, args.description, args.user)
    print(f"{task['id']}  {task['name']}  {task['status']}")
    return 0


@guarded
def run_list(args: argparse.Namespace) -> int:
    found = _client(args).list_tasks(args.user, args.skip, args.limit)
    if not found:
        print("no timing tasks" + (f" of {args.user}" if args.user else "")
              + " (create one with: frame-metric task create NAME)")
    for task in found:
        average = ms(task["avg_duration"])
        print(f"{task['id']}  {task['status']:<10} {task['total_videos']:>3} videos  avg {average:>10}  {task['name']}")
    return 0


@guarded
def run_show(args: argparse.Namespace) -> int:
    task = _client(args).task(args.task_id)
    if args.json:
        print_json(task)
        return 0
    print(f"{task['id']}  {task['name']}  {task['status']}  {task['total_videos']} videos")
    for video in task["videos"]:
        print(f"  {video['order']:>3}. {video['video_id']}  {video['video_status'] or 'missing':<10}"
              f" {ms(video['duration']):>10}  {video['video_filename'] or ''}")
    return 0


@guarded
def run_add(args: argparse.Namespace) -> int:
    result = _client(args).add_to_task(args.task_id, args.video_ids, args.notes)
    print(f"added {result['added_count']}" + (f", already in the task: {len(result['already_in_task'])}"
                                              if result.get("already_in_task") else ""))
    for failed in result["failed_videos"]:
        print(f"frame-metric: {failed['video_id']}: {failed['reason']}", file=sys.stderr)
    return 1 if result["failed_videos"] else 0


@guarded
def run_remove(args: argparse.Namespace) -> int:
    print(_client(args).remove_from_task(args.task_id, args.video_id)["message"])
    return 0


@guarded
def run_stats(args: argparse.Namespace) -> int:
    stats = _client(args).task_statistics(args.task_id, args.recalculate)
    if args.json:
        print_json(stats)
        return 0
    print(f"{stats['task_name']}  {stats['status']}: {stats['total_videos']} videos, {stats['completed_videos']} "
          f"completed, {stats['processing_videos']} processing, {stats['failed_videos']} failed")
    for label in ("avg", "median", "p90", "min", "max", "stddev", "total"):
        print(f"  {label:<7} {ms(stats[f'{label}_duration']):>12}")
    print(f"  frames  {stats['total_frames']} (avg {stats['avg_frames_per_video'] or 0:.1f} per video)")
    return 0


@guarded
def run_export(args: argparse.Namespace) -> int:
    print(save_download(*_client(args).export_task(args.task_id, args.format), args.output))
    return 0
