"""The embedded local cloud under a bounded mixed load over loopback: uploads, status polling and
monitoring ingest at the same time.

    python bench/bench_load.py [--seconds 30] [--uploaders 2] [--pollers 4] [--senders 4]

Starts a throwaway local cloud. For `--seconds`, uploaders post a small generated recording (multipart,
as the console does) again and again, pollers read status, progress and the video list as a UI does,
and senders post monitoring sample batches through the ingest function. Then it waits for every
uploaded video's pipeline to finish. Prints throughput, error count and p50/p99 latency per kind;
every request must succeed and every video complete (exit 1 otherwise).
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

import requests

from frame_metric.data.monitor_config import MonitorProfile, MonitorTask, ProfileItem, Target
from frame_metric.localcloud.cloud import LocalCloud, LocalCloudOptions
from frame_metric.samples import generate_app_launch


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)

    def request(self, kind: str, session: requests.Session, method: str, url: str,
                **options: Any) -> requests.Response | None:
        started = time.perf_counter()
        try:
            response = session.request(method, url, **options)
        except requests.RequestException as exc:
            with self.lock:
                self.errors[kind].append(str(exc)[:200])
            return None
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            self.latencies[kind].append(elapsed)
            if response.status_code >= 400:
                self.errors[kind].append(f"{response.status_code} {response.text[:200]}")
        return response


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--uploaders", type=int, default=2)
    parser.add_argument("--pollers", type=int, default=4)
    parser.add_argument("--senders", type=int, default=4)
    args = parser.parse_args()

    clip = Path(tempfile.mkdtemp(prefix="bench-load-")) / "launch.mp4"
    generate_app_launch(clip, width=360, height=640, fps=30.0, seconds=2.0)
    data = clip.read_bytes()
    tally = Tally()
    uploaded: list[str] = []

    with LocalCloud(LocalCloudOptions(api_port=0)) as cloud:
        api = f"{cloud.api_url}/api/v1"
        profile = MonitorProfile(str(uuid.uuid4()), name="bench",
                                 items=[ProfileItem(metric="app_cpu", interval_ms=1000)])
        profile.save()
        task = MonitorTask(str(uuid.uuid4()), name="bench", target=Target(kind="android"),
                           profile_id=profile.profile_id)
        task.save()
        created = requests.post(f"{api}/monitor/tasks/{task.task_id}/runs", json={}, timeout=10).json()
        run_id = created["run_id"]
        auth = {"Authorization": f"Bearer {created['run_token']}", "Content-Type": "application/json"}
        requests.post(f"{api}/monitor/runs/{run_id}/start", headers=auth, timeout=10).raise_for_status()
        seqs = itertools.count()
        stop = time.monotonic() + args.seconds

        def uploader() -> None:
            session = requests.Session()
            while time.monotonic() < stop:
                response = tally.request("upload", session, "POST", f"{api}/video/upload",
                                         files={"file": ("launch.mp4", data, "video/mp4")}, timeout=120)
                if response is not None and response.status_code == 200:
                    with tally.lock:
                        uploaded.append(response.json()["video_id"])

        def poller() -> None:
            session = requests.Session()
            while time.monotonic() < stop:
                with tally.lock:
                    known = list(uploaded)
                if known and random.random() < 0.8:
                    video_id = random.choice(known)
                    path = random.choice(("status", "progress"))
                    tally.request("poll", session, "GET", f"{api}/video/{video_id}/{path}", timeout=30)
                else:
                    tally.request("poll", session, "GET", f"{api}/video/list?limit=20", timeout=30)
                time.sleep(0.05)

        def sender() -> None:
            session = requests.Session()
            while time.monotonic() < stop:
                seq = next(seqs)
                body = json.dumps({"seq": seq, "samples": [{"t": seq * 0.05 + i * 0.001, "metric": "app_cpu",
                                                            "value": i % 100} for i in range(50)]})
                tally.request("ingest", session, "POST", f"{api}/monitor/runs/{run_id}/samples", data=body,
                              headers=auth, timeout=30)

        workers = ([threading.Thread(target=uploader) for _ in range(args.uploaders)]
                   + [threading.Thread(target=poller) for _ in range(args.pollers)]
                   + [threading.Thread(target=sender) for _ in range(args.senders)])
        began = time.monotonic()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        elapsed = time.monotonic() - began

        # Every uploaded video must come out of its pipeline, none stuck or failed.
        drain_started = time.monotonic()
        outcome: dict[str, int] = defaultdict(int)
        for video_id in uploaded:
            deadline = time.monotonic() + 600
            while True:
                status = requests.get(f"{api}/video/{video_id}/progress", timeout=30).json()["status"]
                if status in ("completed", "failed", "cancelled") or time.monotonic() > deadline:
                    outcome[status] += 1
                    break
                time.sleep(0.2)
        drain = time.monotonic() - drain_started
        stored = requests.get(f"{api}/monitor/runs/{run_id}/samples?max_points=10", timeout=30).json()["sample_count"]

    print(f"mixed load for {elapsed:.1f} s: {args.uploaders} uploaders, {args.pollers} pollers, "
          f"{args.senders} ingest senders (loopback, one local cloud)")
    print(f"{'kind':8} {'requests':>8} {'req/s':>7} {'errors':>6} {'p50 ms':>8} {'p99 ms':>8}")
    errors = 0
    for kind in ("upload", "poll", "ingest"):
        values = tally.latencies[kind]
        errors += len(tally.errors[kind])
        print(f"{kind:8} {len(values):8d} {len(values) / elapsed:7.1f} {len(tally.errors[kind]):6d} "
              f"{percentile(values, 0.5):8.1f} {percentile(values, 0.99):8.1f}")
        for message in tally.errors[kind][:3]:
            print(f"    e.g. {message}")
    ingested = len(tally.latencies["ingest"]) * 50
    print(f"videos: {len(uploaded)} uploaded, outcomes {dict(outcome)}; pipeline drained {drain:.1f} s after the load")
    print(f"samples: {ingested} sent, {stored} stored")
    ok = errors == 0 and outcome.get("completed", 0) == len(uploaded) and stored == ingested
    print("OK: zero errors, every video completed, every sample stored" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
