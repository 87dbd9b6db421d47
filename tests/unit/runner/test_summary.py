"""What the tester reads in the terminal: the live line and the run summary, units and events included."""

from __future__ import annotations

import io
from types import SimpleNamespace
from typing import Any

from frame_metric.monitor import results
from frame_metric.runner.summary import LiveLine, describe


def test_live_line_says_how_cpu_is_counted() -> None:
    out = io.StringIO()
    uploader: Any = SimpleNamespace(delivered=3, collected=4, spool=[])
    LiveLine(out).show(1.5, "scroll", {"app_cpu": 3.125, "app_cpu_per_core": 25.0, "memory_rss": 200.0}, uploader,
                       force=True)
    line = out.getvalue()
    assert "cpu 3.1% of all cores (25.0% top-style)" in line and "rss 200.0 MB" in line and "sent 3/4" in line
    out = io.StringIO()
    LiveLine(out).show(1.5, "scroll", {"app_cpu": 3.125}, uploader, force=True)
    assert "cpu 3.1% of all cores" in out.getvalue() and "top-style" not in out.getvalue()


def test_summary_has_units_restarts_and_jank_only_when_measured() -> None:
    samples = sorted([(0.1 * i, "app_cpu", 5.0) for i in range(10)] + [(0.5, "jank", 2.0), (0.5, "big_jank", 1.0)])
    marks = [(0.0, "open"), (0.62, "app restarted: pid 4242 -> 5555")]
    profile = {"items": [{"metric": "app_cpu", "thresholds": [{"stat": "avg", "op": "lt", "value": 4}]}]}
    computed = results.compute(samples, marks, profile)
    text = describe({"run_id": "r1", "status": "completed", "verdict": computed["verdict"]}, computed, "the end")
    assert "  app restarted: pid 4242 -> 5555 at 0.62 s" in text.splitlines()
    assert "  jank 2, big jank 1 (PerfDog's rule)" in text.splitlines()
    assert any(line.split()[:3] == ["app_cpu", "%", "10"] for line in text.splitlines())
    assert "FAILED app_cpu avg lt 4 % (observed 5.00 %)" in text
    process = results.compute([(0.0, "app_cpu", 5.0)], [], {})
    assert "jank" not in describe({"run_id": "r2", "status": "completed", "verdict": None}, process)
