"""Export a run's results: CSV (UTF-8 with a BOM, so Excel opens Chinese text and units right) and an
Excel workbook with a summary sheet and one sheet of samples (frozen header, column widths)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

from frame_metric.monitor.catalog import unit_of
from frame_metric.monitor.results import Mark, Sample
from frame_metric.spreadsheet import BOM, XLSX, bold_row, new_sheet, workbook_bytes

__all__ = ["XLSX", "summary_rows", "to_csv", "to_excel"]
STATS = ("count", "min", "max", "avg", "median", "p90", "p95", "sum")
SAMPLE_HEADER = ["t_s", "metric", "value", "unit", "segment"]
# Excel's hard row limit; a longer run is cut there and says so in the summary.
EXCEL_ROWS = 1_048_575


def summary_rows(result: dict[str, Any]) -> list[list[Any]]:
    rows: list[list[Any]] = [["run_id", result["run_id"]], ["task_id", result["task_id"]],
                             ["status", result["status"]], ["verdict", result["verdict"] or ""],
                             ["samples", result["sample_count"]]]
    if result.get("jank") is not None:  # absent: the target does not measure jank (a local process)
        rows += [["jank", result["jank"]["jank"]], ["big_jank", result["jank"]["big_jank"]]]
    for failure in result["failures"]:
        rows.append(["failed", f"{failure['metric']} {failure['stat']} {failure['op']} {failure['value']} "
                               f"(observed {failure['observed']})"])
    rows.append([])
    rows.append(["segment", "metric", "unit", *STATS])
    for metric, values in result["metrics"].items():
        rows.append(["(whole run)", metric, unit_of(metric), *[values.get(s, "") for s in STATS]])
    for segment in result["segments"]:
        for metric, values in segment["metrics"].items():
            rows.append([segment["name"], metric, unit_of(metric), *[values.get(s, "") for s in STATS]])
    return rows


def _segment_names(samples: Sequence[Sample], marks: Sequence[Mark]) -> list[str]:
    names, index = [], -1
    ordered = sorted(marks)
    for t, _, _ in samples:  # samples are sorted by time
        while index + 1 < len(ordered) and ordered[index + 1][0] <= t:
            index += 1
        names.append(ordered[index][1] if index >= 0 else "")
    return names


def to_csv(result: dict[str, Any], samples: Sequence[Sample], marks: Sequence[Mark]) -> str:
    """Summary block, a blank line, then every sample (one row each)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows(summary_rows(result))
    writer.writerow([])
    writer.writerow(SAMPLE_HEADER)
    for (t, metric, value), segment in zip(samples, _segment_names(samples, marks), strict=True):
        writer.writerow([t, metric, value, unit_of(metric), segment])
    return BOM + out.getvalue()


def to_excel(result: dict[str, Any], samples: Sequence[Sample], marks: Sequence[Mark]) -> bytes:
    """Sheets: Summary, then Samples with a frozen bold header. openpyxl's write-only mode streams rows,
    so a long run does not build a cell object per value in memory."""
    summary = summary_rows(result)
    if len(samples) > EXCEL_ROWS:
        summary.append(["note", f"the Samples sheet holds the first {EXCEL_ROWS} of {len(samples)} samples"])
    book = Workbook(write_only=True)
    summary_sheet = new_sheet(book, "Summary", (24, 22, 8, 12, 12, 12, 12, 12, 12, 12, 12))
    for row in summary:
        summary_sheet.append(list(row))
    samples_sheet = new_sheet(book, "Samples", (12, 22, 14, 8, 24))
    samples_sheet.freeze_panes = "A2"
    samples_sheet.append(bold_row(samples_sheet, SAMPLE_HEADER))
    rows = zip(samples[:EXCEL_ROWS], _segment_names(samples, marks)[:EXCEL_ROWS], strict=True)
    for (t, metric, value), segment in rows:
        samples_sheet.append([t, metric, value, unit_of(metric), segment])
    return workbook_bytes(book)
