"""Monitoring ingest throughput and live-query latency against the embedded local cloud.

    python bench/bench_ingest.py [--seconds 60] [--senders 4] [--batch 50]

Starts a throwaway local cloud, creates a profile, a task and a run, then for `--seconds` several
concurrent senders POST batches of samples (over real HTTP, through the ingest function exactly as API
Gateway would route them); every 25th batch is sent twice to exercise idempotency under load. Meanwhile
a poller follows the live `since` cursor once a second, like a chart. At the end it counts everything
back (results and the live stream): no sample may be lost or duplicated. Prints samples/s (target
>= 2,000) and the live query latency (target < 100 ms).
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import threading
import time
import uuid

import requests

from frame_metric.data.monitor_config import MonitorProfile, MonitorTask, ProfileItem, Target
from frame_metric.localcloud.cloud import LocalCloud, LocalCloudOptions

METRICS = ("app_cpu", "memory_pss", "fps", "frame_time", "net_rx")


def _batch(seq: int, size: int) -> bytes:
    # Sample times are unique per (seq, index), so duplicates can be told apart when counting back.
    base = seq * size * 0.001
    samples = [{"t": round(base + i * 0.001, 6), "metric": METRICS[i % len(METRICS)], "value": (seq * 7 + i) % 100}
               for i in range(size)]
    return json.dumps({"seq": seq, "samples": samples}).encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--senders", type=int, default=8)
    parser.add_argument("--batch", type=int, default=50)
    args = parser.parse_args()

    with LocalCloud(LocalCloudOptions(api_port=0)) as cloud:
        api = f"{cloud.api_url}/api/v1/monitor"
        profile = MonitorProfile(str(uuid.uuid4()), name="bench",
                                 items=[ProfileItem(metric=m, interval_ms=1000) for m in METRICS])
        profile.save()
        task = MonitorTask(str(uuid.uuid4()), name="bench", target=Target(kind="android"),
                           profile_id=profile.profile_id)
        task.save()
        created = requests.post(f"{api}/tasks/{task.task_id}/runs", json={}, timeout=10).json()
        run_id, token = created["run_id"], created["run_token"]
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        requests.post(f"{api}/runs/{run_id}/start", headers=headers, timeout=10).raise_for_status()

        seqs = itertools.count()
        lock = threading.Lock()
        stored = duplicates = errors = 0
        stop = time.monotonic() + args.seconds

        def sender() -> None:
            nonlocal stored, duplicates, errors
            session = requests.Session()
            while time.monotonic() < stop:
                with lock:
                    seq = next(seqs)
                body = _batch(seq, args.batch)
                for _ in range(2 if seq % 25 == 0 else 1):
                    response = session.post(f"{api}/runs/{run_id}/samples", data=body, headers=headers, timeout=30)
                    with lock:
                        if response.status_code != 200:
                            errors += 1
                        elif response.json()["duplicate"]:
                            duplicates += 1
                        else:
                            stored += 1

        live_latencies: list[float] = []
        live_samples = 0
        cursor = 0

        def poller() -> None:
            nonlocal live_samples, cursor
            session = requests.Session()
            while time.monotonic() < stop + 1:
                started = time.perf_counter()
                view = session.get(f"{api}/runs/{run_id}/samples", params={"since": cursor, "max_points": 10000},
                                   timeout=30).json()
                live_latencies.append((time.perf_counter() - started) * 1000)
                live_samples += view["sample_count"]
                cursor = view["cursor"]
                time.sleep(1.0)

        threads = [threading.Thread(target=sender) for _ in range(args.senders)]
        watcher = threading.Thread(target=poller)
        began = time.monotonic()
        for thread in [*threads, watcher]:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - began
        watcher.join()
        # Whatever the poller's last call did not see yet (batches still in flight at that moment).
        rest = requests.get(f"{api}/runs/{run_id}/samples", params={"since": cursor, "max_points": 10000},
                            timeout=30).json()
        live_samples += rest["sample_count"]

        # A chart's steady-state poll: one second of new data after the cursor.
        per_second = max(1, int(stored / elapsed))
        steady: list[float] = []
        for _ in range(20):
            started = time.perf_counter()
            requests.get(f"{api}/runs/{run_id}/samples", params={"since": max(0, rest["cursor"] - per_second)},
                         timeout=30).raise_for_status()
            steady.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        whole = requests.get(f"{api}/runs/{run_id}/samples", params={"since": 0, "max_points": 1000}, timeout=120)
        whole_ms = (time.perf_counter() - started) * 1000
        requests.post(f"{api}/runs/{run_id}/finish", headers=headers, timeout=120).raise_for_status()
        results = requests.get(f"{api}/runs/{run_id}/results", timeout=120).json()

    sent = stored * args.batch
    rate = sent / elapsed
    lost_or_doubled = results["sample_count"] - sent
    print(f"ingest: {stored} batches x {args.batch} samples = {sent} samples in {elapsed:.1f} s from "
          f"{args.senders} senders: {rate:,.0f} samples/s (target >= 2,000)")
    print(f"  duplicates sent and refused: {duplicates}; errors: {errors}")
    print(f"  counted back: results {results['sample_count']}, live stream {live_samples} "
          f"(difference from sent: {lost_or_doubled}, {live_samples - sent})")
    print(f"live since query while ingesting: median {statistics.median(live_latencies):.1f} ms, "
          f"max {max(live_latencies):.1f} ms over {len(live_latencies)} polls")
    print(f"live since query, last ~1 s of data ({per_second} batches): median {statistics.median(steady):.1f} ms, "
          f"p95 {sorted(steady)[int(len(steady) * 0.95) - 1]:.1f} ms (target < 100 ms)")
    print(f"whole run downsampled to 1000 points/metric: {whole_ms:.0f} ms ({whole.json()['sample_count']} samples)")
    ok = lost_or_doubled == 0 and live_samples == sent and errors == 0
    print("OK: no sample lost or duplicated" if ok else "FAILED: samples lost or duplicated")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
