"""Tables the pages show, and the same tables as CSV (?export=<table name>)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from flask import Response

# A spreadsheet runs a cell that starts with one of these as a formula; a
# campaign name such as "=HYPERLINK(...)" must arrive as text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    format: str = "text"  # text, number, percent, money, ratio, channel, code


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    empty: str = "Nothing here yet."


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_response(table: Table, filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([column.label for column in table.columns])
    for row in table.rows:
        writer.writerow([_cell(row.get(column.key)) for column in table.columns])
    response = Response(buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
