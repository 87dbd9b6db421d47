"""Analysis speed against a plain OpenCV read loop, on a phone-sized recording.

    python bench/bench_analysis.py [--reps 3] [--cache-dir DIR]

Generates (once, cached) a 1080x2400, 60 fps, 20 s H.264 app-launch recording with light sensor-like
noise (so no frame decodes identical to the one before: the worst case for skipping still frames),
then times, side by side and interleaved so that background load hits all alike:

* `opencv`:  cv2.VideoCapture(path).read() until the end, nothing else (decode + BGR conversion);
* `cli`:     `frame-metric analyze VIDEO --json`, the installed command as a user runs it;
* `module`:  `python -m frame_metric.cli.analyze VIDEO --json` (the analyze code path alone, without
  the other commands' imports).

All run as fresh subprocesses, so all pay interpreter start-up and imports. Prints the medians, the
ratios to opencv, each run paired with the opencv run just before it (target <= 0.8, aim 0.65), and
whether the result matches the ground truth.
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

WIDTH, HEIGHT, FPS, SECONDS, NOISE = 1080, 2400, 60.0, 20.0, 2.0
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
    path = cache / f"app_launch_{WIDTH}x{HEIGHT}_{FPS:g}fps_{SECONDS:g}s_noise{NOISE:g}.mp4"
    truth_path = path.with_suffix(".json")
    if not (path.exists() and truth_path.exists()):
        from frame_metric.samples import generate_app_launch

        print(f"generating {path} (once; about a minute)...", file=sys.stderr)
        cache.mkdir(parents=True, exist_ok=True)
        truth = generate_app_launch(
            path,
            width=WIDTH,
            height=HEIGHT,
            fps=FPS,
            seconds=SECONDS,
            tap_at=5.0,
            load_seconds=3.0,
            cursor=True,
            noise=NOISE,
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
    cli = Path(sys.executable).with_name("frame-metric")
    commands = {
        "opencv": [sys.executable, "-c", OPENCV_LOOP, str(path)],
        "cli": [str(cli), "analyze", str(path), "--json"],
        "module": [sys.executable, "-m", "frame_metric.cli.analyze", str(path), "--json"],
    }
    times: dict[str, list[float]] = {k: [] for k in commands}
    result: dict = {}
    for rep in range(args.reps):
        for name, argv in commands.items():
            seconds, out = timed(argv)
            times[name].append(seconds)
            if name != "opencv":
                result = json.loads(out)
        print(f"run {rep + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in times.items()), file=sys.stderr)
    median = {k: statistics.median(v) for k, v in times.items()}
    first, last = result["first_frame"], result["last_frame"]
    exact = (
        first and last and first["frame_number"] == truth["first_frame"] and last["frame_number"] == truth["last_frame"]
    )
    print(f"video:   {WIDTH}x{HEIGHT}, {FPS:g} fps, {SECONDS:g} s, H.264, sensor noise sigma {NOISE:g} ({path})")
    for name in commands:
        print(f"{name + ':':8} median {median[name]:.2f} s over {args.reps} runs")
    for name in ("cli", "module"):
        # Each run's ratio pairs two back-to-back timings under the same background load: on a shared
        # machine their median is steadier than the ratio of two medians.
        paired = [a / b for a, b in zip(times[name], times["opencv"], strict=True)]
        print(
            f"ratio {name}/opencv: median of paired runs {statistics.median(paired):.2f} "
            f"(runs {', '.join(f'{r:.2f}' for r in paired)}; ratio of medians {median[name] / median['opencv']:.2f}; "
            "target <= 0.8, aim 0.65)"
        )
    print(
        f"result:  first #{first and first['frame_number']}, last #{last and last['frame_number']}; "
        f"truth first #{truth['first_frame']}, last #{truth['last_frame']}: {'exact' if exact else 'DIFFERENT'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
