"""Results of a monitoring run: statistics per metric for the whole run and per mark segment, the
profile's threshold verdicts and jank counts. Pure functions over samples: no I/O here."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

Sample = tuple[float, str, float]  # (t seconds on the run's clock, metric, value)
Mark = tuple[float, str]  # (t, name)

# PerfDog's rules (ARCHITECTURE.md): jank = frame time > 2x mean of the previous 3 AND > 83.3 ms;
# big jank additionally > 125 ms.
JANK_MS = 1000 / 60 * 5
BIG_JANK_MS = 125.0
_OPS = {"lt": lambda a, b: a < b, "le": lambda a, b: a <= b, "gt": lambda a, b: a > b,
        "ge": lambda a, b: a >= b, "eq": lambda a, b: a == b}


def _round(value: float) -> float:
    return round(float(value), 4)


def percentile(ordered: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), on sorted values. Plain Python:
    the API and sweeper functions do not ship numpy."""
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def stats(values: Sequence[float]) -> dict[str, float | int]:
    """count/min/max/avg/median/p90/p95/sum."""
    if not values:
        return {"count": 0}
    ordered = sorted(float(v) for v in values)
    total = math.fsum(ordered)
    return {"count": len(ordered), "min": _round(ordered[0]), "max": _round(ordered[-1]),
            "avg": _round(total / len(ordered)), "median": _round(percentile(ordered, 50)),
            "p90": _round(percentile(ordered, 90)), "p95": _round(percentile(ordered, 95)),
            "sum": _round(total)}


def by_metric(samples: Iterable[Sample]) -> dict[str, list[float]]:
    grouped: dict[str, list[float]] = defaultdict(list)
    for _, metric, value in samples:
        grouped[metric].append(value)
    return dict(grouped)


def jank_counts(frame_times_ms: Sequence[float]) -> dict[str, int]:
    jank = big = 0
    for i in range(3, len(frame_times_ms)):
        current = frame_times_ms[i]
        previous_mean = sum(frame_times_ms[i - 3:i]) / 3
        if current > 2 * previous_mean and current > JANK_MS:
            jank += 1
            if current > BIG_JANK_MS:
                big += 1
    return {"jank": jank, "big_jank": big}


def run_jank(samples: Sequence[Sample]) -> dict[str, int]:
    """Jank from frame_time samples (computed here, the same rule for every runner) plus the jank and
    big_jank counts a runner reported itself (summed)."""
    frame_times = [value for _, metric, value in sorted(samples) if metric == "frame_time"]
    counted = jank_counts(frame_times)
    reported = {"jank": 0, "big_jank": 0}
    for _, metric, value in samples:
        if metric in reported:
            reported[metric] += int(value)
    return {"jank": counted["jank"] + reported["jank"], "big_jank": counted["big_jank"] + reported["big_jank"],
            "from_frame_times": counted["jank"], "reported": reported["jank"]}


def segments(samples: Sequence[Sample], marks: Sequence[Mark]) -> list[dict[str, Any]]:
    """One segment per mark, from the mark to the next one (the last to the end of the run)."""
    ordered = sorted(marks, key=lambda mark: mark[0])  # equal times: the order they were made in
    found = []
    for index, (start, name) in enumerate(ordered):
        end = ordered[index + 1][0] if index + 1 < len(ordered) else math.inf
        inside = [s for s in samples if start <= s[0] < end]
        found.append({"name": name, "start": start, "end": None if end == math.inf else end,
                      "metrics": {m: stats(v) for m, v in sorted(by_metric(inside).items())}})
    return found


def verdict(metric_stats: dict[str, dict[str, float | int]], profile: dict[str, Any]
            ) -> tuple[str | None, list[dict[str, Any]]]:
    """pass/fail against the profile's thresholds; None when the profile has none. A threshold on a
    metric that was never sampled fails: "no data" must not read as a pass."""
    checks: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    for item in profile.get("items", []):
        for threshold in item.get("thresholds", []):
            metric, stat, op, limit = item["metric"], threshold["stat"], threshold["op"], float(threshold["value"])
            observed = metric_stats.get(metric, {}).get(stat)
            ok = observed is not None and _OPS[op](float(observed), limit)
            check = {"metric": metric, "stat": stat, "op": op, "value": limit, "observed": observed,
                     "passed": ok}
            checks.append(check)
            if not ok:
                failures.append(check)
    if not checks:
        return None, []
    return ("fail" if failures else "pass"), failures


def compute(samples: Sequence[Sample], marks: Sequence[Mark], profile: dict[str, Any]) -> dict[str, Any]:
    metric_stats = {metric: stats(values) for metric, values in sorted(by_metric(samples).items())}
    jank = run_jank(samples)
    # Jank counts are also the `sum` of the jank metrics, so thresholds like jank sum <= 3 work.
    for name in ("jank", "big_jank"):
        metric_stats.setdefault(name, {"count": 0})
        metric_stats[name] = {**metric_stats[name], "sum": jank[name]}
        if metric_stats[name].get("count") == 0:
            metric_stats[name].update({"max": 0, "avg": 0})
    outcome, failures = verdict(metric_stats, profile)
    times = [s[0] for s in samples]
    return {"sample_count": len(samples), "mark_count": len(marks),
            "first_t": min(times) if times else None, "last_t": max(times) if times else None,
            "metrics": metric_stats, "segments": segments(samples, marks), "jank": jank,
            "verdict": outcome, "failures": failures}


def compare(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Side by side: each metric both runs have, with b - a and the relative change per stat."""
    rows = {}
    for metric in sorted(set(a["metrics"]) | set(b["metrics"])):
        left, right = a["metrics"].get(metric, {}), b["metrics"].get(metric, {})
        deltas: dict[str, float | None] = {}
        for stat in ("min", "max", "avg", "median", "p90", "p95", "sum"):
            x, y = left.get(stat), right.get(stat)
            deltas[stat] = None if x is None or y is None else _round(float(y) - float(x))
            if x is not None and y is not None and float(x) != 0:
                deltas[f"{stat}_pct"] = _round((float(y) - float(x)) / abs(float(x)) * 100)
        rows[metric] = {"a": left, "b": right, "delta": deltas}
    return {"metrics": rows}
