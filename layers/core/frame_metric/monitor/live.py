"""Live data for charts: what arrived after a cursor, downsampled server-side for long ranges.

The cursor is the arrival number of the last batch returned. Arrival numbers come from an atomic
counter on the run, taken just before the batch is written; two senders can therefore store arrivals
7 and 6 in that order. The cursor never moves past a missing number while it may still be in flight
(`GAP_WAIT`), so a poller never skips a batch; a number that stays missing (a duplicate that lost the
race after taking its number) is passed after that wait.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from frame_metric.data.monitor_runs import SampleBatch
from frame_metric.data.video import utcnow
from frame_metric.monitor.catalog import unit_of

GAP_WAIT = timedelta(seconds=5)
DEFAULT_POINTS = 1000
MAX_POINTS = 10_000
Point = tuple[float, float]


def downsample(points: Sequence[Point], max_points: int) -> list[Point]:
    """At most max_points points, in time order. Buckets of equal time width keep their minimum and
    maximum (a single spike survives; an average would flatten it) and the last point of the range."""
    if len(points) <= max_points:
        return list(points)
    ordered = sorted(points)
    buckets = max(1, (max_points - 1) // 2)
    start, end = ordered[0][0], ordered[-1][0]
    width = (end - start) / buckets or 1.0
    lows: dict[int, Point] = {}
    highs: dict[int, Point] = {}
    for point in ordered:
        index = min(int((point[0] - start) / width), buckets - 1)
        if index not in lows or point[1] < lows[index][1]:
            lows[index] = point
        if index not in highs or point[1] > highs[index][1]:
            highs[index] = point
    kept = set(lows.values()) | set(highs.values()) | {ordered[-1]}
    return sorted(kept)


def contiguous(batches: Sequence[SampleBatch], since: int) -> list[SampleBatch]:
    """The batches after `since` up to the first arrival number that may still be in flight."""
    now = utcnow()
    taken: list[SampleBatch] = []
    expected = since + 1
    for batch in sorted(batches, key=lambda b: int(b.arrival)):
        arrival = int(batch.arrival)
        if arrival != expected and now - batch.received_at < GAP_WAIT:
            break
        taken.append(batch)
        expected = arrival + 1
    return taken


def read_since(run_id: str, since: int) -> list[SampleBatch]:
    # Strongly consistent on the local index: a batch stored before this read is in it.
    return list(SampleBatch.by_arrival.query(run_id, SampleBatch.arrival > since, consistent_read=True))


def live_view(run_id: str, since: int, max_points: int) -> dict[str, Any]:
    batches = contiguous(read_since(run_id, since), since)
    series: dict[str, list[Point]] = defaultdict(list)
    marks: list[dict[str, Any]] = []
    for batch in batches:
        for t, metric, value in json.loads(batch.samples_json):
            series[metric].append((float(t), float(value)))
        marks.extend({"t": t, "name": name} for t, name in json.loads(batch.marks_json))
    total = sum(len(points) for points in series.values())
    downsampled = any(len(points) > max_points for points in series.values())
    return {
        "run_id": run_id,
        "since": since,
        "cursor": int(batches[-1].arrival) if batches else since,
        "batches": len(batches),
        "sample_count": total,
        "downsampled": downsampled,
        "series": {metric: [list(point) for point in downsample(points, max_points)]
                   for metric, points in sorted(series.items())},
        "units": {metric: unit_of(metric) for metric in sorted(series)},  # for chart titles and axes
        "marks": sorted(marks, key=lambda m: m["t"]),
    }
