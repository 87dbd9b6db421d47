"""`frame-metric serve`: the embedded local cloud and the API until Ctrl-C."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from frame_metric.cli.output import fail


def register(commands: argparse._SubParsersAction) -> None:
    serve = commands.add_parser(
        "serve", help="run the embedded local cloud and the API on this machine",
        description="Run the embedded local cloud and the API until Ctrl-C. With --api-key KEY (or "
                    "$FRAME_METRIC_API_KEY) every call but sample ingest must carry it as x-api-key, as the "
                    "deployed API does; without one it is open, and listens on loopback only.")
    serve.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="API port (default 8000)")
    serve.add_argument("--aws-port", type=int, default=0,
                       help="port of the local AWS endpoint (Lambda, Step Functions, SQS), always on 127.0.0.1; "
                            "default: any free")
    serve.add_argument("--data-dir", type=Path, default=None,
                       help="where videos, tables and objects are kept (default: $FRAME_METRIC_DATA_DIR or "
                            "~/.local/share/frame-metric)")
    serve.add_argument("--s3-endpoint", default=None, metavar="URL",
                       help="use this S3-compatible store (MinIO, LocalStack) instead of the embedded one; its "
                            "credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (default: "
                            "$FRAME_METRIC_S3_ENDPOINT; see docs/security.md)")
    serve.add_argument("--dynamodb-endpoint", default=None, metavar="URL",
                       help="use this DynamoDB-compatible store (DynamoDB Local, LocalStack) instead of the "
                            "embedded one (default: $FRAME_METRIC_DYNAMODB_ENDPOINT)")
    serve.set_defaults(handler=run_serve)


def _why_not_started(exc: Exception, port: int) -> str:
    from frame_metric.localcloud.access import OpenToNetwork
    from frame_metric.localcloud.stores import StoreError

    if isinstance(exc, OpenToNetwork):
        return str(exc)
    if isinstance(exc, StoreError):
        return f"cannot start the local cloud: {exc}"
    return f"cannot start the local cloud: {exc} (is port {port} already in use? try --port)"


def run_serve(args: argparse.Namespace) -> int:
    from frame_metric.localcloud.access import API_KEY_ENV, OpenToNetwork, check_bind
    from frame_metric.localcloud.stores import StoreError, check_port_free, default_data_dir, launch_tables_early
    from frame_metric.localcloud.template import project_root

    data_dir = (args.data_dir or default_data_dir()).expanduser().resolve()
    api_key = args.api_key or os.environ.get(API_KEY_ENV) or None
    from frame_metric.settings import get_settings

    settings = get_settings()
    s3_endpoint = args.s3_endpoint or settings.serve_s3_endpoint
    dynamodb_endpoint = args.dynamodb_endpoint or settings.serve_dynamodb_endpoint
    for name, url in (("--s3-endpoint", s3_endpoint), ("--dynamodb-endpoint", dynamodb_endpoint)):
        if url is not None and not url.startswith(("http://", "https://")):
            return fail(f"{name} must be an http:// or https:// URL, got {url!r}")
    try:
        check_bind(args.host, api_key)
        if args.port:
            check_port_free(args.host, args.port)
        # DynamoDB Local's JVM starts slowest: launch it now, before the seconds of importing boto3,
        # moto and Chalice below (not at all when the user brings their own tables).
        early = None if dynamodb_endpoint else launch_tables_early(project_root(), data_dir)
    except (OpenToNetwork, StoreError, OSError) as exc:
        return fail(_why_not_started(exc, args.port))
    from frame_metric.localcloud.cloud import LocalCloud, LocalCloudOptions

    cloud = LocalCloud(LocalCloudOptions(api_port=args.port, aws_port=args.aws_port, host=args.host,
                                         data_dir=data_dir, api_key=api_key, s3_endpoint=s3_endpoint,
                                         dynamodb_endpoint=dynamodb_endpoint), early=early)
    try:
        cloud.start()
    except (OpenToNetwork, StoreError, OSError) as exc:
        return fail(_why_not_started(exc, args.port))
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    access = ("API key required (x-api-key)" if api_key else
              "OPEN: no API key, anyone who can reach this address may call it")
    print(f"frame-metric serving on {cloud.api_url} (API docs {cloud.api_url}/docs; "
          f"console {cloud.api_url}/console/; data in {data_dir}; {access})", flush=True)
    stop.wait()
    print("stopping...", file=sys.stderr, flush=True)
    cloud.stop()
    return 0
