"""How long the user waited at each scenario step: the step's interaction timed on the run's recording.

A run recorded with `--record` has its screen recording linked at an offset on the run's clock, and
each step leaves a `step N <kind> start` mark. For every step that acts on the app (tap, swipe,
key...) in a linked, analysed recording:

* operation: the frame on screen at the step's start mark (source "mark");
* response: the first later frame with a visible GUI change (the analysis' per-frame change score,
  touch indicator and always-changing regions left out, is at least 0.5, i.e. r >= 1);
* finish: the last such frame before the next acting step starts (or the recording ends).

Times are given on the run's clock (t, seconds) and in the video (frame_number, timestamp).
Plain Python over small lists: the API function ships no numpy.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from typing import Any

Mark = tuple[float, str]
Frames = list[dict[str, Any]]  # the analysis frame table: frame_number, timestamp, scene_change_score
# Steps that act on the app; waits, screenshots and marks neither get a timing nor end one.
ACTING = frozenset({"tap", "swipe", "key", "input_text", "launch_app", "stop_app", "shell"})
VISIBLE = 0.5  # scene_change_score = r / (1 + r): r >= 1 is a change a person sees
_START = re.compile(r"^(?P<step>(?:.* )?step \d+ (?P<kind>\w+)) start$")


def _frame(frames: Frames, i: int, offset: float, source: str | None = None) -> dict[str, Any]:
    ts = float(frames[i]["timestamp"])
    out: dict[str, Any] = {"t": round(ts + offset, 6), "frame_number": int(frames[i]["frame_number"]),
                           "timestamp": ts}
    if source:
        out["source"] = source
    return out


def acting_steps(marks: Sequence[Mark]) -> list[tuple[float, str, str]]:
    """(start t, step label, kind) of every acting step, in time order."""
    found = []
    for t, name in sorted(marks):
        match = _START.match(name)
        if match and match["kind"] in ACTING:
            found.append((float(t), match["step"], match["kind"]))
    return found


def _time_step(frames: Frames, offset: float, start: float, until: float) -> dict[str, Any] | None:
    times = [float(f["timestamp"]) for f in frames]
    local = start - offset
    if not frames or local < times[0] or local > times[-1]:
        return None
    op = bisect.bisect_right(times, local) - 1  # the frame on screen at the mark
    stop = bisect.bisect_left(times, until - offset)
    moved = [i for i in range(op + 1, stop) if float(frames[i].get("scene_change_score") or 0.0) >= VISIBLE]
    response = _frame(frames, moved[0], offset) if moved else None
    finish = _frame(frames, moved[-1], offset) if moved else None
    operation = _frame(frames, op, offset, "mark")

    def since(mark: dict[str, Any] | None) -> float | None:
        return None if mark is None else round(mark["timestamp"] - operation["timestamp"], 6)

    return {"operation": operation, "response": response, "finish": finish,
            "response_time": since(response), "finish_time": since(finish)}


def step_timings(marks: Sequence[Mark], videos: Sequence[dict[str, Any]],
                 frames_of: Callable[[str], Frames | None]) -> list[dict[str, Any]]:
    """One entry per acting step that falls inside a linked recording with a frame table.
    videos: [{"video_id", "offset_s"}] in order; frames_of(video_id): its frame table or None."""
    steps = acting_steps(marks)
    tables: dict[str, Frames | None] = {}
    out = []
    for k, (start, step, kind) in enumerate(steps):
        until = steps[k + 1][0] if k + 1 < len(steps) else float("inf")
        for link in videos:
            video_id, offset = str(link["video_id"]), float(link["offset_s"])
            if video_id not in tables:
                tables[video_id] = frames_of(video_id)
            frames = tables[video_id]
            timed = _time_step(frames, offset, start, until) if frames else None
            if timed is not None:
                out.append({"step": step, "kind": kind, "start_t": round(start, 6), "video_id": video_id, **timed})
                break
    return out


def compare_steps(a: Sequence[dict[str, Any]], b: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per step both runs timed (matched by label): the two runs' times and b - a, seconds."""
    right = {s["step"]: s for s in b}
    rows = []
    for left in a:
        other = right.get(left["step"])
        if other is None:
            continue
        row: dict[str, Any] = {"step": left["step"], "kind": left["kind"]}
        for key in ("response_time", "finish_time"):
            x, y = left[key], other[key]
            row[key] = {"a": x, "b": y, "delta": None if x is None or y is None else round(y - x, 6)}
        rows.append(row)
    return rows


def timing_rows(timings: Sequence[dict[str, Any]]) -> list[list[Any]]:
    """The step timings as spreadsheet rows (header first), for run exports."""
    rows: list[list[Any]] = [["step", "kind", "start_t", "operation_t", "response_t", "finish_t",
                              "response_time_s", "finish_time_s", "video_id"]]
    for s in timings:
        at = ["" if s[key] is None else s[key]["t"] for key in ("operation", "response", "finish")]
        rows.append([s["step"], s["kind"], s["start_t"], *at,
                     "" if s["response_time"] is None else s["response_time"],
                     "" if s["finish_time"] is None else s["finish_time"], s["video_id"]])
    return rows


SETTLED_SECONDS = 0.5  # as analysis/actions.py: stillness after finish below which it is a guess


def _plain(mark: dict[str, Any] | None) -> dict[str, Any] | None:
    """A step timing's frame as an action's frame (the video's own clock: no run time)."""
    return None if mark is None else {k: v for k, v in mark.items() if k != "t"}


def linked_actions(marks: Sequence[Mark], offset: float, frames: Frames,
                   analysed: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """A run's recording's actions (the analysis JSON's contract) with the run's scenario steps.

    Where the analysis saw the touch indicator, its actions stay (the finger itself is exacter than
    a mark sent through adb) and each is labelled with the acting step whose time span holds its
    operation. Where it saw none, each acting step in the recording is an action: operation at the
    step's start mark (source "mark"), response and finish as step_timings times them, labelled with
    the step. Without steps in the recording the analysed actions stay as they are."""
    steps = acting_steps(marks)
    if any((a.get("operation") or {}).get("source") == "touch_indicator" for a in analysed):
        starts = [start - offset for start, _, _ in steps]
        labelled = []
        for a in analysed:
            label = a.get("label")
            if (a.get("operation") or {}).get("source") == "touch_indicator":
                k = bisect.bisect_right(starts, float(a["operation"]["timestamp"])) - 1
                label = steps[k][1] if k >= 0 else label
            labelled.append({**a, "label": label})
        return labelled
    timed = step_timings(marks, [{"video_id": "", "offset_s": offset}], lambda _: frames)
    if not timed:
        return list(analysed)
    out = []
    for k, step in enumerate(timed):
        # the frame before the next step's operation (the table holds every frame, in order), or the last
        i = len(frames) - 1 if k + 1 == len(timed) else (
            int(timed[k + 1]["operation"]["frame_number"]) - 1 - int(frames[0]["frame_number"]))
        end = {"frame_number": int(frames[i]["frame_number"]), "timestamp": float(frames[i]["timestamp"])}
        confidence = 1.0
        if step["finish"] is not None and end["timestamp"] - step["finish"]["timestamp"] < SETTLED_SECONDS:
            confidence = 0.5 if k + 1 == len(timed) else 0.8
        out.append({"index": k + 1, "operation": _plain(step["operation"]), "response": _plain(step["response"]),
                    "finish": _plain(step["finish"]), "end": end, "response_time": step["response_time"],
                    "finish_time": step["finish_time"], "confidence": confidence,
                    "needs_review": confidence < 0.6, "label": step["step"]})
    return out
