"""The terminal side of a run: the live status line while it runs and the summary after it."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, TextIO

from frame_metric.monitor.catalog import unit_of

if TYPE_CHECKING:
    from frame_metric.runner.uploader import Uploader

# marks the sampler puts on the timeline (runner/android/sampler.py): each is a line of the summary too
TARGET_EVENTS = ("app restarted:", "app gone:", "app started:")


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
        if "app_cpu" in latest:  # normalised to all cores, as the catalog defines it; top-style beside it
            top = latest.get("app_cpu_per_core")
            parts.append(f"cpu {latest['app_cpu']:.1f}% of all cores"
                         + (f" ({top:.1f}% top-style)" if top is not None else ""))
        for metric, label, unit in (("memory_rss", "rss", " MB"), ("memory_pss", "pss", " MB"), ("fps", "fps", "")):
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


def describe(run: dict[str, Any], results: dict[str, Any] | None, reason: str | None = None) -> str:
    """The run summary: status and verdict, how it ended (when the runner knows), events of the target,
    jank, then one row per measured metric with its unit, and the failed thresholds."""
    verdict = run.get("verdict") or "none (no thresholds)"
    lines = [f"run {run['run_id']}: {run['status']}, verdict {verdict}"]
    if reason:
        lines.append(f"  ended: {reason}")
    if run.get("failure_reason"):
        lines.append(f"  failure: {run['failure_reason']}")
    if results is None:
        return "\n".join(lines)
    lines.append(f"  samples {results['sample_count']}, marks {results['mark_count']}, "
                 f"t {_number(results.get('first_t'))}-{_number(results.get('last_t'))} s")
    for segment in results.get("segments", []):
        if segment["name"].startswith(TARGET_EVENTS):
            lines.append(f"  {segment['name']} at {segment['start']:.2f} s")
    if results.get("jank") is not None:
        lines.append(f"  jank {results['jank']['jank']}, big jank {results['jank']['big_jank']} (PerfDog's rule)")
    metrics = {m: s for m, s in results.get("metrics", {}).items() if s.get("count")}
    if metrics:
        lines.append(f"  {'metric':<20}{'unit':<7}{'count':>7}{'avg':>10}{'min':>10}{'max':>10}{'p95':>10}")
        for metric, stat in metrics.items():
            lines.append(f"  {metric:<20}{unit_of(metric):<7}{stat['count']:>7}" + "".join(
                f"{_number(stat.get(k)):>10}" for k in ("avg", "min", "max", "p95")))
    for failure in results.get("failures", []):
        unit = unit_of(failure["metric"])
        unit = f" {unit}" if unit not in ("", "count") else ""
        lines.append(f"  FAILED {failure['metric']} {failure['stat']} {failure['op']} {failure['value']:g}{unit} "
                     f"(observed {_number(failure['observed'])}{unit if failure['observed'] is not None else ''})")
    return "\n".join(lines)
