"""Results of a monitoring run: statistics per metric for the whole run and per mark segment, the
profile's threshold verdicts and jank counts (as the sampler counted them). Pure functions over samples: no I/O here."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from frame_metric.monitor.catalog import unit_of

Sample = tuple[float, str, float]  # (t seconds on the run's clock, metric, value)
Mark = tuple[float, str]  # (t, name)

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


JANK_METRICS = ("jank", "big_jank")


def run_jank(samples: Sequence[Sample]) -> dict[str, int] | None:
    """The run's jank and big jank: the sum of what the sampler counted. The sampler applies PerfDog's
    rule once, over every real frame time (runner/android/parsers.count_jank); its `frame_time` samples
    are per-read means, and rerunning the rule over means would count a long frame a second time. None
    when the target does not measure jank (a local process): no count is not a count of 0."""
    counts = {name: 0 for name in JANK_METRICS}
    seen = False
    for _, metric, value in samples:
        if metric in counts:
            counts[metric] += int(value)
            seen = True
    return counts if seen else None


def segments(samples: Sequence[Sample], marks: Sequence[Mark]) -> list[dict[str, Any]]:
    """One segment per mark, from the mark to the next one (the last to the end of the run)."""
    ordered = sorted(marks)
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
    # jank's `sum` stat is the run's count (thresholds like jank sum le 3); a target that does not
    # measure jank has no jank rows at all, so a threshold on it fails as "no data"
    jank = run_jank(samples)
    outcome, failures = verdict(metric_stats, profile)
    times = [s[0] for s in samples]
    return {"sample_count": len(samples), "mark_count": len(marks),
            "first_t": min(times) if times else None, "last_t": max(times) if times else None,
            "metrics": metric_stats, "segments": segments(samples, marks), "jank": jank,
            "verdict": outcome, "failures": failures}


def compare(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Side by side: each metric either run has (with its unit), with b - a and the relative change per
    stat."""
    rows = {}
    for metric in sorted(set(a["metrics"]) | set(b["metrics"])):
        left, right = a["metrics"].get(metric, {}), b["metrics"].get(metric, {})
        deltas: dict[str, float | None] = {}
        for stat in ("min", "max", "avg", "median", "p90", "p95", "sum"):
            x, y = left.get(stat), right.get(stat)
            deltas[stat] = None if x is None or y is None else _round(float(y) - float(x))
            if x is not None and y is not None and float(x) != 0:
                deltas[f"{stat}_pct"] = _round((float(y) - float(x)) / abs(float(x)) * 100)
        rows[metric] = {"unit": unit_of(metric), "a": left, "b": right, "delta": deltas}
    return {"metrics": rows}
