"""What every export shares: write-only openpyxl sheets with set column widths and a bold header, and
CSV text with a UTF-8 BOM (without it Excel reads UTF-8 as the local code page and garbles Chinese)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
BOM = "\ufeff"
_BOLD = Font(bold=True)


def new_sheet(book: Workbook, title: str, widths: Sequence[float]) -> Any:
    """A sheet of a write-only workbook; widths must be set before the first row is written."""
    sheet = book.create_sheet(title)
    for index, width in enumerate(widths):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    return sheet


def bold_row(sheet: Any, values: Iterable[Any]) -> list[WriteOnlyCell]:
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = _BOLD
        cells.append(cell)
    return cells


def formatted(sheet: Any, value: Any, number_format: str | None) -> Any:
    """A cell with a number format, or the plain value when there is no format or no value."""
    if number_format is None or value is None:
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = number_format
    return cell


def workbook_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_text(rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return BOM + out.getvalue()
