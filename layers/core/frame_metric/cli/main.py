"""`frame-metric`: serve the local cloud, upload and follow videos, analyse a file, review results, run
and inspect device monitoring, make QR codes. `frame-metric COMMAND --help` for each command."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from frame_metric import __version__
from frame_metric.cli.common import Parser, add_global_options, spread_global_options

# One line per command module (frame_metric/cli/<name>.py with `register(commands)`), in --help order.
# All are imported on every call to build the parser, so a command module keeps its heavy imports
# (requests, the runner, the analysis, boto3...) inside its handlers: `--help` stays a few tens of ms.
COMMAND_MODULES = (
    "serve",
    "videos",
    "analyze",
    "review",
    "tasks",
    "run",
    "monitor",
    "demo",
    "qr",
)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="frame-metric", description=__doc__)
    parser.add_argument("--version", action="version", version=f"frame-metric {__version__}")
    add_global_options(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(f"frame_metric.cli.{name}").register(commands)
    spread_global_options(parser)
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
