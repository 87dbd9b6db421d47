"""The terminal side of a run: the live status line while it runs and the summary after it."""

from __future__ import annotations

import time
from typing import Any, TextIO

from frame_metric.runner.uploader import Uploader


class LiveLine:
    """One line refreshed in place on a terminal; on a pipe or file, one plain line every few seconds
    (a log must not fill with carriage returns)."""

    def __init__(self, stream: TextIO, every: float = 0.5, plain_every: float = 5.0) -> None:
        self.stream = stream
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.every = every if self.tty else plain_every
        self._last = 0.0
        self._shown = False

    def show(self, elapsed: float, step: str, latest: dict[str, float], uploader: Uploader,
             force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.every:
            return
        self._last = now
        parts = [f"{elapsed:6.1f} s", step or "-"]
        for metric, label, unit in (("app_cpu", "cpu", "%"), ("memory_rss", "rss", " MB"),
                                    ("memory_pss", "pss", " MB"), ("fps", "fps", "")):
            if metric in latest:
                parts.append(f"{label} {latest[metric]:.1f}{unit}")
        parts.append(f"sent {uploader.delivered}/{uploader.collected}")
        if len(uploader.spool):
            parts.append(f"server unreachable: {len(uploader.spool)} batches spooled")
        line = "  ".join(parts)
        if self.tty:
            self.stream.write(f"\r{line}\x1b[K")
            self._shown = True
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self._shown:
            self.stream.write("\n")
            self.stream.flush()


def _number(value: Any) -> str:
    return "-" if value is None else f"{value:.2f}" if isinstance(value, float) else str(value)


def describe(run: dict[str, Any], results: dict[str, Any] | None, reason: str) -> str:
    verdict = run.get("verdict") or "none (no thresholds)"
    lines = [f"run {run['run_id']}: {run['status']}, verdict {verdict}", f"  ended: {reason}"]
    if run.get("failure_reason"):
        lines.append(f"  failure: {run['failure_reason']}")
    if results is None:
        return "\n".join(lines)
    lines.append(f"  samples {results['sample_count']}, marks {results['mark_count']}, "
                 f"t {_number(results.get('first_t'))}-{_number(results.get('last_t'))} s")
    metrics = {m: s for m, s in results.get("metrics", {}).items() if s.get("count")}
    if metrics:
        lines.append(f"  {'metric':<20}{'count':>7}{'avg':>10}{'min':>10}{'max':>10}{'p95':>10}")
        for metric, stat in metrics.items():
            lines.append(f"  {metric:<20}{stat['count']:>7}" + "".join(
                f"{_number(stat.get(k)):>10}" for k in ("avg", "min", "max", "p95")))
    for failure in results.get("failures", []):
        lines.append(f"  FAILED {failure['metric']} {failure['stat']} {failure['op']} {failure['value']:g} "
                     f"(observed {_number(failure['observed'])})")
    return "\n".join(lines)
