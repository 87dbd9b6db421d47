"""`frame-metric`: serve the local cloud, upload and follow videos, analyse a file, run the demo."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from frame_metric import __version__
from frame_metric.cli import analyze, demo, keys, serve, tasks, videos
from frame_metric.cli import qr as qr_cli
from frame_metric.cli import run as run_cli


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="frame-metric", description=__doc__)
    parser.add_argument("--version", action="version", version=f"frame-metric {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens inside")
    parser.add_argument("--api-key", default=None,
                        help="API key sent as x-api-key (default: $FRAME_METRIC_API_KEY); `serve` requires it")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    serve.register(commands)
    videos.register(commands)
    analyze.register(commands)
    demo.register(commands)
    run_cli.register(commands)
    tasks.register(commands)
    qr_cli.register(commands)
    keys.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.api_key:  # every client of this process (and `serve`) reads it from there
        os.environ["FRAME_METRIC_API_KEY"] = args.api_key
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not args.verbose:
        # Per-request access logs of the local endpoints drown the useful lines.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
