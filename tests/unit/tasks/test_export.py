"""Export files: safe names for any task name, and a workbook a person is glad to open."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from frame_metric.data.tasks import TaskStatus
from frame_metric.data.video import VideoStatus
from frame_metric.tasks import export
from frame_metric.tasks.schemas import TaskDetailResponse, TaskVideoResponse
from frame_metric.videos.actions import ActionFrameResponse, ActionResponse

MOMENT = datetime(2026, 11, 30, 4, 5, 6, tzinfo=UTC)


@pytest.mark.parametrize(("name", "stem"), [
    ("性能测试任务1", "性能测试任务1"),
    ("../../etc/passwd", "etc_passwd"),
    ('a<b>c:"d"|e?*', "a_b_c_d_e"),
    ("  ...  ", "task"),
    ("line\nbreak\ttab", "line_break_tab"),
    ("x" * 300, "x" * export.MAX_NAME),
])
def test_safe_stem(name: str, stem: str) -> None:
    assert export.safe_stem(name) == stem


def test_content_disposition_has_utf8_name_and_ascii_fallback() -> None:
    header = export.content_disposition('启动 "测试"; v2', "xlsx", MOMENT)
    fallback = header.split('filename="', 1)[1].split('"', 1)[0]
    assert fallback == "v2_timing_data_20261130_040506.xlsx" and fallback.isascii()
    encoded = header.split("filename*=UTF-8''", 1)[1]
    assert encoded.isascii() and " " not in encoded and ";" not in encoded
    assert unquote(encoded) == "启动 _测试_ v2_timing_data_20261130_040506.xlsx"
    assert 'filename="task_timing_data_' in export.content_disposition("全中文", "csv", MOMENT)


def _task(videos: int) -> TaskDetailResponse:
    rows = [TaskVideoResponse(
        id=f"link-{i}", video_id=f"video-{i}", order=i + 1, duration=0.5 + i, first_frame_time=0.25,
        last_frame_time=0.75 + i, notes="备注" if i == 0 else None, added_at=MOMENT, video_filename=f"clip {i}.mp4",
        video_status=VideoStatus.COMPLETED, video_width=1080, video_height=2400, first_frame_url=None,
        last_frame_url=None, first_frame_number=15, last_frame_number=45 + 60 * i, video_duration=3.0, fps=60.0,
        frame_count=180, marking_method="algorithm") for i in range(videos)]
    return TaskDetailResponse(
        id="task-1", name="启动耗时", description=None, status=TaskStatus.COMPLETED if videos else TaskStatus.DRAFT,
        total_videos=videos, completed_videos=videos, failed_videos=0, total_duration=2.0 if videos else None,
        avg_duration=1.0 if videos else None, min_duration=0.5 if videos else None,
        max_duration=1.5 if videos else None, created_by="zhangsan", created_at=MOMENT, updated_at=MOMENT,
        videos=rows)


def test_workbook_layout() -> None:
    book = load_workbook(io.BytesIO(export.to_excel(_task(2), MOMENT)))
    assert book.sheetnames == ["Timing", "Summary", "Actions"]
    timing = book["Timing"]
    assert [cell.value for cell in timing[1]] == export.HEADER
    assert all(cell.font.bold for cell in timing[1])
    assert timing.freeze_panes == "A2" and timing.auto_filter.ref == "A1:R3"
    header = {name: index + 1 for index, name in enumerate(export.HEADER)}
    ms = timing.cell(2, header["Duration (ms)"])
    assert ms.value == 500.0 and ms.number_format == "0.0"
    seconds = timing.cell(3, header["Duration (s)"])
    assert seconds.value == 1.5 and seconds.number_format == "0.000"
    assert timing.cell(2, header["Resolution"]).value == "1080x2400"
    added = timing.cell(2, header["Added at (UTC)"])
    assert added.value == datetime(2026, 11, 30, 4, 5, 6) and added.number_format == "yyyy-mm-dd hh:mm:ss"
    assert timing.column_dimensions["D"].width == 28
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Average duration (ms)"] == 1000.0 and summary["Average duration (s)"] == 1.0
    assert summary["Total videos"] == 2 and summary["Standard deviation (s)"] is None


def test_empty_task_exports_headers_only() -> None:
    book = load_workbook(io.BytesIO(export.to_excel(_task(0), MOMENT)))
    assert book["Timing"].max_row == 1 and book["Summary"]["B8"].value == 0
    text = export.to_csv(_task(0))
    assert text.startswith("\ufeff") and list(csv.reader(io.StringIO(text[1:]))) == [export.HEADER]


def test_csv_rows_match_the_header() -> None:
    rows = list(csv.reader(io.StringIO(export.to_csv(_task(2))[1:])))
    assert len(rows) == 3 and all(len(row) == len(export.HEADER) for row in rows)
    assert rows[1][export.HEADER.index("Duration (ms)")] == "500.0"
    assert rows[1][export.HEADER.index("Added at (UTC)")] == "2026-11-30 04:05:06"
    assert rows[1][export.HEADER.index("Notes")] == "备注"


def _with_actions(task: TaskDetailResponse, counts: list[int]) -> TaskDetailResponse:
    def action(k: int, i: int) -> ActionResponse:
        op = ActionFrameResponse(frame_number=10 * k, timestamp=k * 1.0, source="touch_indicator")
        response = ActionFrameResponse(frame_number=10 * k + 3, timestamp=k * 1.0 + 0.1 * (i + 1))
        finish = ActionFrameResponse(frame_number=10 * k + 6, timestamp=k * 1.0 + 0.5)
        end = ActionFrameResponse(frame_number=10 * k + 9, timestamp=k * 1.0 + 0.9)
        return ActionResponse(index=k, operation=op, response=response, finish=finish, end=end,
                              response_time=round(0.1 * (i + 1), 6), finish_time=0.5, confidence=0.9,
                              needs_review=False, label=None)

    videos = [v.model_copy(update={"actions": [action(k + 1, i) for k in range(n)]})
              for i, (v, n) in enumerate(zip(task.videos, counts, strict=True))]
    return task.model_copy(update={"videos": videos})


def test_actions_sheet_csv_section_and_per_action_statistics() -> None:
    task = _with_actions(_task(2), [2, 2])
    book = load_workbook(io.BytesIO(export.to_excel(task, MOMENT)))
    sheet = book["Actions"]
    assert [cell.value for cell in sheet[1]] == export.ACTION_HEADER and sheet.max_row == 5
    header = {name: index + 1 for index, name in enumerate(export.ACTION_HEADER)}
    assert sheet.cell(3, header["Action"]).value == 2 and sheet.cell(4, header["Response time (ms)"]).value == 200.0
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Action 1 response count"] == 2 and summary["Action 1 response avg (ms)"] == 150.0
    assert summary["Action 2 finish p90 (ms)"] == 500.0
    rows = list(csv.reader(io.StringIO(export.to_csv(task)[1:])))
    start = rows.index(export.ACTION_HEADER)
    assert rows[start - 1] == [] and len(rows) - start - 1 == 4

    uneven = _with_actions(_task(2), [2, 3])
    summary = {row[0]: row[1] for row in load_workbook(io.BytesIO(export.to_excel(uneven, MOMENT)))["Summary"]
               .iter_rows(min_row=2, values_only=True)}
    assert "different numbers of actions (2, 3)" in summary["Actions"]


def test_per_action_statistics_name_the_step_every_video_names() -> None:
    from frame_metric.tasks.action_statistics import per_action

    def acting(label: str | None, response: float) -> dict[str, object]:
        return {"label": label, "response_time": response, "finish_time": response + 0.2}

    by_action, note = per_action([[acting("step 2 tap", 0.1), acting("step 4 swipe", 0.2)],
                                  [acting("step 2 tap", 0.3), acting(None, 0.2)]])
    assert note is None and [a["label"] for a in by_action] == ["step 2 tap", None]
    assert by_action[0]["response_time"]["avg"] == 0.2
