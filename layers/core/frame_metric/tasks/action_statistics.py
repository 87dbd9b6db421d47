"""Statistics per action index across a task's videos: the 2nd tap of every run side by side.

Only when every completed video with actions has the same number of them: otherwise action k of one
video need not be the same interaction as action k of another, and averaging them would mislead.
Pure: no storage.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from frame_metric.tasks.statistics import DIGITS, percentile


def _stats(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"count": 0, "avg": None, "median": None, "p90": None}
    return {"count": len(values), "avg": round(statistics.fmean(values), DIGITS),
            "median": round(statistics.median(values), DIGITS), "p90": round(percentile(values, 0.9), DIGITS)}


def per_action(videos_actions: Sequence[Sequence[dict[str, Any]]]) -> tuple[list[dict[str, Any]], str | None]:
    """(one entry per action index, None) or ([], why not). videos_actions: each completed video's
    actions (the contract's dicts, response_time/finish_time in seconds); videos without any are skipped."""
    with_actions = [list(actions) for actions in videos_actions if actions]
    if not with_actions:
        return [], "no video of the task has actions"
    counts = sorted({len(actions) for actions in with_actions})
    if len(counts) > 1:
        return [], f"the videos have different numbers of actions ({', '.join(map(str, counts))})"
    out = []
    for k in range(counts[0]):
        rows = [actions[k] for actions in with_actions]
        labels = {r.get("label") for r in rows}  # the scenario step, where every video names the same one
        out.append({
            "index": k + 1,
            "label": labels.pop() if len(labels) == 1 else None,
            "videos": len(rows),
            "response_time": _stats([r["response_time"] for r in rows if r.get("response_time") is not None]),
            "finish_time": _stats([r["finish_time"] for r in rows if r.get("finish_time") is not None]),
        })
    return out, None
