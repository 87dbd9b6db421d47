"""How the CLI shows results and progress."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tqdm import tqdm

Handler = Callable[[argparse.Namespace], int]


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


def fail(message: str, code: int = 2) -> int:
    print(f"frame-metric: {message}", file=sys.stderr)
    return code


def ms(seconds: float | None) -> str:
    """A duration the API gives in seconds, as testers read it."""
    return "-" if seconds is None else f"{seconds * 1000:.1f} ms"


def save_download(name: str, content: bytes, output: Path | None) -> Path:
    """Write a file the API sent (its own name, cleaned again so a hostile server stays out of other
    folders) to `output`, a file or a folder (default: here). Returns where it went."""
    from frame_metric.tasks.export import safe_stem

    stem, dot, extension = name.rpartition(".")
    local_name = f"{safe_stem(stem)}{dot}{extension}" if dot else safe_stem(name)
    target = output or Path(local_name)
    if target.is_dir():
        target = target / local_name
    target.write_bytes(content)
    return target


def guarded(action: Handler) -> Handler:
    """A command whose API refusals (and an unreachable API) end as one line on stderr, exit code 2."""

    def run(args: argparse.Namespace) -> int:
        from frame_metric.client import ApiError

        try:
            return int(action(args) or 0)
        except ApiError as exc:
            return fail(exc.detail)

    run.__doc__, run.__name__ = action.__doc__, action.__name__
    return run


class ProcessingBar:
    """One bar per video, 0-100 %, its label the pipeline's current step."""

    def __init__(self, label: str) -> None:
        from tqdm import tqdm

        self.label = label
        self.bar = tqdm(total=100, desc=label, file=sys.stderr, bar_format="{desc} {percentage:3.0f}%|{bar}|")

    def __call__(self, progress: dict[str, Any]) -> None:
        self.bar.n = int(progress.get("progress") or 0)
        self.bar.set_description_str(f"{self.label} [{progress.get('current_step', '')}]", refresh=False)
        self.bar.refresh()

    def close(self) -> None:
        self.bar.close()


def upload_bar(label: str, size: int) -> tqdm:
    from tqdm import tqdm

    return tqdm(total=size, desc=f"upload {label}", unit="B", unit_scale=True, unit_divisor=1024,
                file=sys.stderr)


def describe_result(status: dict[str, Any]) -> str:
    if status["status"] != "completed":
        reason = status.get("error_message") or status["status"]
        return f"{status['filename']}: {status['status']} ({reason})"
    frames = {frame["type"]: frame for frame in status.get("frames", [])}
    lines = [f"{status['filename']}: {status.get('width')}x{status.get('height')}, "
             f"{status.get('frame_count')} frames, {status.get('duration'):.3f} s"
             + (" (variable frame rate)" if status.get("variable_frame_rate") else "")]
    for kind in ("first", "last"):
        if kind in frames:
            frame = frames[kind]
            lines.append(f"  {kind} frame: #{frame['frame_number']} at {frame['timestamp']:.3f} s")
        else:
            lines.append(f"  {kind} frame: not found")
    if status.get("measured_duration") is not None:
        lines.append(f"  duration: {status['measured_duration'] * 1000:.1f} ms")
    confidence = status.get("ai_confidence")
    if confidence is not None:
        lines.append(f"  confidence: {confidence:.2f}" + ("  (needs review: " + "; ".join(
            status.get("review_reasons") or ["low confidence"]) + ")" if status.get("needs_review") else ""))
    return "\n".join(lines)
