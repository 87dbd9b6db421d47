"""Export a task's timing data: an Excel workbook (Timing sheet: one row per video, frozen bold header,
number formats; Summary sheet: the statistics, per action index too; Actions sheet: one row per action
per video) or CSV (UTF-8 with BOM, the same columns, then an actions section).

Durations are in both ms and s here; the API itself speaks seconds."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from frame_metric.data.video import VideoStatus
from frame_metric.spreadsheet import bold_row, csv_text, formatted, new_sheet, workbook_bytes
from frame_metric.tasks.action_statistics import per_action
from frame_metric.tasks.schemas import TaskDetailResponse, TaskVideoResponse
from frame_metric.videos.actions import ActionFrameResponse, ActionResponse

FORMATS = ("excel", "csv")
MAX_NAME = 80
# Path separators, characters Windows refuses in names, quotes and controls: none survives in a file name.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f;]+')
_NOT_ASCII_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    value: Callable[[TaskDetailResponse, TaskVideoResponse], Any]
    number_format: str | None = None


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 3)


def _naive(moment: datetime) -> datetime:
    # Excel has no time zones: the header says UTC and the cell holds the UTC wall time.
    return moment.replace(tzinfo=None)


COLUMNS = [
    Column("Task name", 24, lambda t, v: t.name),
    Column("Task ID", 38, lambda t, v: t.id),
    Column("Order", 8, lambda t, v: v.order, "0"),
    Column("Video filename", 28, lambda t, v: v.video_filename),
    Column("Video ID", 38, lambda t, v: v.video_id),
    Column("Video status", 12, lambda t, v: None if v.video_status is None else v.video_status.value),
    Column("First frame number", 12, lambda t, v: v.first_frame_number, "0"),
    Column("First frame time (s)", 14, lambda t, v: v.first_frame_time, "0.000"),
    Column("Last frame number", 12, lambda t, v: v.last_frame_number, "0"),
    Column("Last frame time (s)", 14, lambda t, v: v.last_frame_time, "0.000"),
    Column("Duration (ms)", 14, lambda t, v: _ms(v.duration), "0.0"),
    Column("Duration (s)", 12, lambda t, v: v.duration, "0.000"),
    Column("Video duration (s)", 14, lambda t, v: v.video_duration, "0.000"),
    Column("FPS", 8, lambda t, v: v.fps, "0.00"),
    Column("Resolution", 12, lambda t, v: f"{v.video_width}x{v.video_height}" if v.video_width else None),
    Column("Marking method", 12, lambda t, v: v.marking_method),
    Column("Notes", 30, lambda t, v: v.notes),
    Column("Added at (UTC)", 20, lambda t, v: _naive(v.added_at), "yyyy-mm-dd hh:mm:ss"),
]
HEADER = [column.header for column in COLUMNS]


def _frame_number(mark: ActionFrameResponse | None) -> int | None:
    return None if mark is None else mark.frame_number


def _frame_time(mark: ActionFrameResponse | None) -> float | None:
    return None if mark is None else mark.timestamp


ACTION_COLUMNS: list[tuple[str, float, Callable[[TaskVideoResponse, ActionResponse], Any], str | None]] = [
    ("Order", 8, lambda v, a: v.order, "0"),
    ("Video filename", 28, lambda v, a: v.video_filename, None),
    ("Video ID", 38, lambda v, a: v.video_id, None),
    ("Action", 8, lambda v, a: a.index, "0"),
    ("Operation frame", 12, lambda v, a: _frame_number(a.operation), "0"),
    ("Operation time (s)", 14, lambda v, a: _frame_time(a.operation), "0.000"),
    ("Operation source", 16, lambda v, a: a.operation.source if a.operation else None, None),
    ("Response frame", 12, lambda v, a: _frame_number(a.response), "0"),
    ("Response time (s)", 14, lambda v, a: _frame_time(a.response), "0.000"),
    ("Finish frame", 12, lambda v, a: _frame_number(a.finish), "0"),
    ("Finish time (s)", 14, lambda v, a: _frame_time(a.finish), "0.000"),
    ("End frame", 12, lambda v, a: _frame_number(a.end), "0"),
    ("Response time (ms)", 14, lambda v, a: _ms(a.response_time), "0.0"),
    ("Finish time (ms)", 14, lambda v, a: _ms(a.finish_time), "0.0"),
    ("Confidence", 10, lambda v, a: a.confidence, "0.00"),
    ("Needs review", 10, lambda v, a: a.needs_review, None),
    ("Label", 20, lambda v, a: a.label, None),
]
ACTION_HEADER = [name for name, _, _, _ in ACTION_COLUMNS]


def action_rows(task: TaskDetailResponse) -> list[list[tuple[Any, str | None]]]:
    """One row per action per video: (value, number format) cells."""
    return [[(value(video, action), number_format) for _, _, value, number_format in ACTION_COLUMNS]
            for video in task.videos for action in video.actions]


def action_summary_rows(task: TaskDetailResponse) -> list[tuple[str, Any, str | None]]:
    """Per action index across the completed videos (when they have as many actions)."""
    completed = [[a.model_dump() for a in v.actions] for v in task.videos if v.video_status == VideoStatus.COMPLETED]
    by_action, note = per_action(completed)
    if note is not None:
        return [("Actions", note, None)] if any(completed) else []
    rows: list[tuple[str, Any, str | None]] = []
    for entry in by_action:
        for key, label in (("response_time", "response"), ("finish_time", "finish")):
            values = entry[key]
            rows.append((f"Action {entry['index']} {label} count", values["count"], "0"))
            for stat in ("avg", "median", "p90"):
                rows.append((f"Action {entry['index']} {label} {stat} (ms)", _ms(values[stat]), "0.0"))
    return rows


def summary_rows(task: TaskDetailResponse, exported_at: datetime) -> list[tuple[str, Any, str | None]]:
    """(label, value, number format) of the Summary sheet."""
    seconds = [("Total duration", task.total_duration), ("Average duration", task.avg_duration),
               ("Minimum duration", task.min_duration), ("Maximum duration", task.max_duration),
               ("Median duration", task.median_duration), ("p90 duration", task.p90_duration),
               ("Standard deviation", task.stddev_duration)]
    rows: list[tuple[str, Any, str | None]] = [
        ("Task name", task.name, None), ("Task ID", task.id, None), ("Description", task.description, None),
        ("Status", task.status.value, None), ("Created by", task.created_by, None),
        ("Exported at (UTC)", _naive(exported_at), "yyyy-mm-dd hh:mm:ss"),
        ("Total videos", task.total_videos, "0"), ("Completed videos", task.completed_videos, "0"),
        ("Processing videos", task.processing_videos, "0"), ("Failed videos", task.failed_videos, "0"),
    ]
    for label, value in seconds:
        rows.append((f"{label} (ms)", _ms(value), "0.0"))
        rows.append((f"{label} (s)", value, "0.000"))
    rows += [("Total frames", task.total_frames, "0"),
             ("Average frames per video", task.avg_frames_per_video, "0.0")]
    return rows + action_summary_rows(task)


def to_excel(task: TaskDetailResponse, exported_at: datetime) -> bytes:
    book = Workbook(write_only=True)
    timing = new_sheet(book, "Timing", [column.width for column in COLUMNS])
    timing.freeze_panes = "A2"
    timing.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{len(task.videos) + 1}"
    timing.append(bold_row(timing, HEADER))
    for video in task.videos:
        timing.append([formatted(timing, column.value(task, video), column.number_format) for column in COLUMNS])
    summary = new_sheet(book, "Summary", (28, 40))
    summary.append(bold_row(summary, ["Statistic", "Value"]))
    for label, value, number_format in summary_rows(task, exported_at):
        summary.append([label, formatted(summary, value, number_format)])
    actions = new_sheet(book, "Actions", [width for _, width, _, _ in ACTION_COLUMNS])
    actions.freeze_panes = "A2"
    actions.append(bold_row(actions, ACTION_HEADER))
    for row in action_rows(task):
        actions.append([formatted(actions, value, number_format) for value, number_format in row])
    return workbook_bytes(book)


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    return value.isoformat(sep=" ") if isinstance(value, datetime) else value


def to_csv(task: TaskDetailResponse) -> str:
    rows: list[list[Any]] = [HEADER]
    rows += [[_csv_value(column.value(task, video)) for column in COLUMNS] for video in task.videos]
    actions = action_rows(task)
    if actions:  # the actions section: a blank line, its own header, one row per action per video
        rows += [[], ACTION_HEADER, *[[_csv_value(value) for value, _ in row] for row in actions]]
    return csv_text(rows)


# -- file names ----------------------------------------------------------------------------------

def safe_stem(task_name: str) -> str:
    """The task name as part of a file name on any system: no separators, reserved or control
    characters, no leading dots, bounded length; Chinese and other letters stay."""
    cleaned = _UNSAFE.sub("_", unicodedata.normalize("NFC", task_name))
    cleaned = re.sub(r"\s+", " ", cleaned).strip(" ._")
    return cleaned[:MAX_NAME].rstrip(" .") or "task"


def ascii_stem(task_name: str) -> str:
    """The fallback for clients that ignore filename*: ASCII only, quote-free."""
    folded = unicodedata.normalize("NFKD", task_name).encode("ascii", "ignore").decode("ascii")
    cleaned = _NOT_ASCII_SAFE.sub("_", folded).strip("._")
    return cleaned[:MAX_NAME] or "task"


def export_filename(task_name: str, extension: str, moment: datetime, stem: Callable[[str], str] = safe_stem) -> str:
    return f"{stem(task_name)}_timing_data_{moment.strftime('%Y%m%d_%H%M%S')}.{extension}"


def content_disposition(task_name: str, extension: str, moment: datetime) -> str:
    """RFC 6266 with RFC 5987's filename* for the real (UTF-8) name and an ASCII filename fallback."""
    fallback = export_filename(task_name, extension, moment, ascii_stem)
    real = export_filename(task_name, extension, moment)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(real, safe='')}"
