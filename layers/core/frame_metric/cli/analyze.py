"""`frame-metric analyze VIDEO`: find the first and last frame of a local recording, no cloud needed.

Also runnable as `python -m frame_metric.cli.analyze VIDEO [--json]`.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the analysis (numpy, PyAV) is imported when a video is analysed, not for --help
    from frame_metric.analysis import AnalysisResult, Region

EXIT_ANALYSIS_ERROR = 2


def _region(text: str) -> Region:
    from frame_metric.analysis import Region

    try:
        return Region.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0.1 <= value <= 60.0:
        raise argparse.ArgumentTypeError("must be between 0.1 and 60 seconds")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("video", metavar="VIDEO", help="screen recording (MP4, MOV, MKV...)")
    parser.add_argument("--json", action="store_true", help="print the full result as one JSON object")
    parser.add_argument(
        "--ignore",
        action="extend",
        nargs="+",
        type=_region,
        default=[],
        metavar="X,Y,W,H",
        help="also ignore these regions (fractions of width/height); several after one flag, or repeat it",
    )
    parser.add_argument("--keep-status-bar", action="store_true", help="do not ignore the status-bar strip at the top")
    parser.add_argument(
        "--quiet-period",
        type=_seconds,
        default=1.0,
        metavar="S",
        help="without touches, split interactions where nothing changes for S seconds (default 1)",
    )
    parser.add_argument(
        "--no-touch-indicator",
        action="store_true",
        help="do not look for Android's Show-taps indicator or Pointer-location crosshair (interactions then "
        "split on quiet periods)",
    )
    parser.add_argument(
        "--segment-frames",
        type=_positive,
        metavar="N",
        help="analyse in segments of at most N frames (split at keyframes)",
    )
    parser.add_argument(
        "--workers",
        type=_positive,
        default=1,
        metavar="N",
        help="analyse segments in N processes (default 1)",
    )


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "analyze",
        help="find the first and last frame of a local video",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    parser.set_defaults(handler=run)


def summary(result: AnalysisResult) -> str:
    d: dict[str, Any] = result.to_dict()
    v = d["video"]
    lines = [
        f"video: {v['width']}x{v['height']}, {v['frame_count']} frames, {round(v['fps'], 1):g} fps"
        f"{' (variable)' if v['variable_frame_rate'] else ''}, {v['duration']:.2f} s"
    ]
    for label, key in (("first frame", "first_frame"), ("last frame ", "last_frame")):
        mark = d[key]
        lines.append(f"{label}: " + (f"#{mark['frame_number']} at {mark['timestamp']:.3f} s" if mark else "none"))
    if d["duration"] is not None:
        lines.append(f"duration:    {d['duration'] * 1000:.1f} ms")
    lines.append(f"confidence:  {d['confidence']:.2f}{'  (needs review)' if d['needs_review'] else ''}")
    lines += [f"  - {reason}" for reason in d["review_reasons"]]
    changing = [r for r in d["ignored_regions"] if r["reason"] == "always_changing"]
    if changing:
        lines.append(
            f"ignored {len(changing)} always-changing region(s): "
            + ", ".join(f"{r['x']:.2f},{r['y']:.2f},{r['w']:.2f},{r['h']:.2f}" for r in changing)
        )
    lines += action_lines(d["actions"])
    return "\n".join(lines)


def action_lines(actions: list[dict[str, Any]]) -> list[str]:
    """One line per interaction: its frames and times (ms)."""
    if not actions:
        return []

    def at(mark: dict[str, Any] | None) -> str:
        return "-" if mark is None else f"#{mark['frame_number']}"

    def ms(value: float | None) -> str:
        return "-" if value is None else f"{value * 1000:.0f} ms"

    lines = [f"actions: {len(actions)} (operation / response / finish / end)"]
    for a in actions:
        lines.append(
            f"  {a['index']:>3}: {at(a['operation'])} / {at(a['response'])} / {at(a['finish'])} / {at(a['end'])}"
            f"  response {ms(a['response_time'])}, finish {ms(a['finish_time'])}"
            + ("  (needs review)" if a["needs_review"] else "")
        )
    return lines


def run(args: argparse.Namespace) -> int:
    from frame_metric.analysis import AnalysisOptions, VideoAnalysisError, analyze_video

    options = AnalysisOptions(
        ignore=tuple(args.ignore),
        ignore_status_bar=not args.keep_status_bar,
        touch_indicator=not args.no_touch_indicator,
        quiet_period=args.quiet_period,
    )
    try:
        result = analyze_video(args.video, options, segment_frames=args.segment_frames, workers=args.workers)
    except VideoAnalysisError as exc:
        print(f"frame-metric analyze: {args.video}: {exc.reason}", file=sys.stderr)
        return EXIT_ANALYSIS_ERROR
    if args.json:
        print(json.dumps(result.to_dict()))
    else:
        print(summary(result))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m frame_metric.cli.analyze", description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
