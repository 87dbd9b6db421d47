"""Read the sheets of an .xlsx as lists of rows (trailing empty cells dropped), with openpyxl."""

from __future__ import annotations

import io
from typing import Any

import openpyxl


def read_sheets(data: bytes) -> dict[str, list[list[Any]]]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    sheets: dict[str, list[list[Any]]] = {}
    for sheet in book.worksheets:
        rows = []
        for row in sheet.iter_rows(values_only=True):
            values = list(row)
            while values and values[-1] in (None, ""):
                values.pop()
            rows.append(values)
        sheets[sheet.title] = rows
    return sheets
