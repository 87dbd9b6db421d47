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


def run_serve(args: argparse.Namespace) -> int:
    from frame_metric.localcloud.access import API_KEY_ENV, OpenToNetwork
    from frame_metric.localcloud.cloud import LocalCloud, LocalCloudOptions, default_data_dir
    from frame_metric.localcloud.stores import StoreError
    from frame_metric.settings import get_settings

    data_dir = (args.data_dir or default_data_dir()).expanduser().resolve()
    api_key = args.api_key or os.environ.get(API_KEY_ENV) or None
    settings = get_settings()
    s3_endpoint = args.s3_endpoint or settings.serve_s3_endpoint
    dynamodb_endpoint = args.dynamodb_endpoint or settings.serve_dynamodb_endpoint
    for name, url in (("--s3-endpoint", s3_endpoint), ("--dynamodb-endpoint", dynamodb_endpoint)):
        if url is not None and not url.startswith(("http://", "https://")):
            return fail(f"{name} must be an http:// or https:// URL, got {url!r}")
    cloud = LocalCloud(LocalCloudOptions(api_port=args.port, aws_port=args.aws_port, host=args.host,
                                         data_dir=data_dir, api_key=api_key, s3_endpoint=s3_endpoint,
                                         dynamodb_endpoint=dynamodb_endpoint))
    try:
        cloud.start()
    except OpenToNetwork as exc:
        return fail(str(exc))
    except StoreError as exc:
        return fail(f"cannot start the local cloud: {exc}")
    except OSError as exc:
        return fail(f"cannot start the local cloud: {exc} (is port {args.port} already in use? try --port)")
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
