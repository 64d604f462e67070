"""The click CSV writer: spreadsheet formulas defused, CSV quoting, times in ISO 8601."""

from __future__ import annotations

import csv
import io

from shortener.analytics.queries import CLICK_FIELDS
from shortener.api.clicks import csv_chunks


def row(**fields: str) -> list[str]:
    event = {name: "" for name in CLICK_FIELDS} | {"ts": "1764633600.5"} | fields
    return [event[name] for name in CLICK_FIELDS]


def test_it_writes_a_header_and_every_chunk():
    text = "".join(csv_chunks([[row(code="abc")], [row(code="def"), row(code="ghi")]]))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [item["code"] for item in rows] == ["abc", "def", "ghi"]
    assert rows[0]["ts"] == "2025-12-02T00:00:00.500000+00:00"


def test_it_defuses_formulas_and_quotes_commas():
    text = "".join(csv_chunks([[row(referrer_host="=HYPERLINK(1)", browser='a,"b"',
                                    os="-2+3", signal="@SUM")]]))
    parsed = next(csv.DictReader(io.StringIO(text)))
    assert parsed["referrer_host"] == "'=HYPERLINK(1)"
    assert parsed["browser"] == 'a,"b"'
    assert parsed["os"] == "'-2+3"
    assert parsed["signal"] == "'@SUM"
