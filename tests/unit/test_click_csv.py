"""The click CSV writer: spreadsheet formulas defused, CSV quoting, times in ISO 8601."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random

from shortener.analytics.queries import CLICK_FIELDS
from shortener.api.clicks import csv_chunks, csv_entries


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
                                    os="-2+3", signal="@SUM", country="\t=1")]]))
    parsed = next(csv.DictReader(io.StringIO(text)))
    assert parsed["referrer_host"] == "'=HYPERLINK(1)"
    assert parsed["browser"] == 'a,"b"'
    assert parsed["os"] == "'-2+3"
    assert parsed["signal"] == "'@SUM"
    assert parsed["country"] == "'\t=1"  # a leading tab is read as a formula too


CELLS = ["", "plain", "a,b", 'say "hi"', "line\nbreak", "=1+2", "+1", "-1", "@x", " =x",
         "x=", ",=x", '"=x', "'=x", "é-ü", "a,\n=b", "-", "@", "\tx", "\r=x", "\t"]


def reference(chunks: list[list[list[str]]]) -> str:
    """The CSV cell by cell: each row with a formula-like cell defused, quoted as csv does."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CLICK_FIELDS)
    for rows in chunks:
        for cells in rows:
            ts = dt.datetime.fromtimestamp(float(cells[0]), dt.UTC).isoformat()
            writer.writerow([ts] + ["'" + cell if cell.startswith(
                ("=", "+", "-", "@", "\t", "\r")) else cell for cell in cells[1:]])
    return buffer.getvalue()


def test_it_writes_what_checking_every_cell_writes():
    chance = random.Random(15)
    chunks = [[["1764633600.5", *(chance.choice(CELLS) if chance.random() < 0.2 else "v"
                                  for _ in CLICK_FIELDS[1:])] for _ in range(chance.randrange(5))]
              for _ in range(300)]
    expected = reference(chunks)
    assert "".join(csv_chunks([[list(cells) for cells in rows] for rows in chunks])) == expected


def test_the_writer_of_stream_replies_writes_what_the_text_writer_writes():
    # Events as XRANGE sends them, undecoded: most chunks in the writer's
    # shape and plain, others with a cell to quote or defuse, an older shape
    # or a time as an older writer stored it.
    chance = random.Random(16)
    cells = [*CELLS, "\r", "tab\there", "nul\x00", "日本"]
    times = ["1764633600.125", "1764633600.000", "1764633661.999", "1764633600.5", ""]
    chunks = [[[chance.choice(times) if chance.random() < 0.05 else "1764633600.125",
                *(chance.choice(cells) if chance.random() < 0.01 else "v"
                  for _ in CLICK_FIELDS[1:])]
               for _ in range(chance.randrange(1, 6))] for _ in range(400)]
    text = "".join(csv_chunks([[list(cells) for cells in rows] for rows in chunks]))
    entries = []
    for rows in chunks:
        entries.append([])
        for number, cells in enumerate(rows):
            fields = [item.encode() for pair in zip(CLICK_FIELDS, cells, strict=True)
                      for item in pair]
            if chance.random() < 0.02:
                fields = fields[2:] + fields[:2]  # another order
            entries[-1].append([f"1-{number}".encode(), fields])
    assert b"".join(csv_entries(entries)) == text.encode()
    assert b"".join(csv_entries([])) == "".join(csv_chunks([])).encode()
