"""Analysis speed against a plain OpenCV read loop, on a phone-sized recording.

    python bench/bench_analysis.py [--reps 3] [--cache-dir DIR]

Generates (once, cached) a 1080x2400, 60 fps, 20 s H.264 app-launch recording, then times, side by
side and interleaved so that background load hits both alike:

* `opencv`:  cv2.VideoCapture(path).read() until the end, nothing else (decode + BGR conversion);
* `analyze`: `python -m frame_metric.cli.analyze VIDEO --json` (probe, decode small, analyse, select).

Both run as fresh subprocesses, so both pay interpreter start-up and imports. Prints the medians,
the ratio analyze/opencv (target <= 1.0, aim 0.6) and whether the result matches the ground truth.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WIDTH, HEIGHT, FPS, SECONDS = 1080, 2400, 60.0, 20.0
OPENCV_LOOP = """
import sys, cv2
capture = cv2.VideoCapture(sys.argv[1])
frames = 0
while True:
    ok, _ = capture.read()
    if not ok:
        break
    frames += 1
print(frames)
"""


def recording(cache: Path) -> tuple[Path, dict]:
    path = cache / f"app_launch_{WIDTH}x{HEIGHT}_{FPS:g}fps_{SECONDS:g}s.mp4"
    truth_path = path.with_suffix(".json")
    if not (path.exists() and truth_path.exists()):
        from frame_metric.samples import generate_app_launch

        print(f"generating {path} (once; about a minute)...", file=sys.stderr)
        cache.mkdir(parents=True, exist_ok=True)
        truth = generate_app_launch(
            path, width=WIDTH, height=HEIGHT, fps=FPS, seconds=SECONDS, tap_at=5.0, load_seconds=3.0, cursor=True
        )
        truth_path.write_text(json.dumps(truth.to_dict()))
    return path, json.loads(truth_path.read_text())


def timed(argv: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=True)
    return time.perf_counter() - start, done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=Path(os.environ.get("FRAME_METRIC_BENCH_CACHE", Path(tempfile.gettempdir()) / "frame-metric-bench")),
    )
    args = parser.parse_args()
    path, truth = recording(args.cache_dir)
    opencv_cmd = [sys.executable, "-c", OPENCV_LOOP, str(path)]
    analyze_cmd = [sys.executable, "-m", "frame_metric.cli.analyze", str(path), "--json"]
    opencv_times, analyze_times = [], []
    result: dict = {}
    for rep in range(args.reps):
        seconds, out = timed(opencv_cmd)
        opencv_times.append(seconds)
        frames = int(out.strip())
        seconds, out = timed(analyze_cmd)
        analyze_times.append(seconds)
        result = json.loads(out)
        print(
            f"run {rep + 1}: opencv {opencv_times[-1]:.2f} s ({frames} frames), analyze {seconds:.2f} s",
            file=sys.stderr,
        )
    opencv, analyze = statistics.median(opencv_times), statistics.median(analyze_times)
    first, last = result["first_frame"], result["last_frame"]
    exact = (
        first and last and first["frame_number"] == truth["first_frame"] and last["frame_number"] == truth["last_frame"]
    )
    print(f"video:   {WIDTH}x{HEIGHT}, {FPS:g} fps, {SECONDS:g} s, H.264 ({path})")
    print(f"opencv:  median {opencv:.2f} s over {args.reps} runs (VideoCapture.read loop)")
    print(f"analyze: median {analyze:.2f} s over {args.reps} runs (python -m frame_metric.cli.analyze --json)")
    print(f"ratio analyze/opencv: {analyze / opencv:.2f} (target <= 1.0, aim 0.6)")
    print(
        f"result:  first #{first and first['frame_number']}, last #{last and last['frame_number']}; "
        f"truth first #{truth['first_frame']}, last #{truth['last_frame']}: {'exact' if exact else 'DIFFERENT'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
