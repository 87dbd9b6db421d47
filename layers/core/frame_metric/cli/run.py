"""`frame-metric run`: run a monitoring task on this machine (a local process or an android device).

    frame-metric run TASK_ID [--api URL] [--device SERIAL] [--driver auto|adb|u2] [--record] [--spool-dir DIR]
                     [--screenshots DIR | --no-screenshots]
    frame-metric run --script FILE --profile PROFILE --target-command "..." [--duration S] [--repeat N]
    frame-metric run --script FILE --profile PROFILE --target-package com.example.app [--device SERIAL]
    frame-metric run --resend RUN_ID [--api URL] [--spool-dir DIR]

The second form runs a script ad hoc: it stores the script, the profile (when given as a metrics
list such as `app_cpu,memory_rss:500`) and a task through the API, then runs that task, so the run
shows in the console like any other. A task's repeat_count plays its script that many times within the
one run; marks then start with "iteration i/n ". Exit code: 0 pass, 1 fail, 2 not judged (error,
cancelled)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from frame_metric.cli.common import api_url
from frame_metric.cli.output import fail

# as runner/task.py has them; repeated here so `--help` does not import the runner
DEFAULT_SPOOL = Path.home() / ".frame-metric" / "spool"
DEFAULT_SCREENSHOTS = Path("frame-metric-screenshots")


def register(commands: argparse._SubParsersAction) -> None:
    run = commands.add_parser("run", help="run a monitoring task here: sample the target while its script plays",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_argument("task_id", nargs="?", help="the task to run (omit with --script/--profile for an ad hoc run)")
    run.add_argument("--device", help="adb serial of the device (android targets; default: the task's)")
    run.add_argument("--driver", choices=("auto", "adb", "u2"), default="auto",
                     help="how android steps are played: u2 = uiautomator2 (pip install 'frame-metric[android]'), "
                          "adb = plain adb commands, auto (default) = u2 when installed and it connects, else adb")
    run.add_argument("--record", action="store_true",
                     help="record the device screen during the run (android); every segment is uploaded as a "
                          "video and linked to the run at its offset")
    run.add_argument("--record-segment", type=int, default=None, metavar="S",
                     help="seconds per screenrecord segment, 1-180 (default 170: screenrecord stops at 180)")
    shots = run.add_mutually_exclusive_group()
    shots.add_argument("--screenshots", type=Path, default=DEFAULT_SCREENSHOTS, metavar="DIR",
                       help="where `screenshot` steps leave their PNGs, in a folder per run "
                            f"(default: ./{DEFAULT_SCREENSHOTS}/<run id>/)")
    shots.add_argument("--no-screenshots", dest="screenshots", action="store_const", const=None,
                       help="do not keep the screenshots of `screenshot` steps")
    run.add_argument("--spool-dir", type=Path, default=DEFAULT_SPOOL,
                     help=f"where batches wait while the server is unreachable (default: {DEFAULT_SPOOL})")
    run.add_argument("--resend", metavar="RUN_ID",
                     help="send a spool an earlier run left behind (server was away) and end that run")
    adhoc = run.add_argument_group("ad hoc run (no stored task)")
    adhoc.add_argument("--script", type=Path, help="a YAML (.yaml/.yml) or Python (.py) scenario script")
    adhoc.add_argument("--profile", help="a profile id, or metrics like app_cpu,memory_rss:500 (ms)")
    target = adhoc.add_mutually_exclusive_group()
    target.add_argument("--target-command", help="a command the runner launches and monitors")
    target.add_argument("--target-pid", type=int, help="a running process to monitor")
    target.add_argument("--target-name", help="the name of a running process to monitor")
    target.add_argument("--target-package", help="an android app (package name) on the device given by --device, "
                                                  "or the only one connected")
    adhoc.add_argument("--duration", type=int, default=600, help="duration limit in seconds (default 600)")
    adhoc.add_argument("--repeat", type=int, default=1, help="play the script this many times in the run (default 1)")
    run.set_defaults(handler=run_command)


def _adhoc_target(args: argparse.Namespace) -> dict[str, Any] | None:
    if args.target_command:
        return {"kind": "process", "command": args.target_command}
    if args.target_pid:
        return {"kind": "process", "pid": args.target_pid}
    if args.target_name:
        return {"kind": "process", "process_name": args.target_name}
    if args.target_package:
        return {"kind": "android", "package": args.target_package,
                **({"device_serial": args.device} if args.device else {})}
    return None


def run_command(args: argparse.Namespace) -> int:
    from frame_metric.client import ApiError
    from frame_metric.runner.api import MonitorApi
    from frame_metric.runner.setup import create_adhoc_task
    from frame_metric.runner.task import run_task

    api = api_url(args)
    if args.record_segment is not None and not 1 <= args.record_segment <= 180:
        return fail(f"--record-segment must be between 1 and 180 seconds, got {args.record_segment}")
    if not 1 <= args.repeat <= 1000:
        return fail(f"--repeat must be between 1 and 1000, got {args.repeat}")
    if args.resend:
        from frame_metric.runner.core import resend

        return resend(api, args.resend, args.spool_dir)
    target = _adhoc_target(args)
    task_id = args.task_id
    if task_id is None:
        if target is None or not args.profile:
            return fail("give a TASK_ID, or --profile and one of --target-command/--target-pid/--target-name/"
                        "--target-package (with --script) for an ad hoc run")
        if args.script is not None and not args.script.is_file():
            return fail(f"no such file: {args.script}")
        try:
            task_id = create_adhoc_task(MonitorApi(api), args.script, args.profile, target, args.duration,
                                        args.repeat)
        except ApiError as exc:
            return fail(f"cannot set up the ad hoc run: {exc.detail}")
    elif target is not None or args.script is not None or args.profile or args.repeat != 1:
        return fail("a TASK_ID already names its target, script and profile; drop the ad hoc options")
    return run_task(api, task_id, device=args.device, record=args.record, spool_dir=args.spool_dir,
                    driver=args.driver, screenshots=args.screenshots, segment_seconds=args.record_segment)
