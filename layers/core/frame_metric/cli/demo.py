"""`frame-metric demo`: the main job end to end on the embedded local cloud, then shut down."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from frame_metric.cli.output import describe_result, fail


def register(commands: argparse._SubParsersAction) -> None:
    demo = commands.add_parser("demo", help="start the local cloud, upload a recording, print its timing, stop")
    demo.add_argument("file", nargs="?", type=Path,
                      help="an .mp4 screen recording (default: a generated app-launch recording)")
    demo.set_defaults(handler=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    from frame_metric.cli.videos import upload_and_wait
    from frame_metric.client import FrameMetricClient
    from frame_metric.localcloud.cloud import LocalCloud, LocalCloudOptions
    from frame_metric.runner.demo import run_local_demo

    with tempfile.TemporaryDirectory(prefix="frame-metric-demo-") as scratch:
        truth = None
        path = args.file
        if path is None:
            from frame_metric.samples import generate_app_launch

            path = Path(scratch) / "app_launch.mp4"
            truth = generate_app_launch(path, width=540, height=1200, fps=60.0, seconds=3.0,
                                        variable_frame_rate=True)
            print(f"generated {path.name}: a 540x1200 60 fps variable-frame-rate app launch", file=sys.stderr)
        elif not path.is_file():
            return fail(f"no such file: {path}")
        print("starting the embedded local cloud...", file=sys.stderr)
        with LocalCloud(LocalCloudOptions(api_port=0)) as cloud:
            print(f"local cloud ready: API {cloud.api_url}", file=sys.stderr)
            status = upload_and_wait(FrameMetricClient(cloud.api_url), path)
            print(describe_result(status))
            if truth is not None and truth.first_frame is not None and truth.last_frame is not None:
                print(f"  expected: first #{truth.first_frame}, last #{truth.last_frame}, "
                      f"duration {(truth.last_timestamp - truth.first_timestamp) * 1000:.1f} ms")
            # The other half: a short scenario monitoring task on a local process, sampled while its
            # script runs, on one timeline.
            print("\nscenario monitoring of a local process:", flush=True)
            monitoring = run_local_demo(cloud.api_url)
        return 0 if status["status"] == "completed" and monitoring == 0 else 1
