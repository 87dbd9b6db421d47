"""The stack at scale on the embedded local cloud: a burst of uploads under injected throttling, and
runners behind an API edge that answers 429 to a share of their calls.

    python bench/bench_scale.py [--uploads 200] [--share 0.2] [--runners 20] [--runner-seconds 10]

Starts a throwaway local cloud: the upload trigger runs with template.yaml's TriggerMaxConcurrency,
`--share` of the pipeline's Lambda invocations are refused with TooManyRequestsException and the same
share of DynamoDB writes with ProvisionedThroughputExceeded. All `--uploads` recordings are put at once;
each must complete (none failed for capacity). Meanwhile `--runners` runners (the real uploader, 2
batches a second) stream samples through an edge answering 429 to `--edge-share` of requests; every
sample must be stored once. Prints throughput, time in queue (upload to analysis start) and what was
refused. Exit 1 when a video fails or a sample is lost.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.integration.faults: the fault proxy

from frame_metric.client import FrameMetricClient
from frame_metric.data import bind_models
from frame_metric.data.monitor_config import MonitorProfile, MonitorTask, ProfileItem, Target
from frame_metric.localcloud.cloud import LocalCloud, LocalCloudOptions
from frame_metric.runner.api import MonitorApi
from frame_metric.runner.interfaces import Sample
from frame_metric.runner.spool import Spool
from frame_metric.runner.uploader import Uploader
from frame_metric.samples import generate_app_launch
from frame_metric.settings import get_settings, reset_settings
from tests.integration.faults import (
    THROTTLED,
    TOO_MANY_REQUESTS,
    FaultProxy,
    any_request,
    dynamodb_writes,
)

PIPELINE = {"UploadTriggerFunction", "ProbeFunction", "AnalyseFunction", "SelectFunction", "FinalizeFunction"}
FINISHED = ("completed", "failed", "cancelled")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else 0.0


def watch(api: str, ids: list[str], put_at: dict[str, float],
          timeout: float) -> tuple[dict[str, Any], dict[str, float], int]:
    """Poll the videos (the list endpoint, newest first, as a console does) until all have finished:
    their final state, when each left the queue (its analysis started; a completed video seen
    first as completed counts then), and the most seen processing at once (the in-flight cap)."""
    most_in_flight = 0
    left_queue: dict[str, float] = {}
    final: dict[str, Any] = {}
    wanted = set(ids)
    deadline = time.monotonic() + timeout
    while len(final) < len(wanted) and time.monotonic() < deadline:
        seen: dict[str, Any] = {}
        for skip in range(0, len(wanted) + 100, 100):
            page = requests.get(f"{api}/video/list", params={"skip": skip, "limit": 100}, timeout=60).json()
            seen.update({v["video_id"]: v for v in page if v["video_id"] in wanted})
            if len(page) < 100:
                break
        now = time.monotonic()
        most_in_flight = max(most_in_flight, sum(v["status"] == "processing" for v in seen.values()))
        for video_id, video in seen.items():
            # A failed or cancelled video may never have had capacity: only analysis seen starting counts.
            started = video["status"] == "completed" or (video["status"] == "processing"
                                                         and video["current_step"] != "queued")
            if started and video_id not in left_queue:
                left_queue[video_id] = now - put_at[video_id]
            if video["status"] in FINISHED:
                final[video_id] = video
        time.sleep(0.5)
    return final, left_queue, most_in_flight


def run_runners(api_url: str, edge_url: str, count: int, seconds: float, spool_dir: Path) -> tuple[int, int, int]:
    """`count` runners streaming 2 batches a second for `seconds` through the edge: (sent, stored, throttled)."""
    profile = MonitorProfile(f"bench-scale-{time.time_ns()}", name="scale",
                             items=[ProfileItem(metric="app_cpu", interval_ms=500)])
    profile.save()
    task = MonitorTask(f"bench-scale-{time.time_ns()}", name="scale", target=Target(kind="android"),
                       profile_id=profile.profile_id)
    task.save()
    totals = {"sent": 0, "stored": 0, "throttled": 0}
    lock = threading.Lock()

    def one(number: int) -> None:
        api = MonitorApi(edge_url, timeout=30)
        run = api.create_run(task.task_id)
        api.start(run["run_id"], 0.0)
        uploader = Uploader(api, run["run_id"], Spool(spool_dir / f"{run['run_id']}.jsonl"), interval=0.5)
        uploader.start()
        began = time.monotonic()
        t = 0.0
        while time.monotonic() - began < seconds:
            uploader.add_samples([Sample(t + i * 0.05, "app_cpu", float(number + i)) for i in range(10)])
            t += 0.5
            time.sleep(0.5)
        delivered = uploader.stop(flush_timeout=120)
        api.finish(run["run_id"])
        stored = requests.get(f"{api_url}/api/v1/monitor/runs/{run['run_id']}/results", timeout=60).json()
        with lock:
            totals["sent"] += uploader.collected
            totals["stored"] += int(stored["sample_count"]) if delivered else 0
            totals["throttled"] += uploader.throttled

    with ThreadPoolExecutor(count) as pool:
        list(pool.map(one, range(count)))
    return totals["sent"], totals["stored"], totals["throttled"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--uploads", type=int, default=200)
    parser.add_argument("--share", type=float, default=0.2, help="share of Lambda invokes and DynamoDB writes refused")
    parser.add_argument("--runners", type=int, default=20)
    parser.add_argument("--runner-seconds", type=float, default=10.0)
    parser.add_argument("--edge-share", type=float, default=0.3, help="share of runner requests answered 429")
    parser.add_argument("--timeout", type=float, default=1800.0)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    clip = work / "tiny.mp4"
    generate_app_launch(clip, width=96, height=160, fps=10.0, seconds=1.0, tap_at=0.3, load_seconds=0.3)
    draw = random.Random(19)

    with LocalCloud(LocalCloudOptions(api_port=0)) as cloud, FaultProxy(cloud.tables.endpoint) as tables, \
            FaultProxy(cloud.api_url) as edge:  # type: ignore[union-attr]
        assert cloud.runtime is not None
        tables.fail(dynamodb_writes(), times=10**9, status=400, body=THROTTLED, share=args.share)
        edge.fail(any_request(), times=10**9, status=429, body=TOO_MANY_REQUESTS, share=args.edge_share)
        os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = tables.url
        reset_settings()
        bind_models(get_settings())
        cloud.runtime.throttle = lambda name: name in PIPELINE and draw.random() < args.share
        api = f"{cloud.api_url}/api/v1"
        print(f"local cloud up; trigger concurrency {cloud.trigger_concurrency}, at most "
              f"{get_settings().max_videos_in_flight} videos in flight, refusing {args.share:.0%} of "
              f"pipeline invokes and DynamoDB writes, {args.edge_share:.0%} of runner requests (429)", flush=True)

        results: dict[str, int] = {}

        def stream() -> None:
            sent, stored, throttled = run_runners(cloud.api_url, edge.url, args.runners, args.runner_seconds, work)
            results.update(sent=sent, stored=stored, throttled=throttled)

        runners = threading.Thread(target=stream)
        client = FrameMetricClient(cloud.api_url)
        put_at: dict[str, float] = {}
        began = time.monotonic()
        runners.start()

        def put(_: int) -> str:
            video_id = client.upload(clip)["video_id"]
            put_at[video_id] = time.monotonic()
            return str(video_id)

        with ThreadPoolExecutor(16) as pool:
            ids = list(pool.map(put, range(args.uploads)))
        uploaded = time.monotonic() - began
        final, queued, most_in_flight = watch(api, ids, put_at, args.timeout)
        elapsed = time.monotonic() - began
        runners.join()

    failed = [(v["video_id"], v["error_message"]) for v in final.values() if v["status"] != "completed"]
    unfinished = len(ids) - len(final)
    waits = list(queued.values())
    print(f"uploads: {len(ids)} put in {uploaded:.1f} s; all finished in {elapsed:.1f} s "
          f"= {len(final) / elapsed * 60:.1f} videos/min; completed {len(final) - len(failed)}, failed {len(failed)}, "
          f"unfinished {unfinished}")
    print(f"most videos processing at once (seen): {most_in_flight}")
    print(f"time in queue (upload to analysis start): p50 {percentile(waits, 0.5):.1f} s, "
          f"p95 {percentile(waits, 0.95):.1f} s, max {max(waits, default=0):.1f} s")
    print(f"refused on purpose: {cloud.runtime.throttled} Lambda invokes, {tables.rules[0].hits} DynamoDB writes, "
          f"{edge.rules[0].hits} runner requests (429)")
    print(f"runners: {args.runners} x {args.runner_seconds:.0f} s: {results.get('sent', 0)} samples sent, "
          f"{results.get('stored', 0)} stored, {results.get('throttled', 0)} batches throttled and resent")
    for video_id, reason in failed[:5]:
        print(f"  failed {video_id}: {reason}")
    lost = results.get("sent", 0) - results.get("stored", 0)
    return 1 if failed or unfinished or lost or not results else 0


if __name__ == "__main__":
    sys.exit(main())
