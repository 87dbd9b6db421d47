"""Upload to result on the embedded local cloud against `frame-metric analyze`, and `serve` start-up.

    python bench/bench_pipeline.py [--reps 2] [--cache-dir DIR]      (or: make bench-pipeline)

Measured side by side in one run, interleaved so that background load hits all alike (the figures
are best of --reps; on a shared machine compare the ratios):

* `serve` start-up: seconds from `frame-metric serve` to its first answer on /health, on a fresh data
  directory and on a restart over the same one (target <= 3 s);
* local analyze: `python -m frame_metric.cli.analyze VIDEO --json` on the 20 s 1080x2400 60 fps
  recording of bench_analysis.py (generated once, cached);
* upload to result: the CLI's presigned upload of the same file to a running local cloud, then
  waiting as `frame-metric upload` does until the result is there (target <= 1.3x local analyze);
* a 3 s recording (1080x2400, 60 fps): seconds from the end of its upload to its result (target <= 2 s);
* where the 20 s recording's time goes: each Lambda step, its phases (download, probe, analyse,
  candidate images, stores) and the gaps between steps (S3 -> SQS -> trigger, Step Functions).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_analysis import recording

from frame_metric.client import FrameMetricClient
from frame_metric.localcloud.cloud import LocalCloud, LocalCloudOptions, free_port

SHORT = {"width": 1080, "height": 2400, "fps": 60.0, "seconds": 3.0, "tap_at": 0.8, "load_seconds": 1.0}
FRAME_METRIC = Path(sys.executable).with_name("frame-metric")


def short_recording(cache: Path) -> Path:
    path = cache / "app_launch_1080x2400_60fps_3s.mp4"
    if not path.exists():
        from frame_metric.samples import generate_app_launch

        cache.mkdir(parents=True, exist_ok=True)
        generate_app_launch(path, **SHORT)
    return path


def serve_ready_seconds(data_dir: Path) -> float:
    """From starting `frame-metric serve` to its first 200 on /health; then a clean stop."""
    port = free_port()
    started = time.monotonic()
    process = subprocess.Popen([str(FRAME_METRIC), "serve", "--port", str(port), "--data-dir", str(data_dir)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"serve exited: {process.stderr.read() if process.stderr else ''}")
            try:
                if requests.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    return time.monotonic() - started
            except requests.RequestException:
                pass
            time.sleep(0.02)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def analyze_seconds(path: Path) -> float:
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "frame_metric.cli.analyze", str(path), "--json"],
                   check=True, capture_output=True)
    return time.monotonic() - started


class StepPhases(logging.Handler):
    """Collects the phase lines the pipeline's steps log (frame_metric.pipeline.timing)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.by_video: dict[str, list[tuple[str, dict[str, float]]]] = defaultdict(list)
        self._lock_records = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        phases = getattr(record, "phases", None)
        if phases is not None:
            with self._lock_records:
                self.by_video[record.video_id].append((record.step, phases))  # type: ignore[attr-defined]


def upload_to_result(cloud: LocalCloud, client: FrameMetricClient, path: Path,
                     phases: StepPhases) -> dict[str, Any]:
    """One upload as `frame-metric upload` does it, with the pipeline's timeline around it."""
    assert cloud.runtime is not None
    cloud.runtime.timeline.clear()
    started = time.monotonic()
    ticket = client.upload(path)
    uploaded = time.monotonic()
    status = client.wait(ticket["video_id"])
    seen = time.monotonic()
    if status["status"] != "completed":
        raise RuntimeError(f"{path.name}: {status['status']}: {status.get('error_message')}")
    steps = [(name, begin, end) for name, begin, end in cloud.runtime.timeline
             if name not in ("ApiFunction", "SweeperFunction", "IngestFunction")]
    return {"upload": uploaded - started, "after_upload": seen - uploaded, "total": seen - started,
            "uploaded_at": uploaded, "seen_at": seen, "steps": sorted(steps, key=lambda step: step[1]),
            "phases": phases.by_video.get(ticket["video_id"], [])}


def breakdown(run: dict[str, Any]) -> list[tuple[str, float]]:
    """Rows of where one upload's time went, in order."""
    rows: list[tuple[str, float]] = [("upload (presigned PUT to the object store)", run["upload"])]
    mark, previous = run["uploaded_at"], "upload"
    gap_names = {("upload", "UploadTriggerFunction"): "S3 event -> SQS -> trigger",
                 ("UploadTriggerFunction", "ProbeFunction"):
                     "StartExecution -> Probe (negative: Probe began before the trigger returned)"}
    phases = defaultdict(list)
    for step, figures in run["phases"]:
        phases[step].append(figures)
    for name, begin, end in run["steps"]:
        label = gap_names.get((previous, name), f"Step Functions transition -> {name.removesuffix('Function')}")
        rows.append((f"  {label}", begin - mark))
        rows.append((f"{name.removesuffix('Function')} step", end - begin))
        step = name.removesuffix("Function").lower()
        if phases.get(step):
            for phase, seconds in phases[step].pop(0).items():
                rows.append((f"    {phase}", seconds))
        mark, previous = end, name
    rows.append(("  result seen by the CLI's wait (long poll)", run["seen_at"] - mark))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--cache-dir", type=Path, default=Path(os.environ.get(
        "FRAME_METRIC_BENCH_CACHE", Path(tempfile.gettempdir()) / "frame-metric-bench")))
    args = parser.parse_args()
    long_path, _ = recording(args.cache_dir)
    short_path = short_recording(args.cache_dir)

    fresh, restart = [], []
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as scratch:
        for rep in range(args.reps):
            data_dir = Path(scratch) / f"data-{rep}"
            fresh.append(serve_ready_seconds(data_dir))
            restart.append(serve_ready_seconds(data_dir))
            print(f"serve run {rep + 1}: fresh {fresh[-1]:.2f} s, restart {restart[-1]:.2f} s", file=sys.stderr)

    phases = StepPhases()
    logging.getLogger("frame_metric.pipeline.timing").addHandler(phases)
    logging.getLogger("frame_metric.pipeline.timing").setLevel(logging.INFO)
    analyze, pipeline, short = [], [], []
    with LocalCloud(LocalCloudOptions(api_port=0)) as cloud:
        client = FrameMetricClient(cloud.api_url)
        cloud.pipeline_warm.wait(120)  # as with a `serve` that has been up for a few seconds
        for rep in range(args.reps):
            analyze.append(analyze_seconds(long_path))
            pipeline.append(upload_to_result(cloud, client, long_path, phases))
            short.append(upload_to_result(cloud, client, short_path, phases))
            print(f"run {rep + 1}: analyze {analyze[-1]:.2f} s, upload-to-result {pipeline[-1]['total']:.2f} s, "
                  f"3 s recording after upload {short[-1]['after_upload']:.2f} s", file=sys.stderr)

    best = min(pipeline, key=lambda run: run["total"] / analyze[pipeline.index(run)])
    ratios = [run["total"] / seconds for run, seconds in zip(pipeline, analyze, strict=True)]
    print(f"\n20 s 1080x2400 60 fps recording ({long_path}); best of {args.reps}, ratios per run\n")
    print("| figure | seconds | target |")
    print("|---|---:|---|")
    print(f"| `serve` ready on a fresh data dir | {min(fresh):.2f} | |")
    print(f"| `serve` ready on a restart (existing data dir) | {min(restart):.2f} | <= 3 s |")
    print(f"| local `frame-metric analyze` | {min(analyze):.2f} | |")
    print(f"| upload to result on the local cloud | {min(run['total'] for run in pipeline):.2f} | |")
    print(f"| ratio upload-to-result / analyze (best run; runs: {', '.join(f'{r:.2f}' for r in ratios)}) "
          f"| {min(ratios):.2f} | <= 1.3 |")
    print(f"| 3 s recording: result after its upload finished | {min(run['after_upload'] for run in short):.2f} "
          "| <= 2 s |")
    print("\nWhere the 20 s recording's time went (the run with the best ratio):\n")
    print("| part | seconds |")
    print("|---|---:|")
    for label, seconds in breakdown(best):
        print(f"| {label.replace('|', '/')} | {seconds:.2f} |")
    print(f"| **upload to result** | **{best['total']:.2f}** |")
    json.dump({"fresh": fresh, "restart": restart, "analyze": analyze, "ratios": ratios,
               "short_after_upload": [run["after_upload"] for run in short]}, sys.stderr)
    print(file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
