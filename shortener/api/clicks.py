"""GET /api/v1/clicks: a campaign's raw click events, as JSON pages or one CSV stream."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator
from itertools import chain, repeat
from operator import itemgetter
from typing import Any

from flask import Response, abort, request, stream_with_context

from shortener import collector
from shortener.analytics.queries import (
    CLICK_FIELDS,
    EXPORT_CHUNK,
    FIELD_NAMES,
    entry_rows,
    iter_click_entries,
    list_clicks,
)
from shortener.api import bp, schemas
from shortener.api.openapi import responses, spec, validated_query
from shortener.dashboard.tables import FORMULA_PREFIXES
from shortener.db import get_redis
from shortener.links.campaigns import get_campaign

TAGS = ["clicks"]


def click_json(stream_id: str, event: dict[str, str]) -> dict[str, Any]:
    dark = event.get("dark", "")
    return {
        "id": stream_id,
        "ts": dt.datetime.fromtimestamp(float(event.get("ts", 0)), dt.UTC).isoformat(),
        **{name: event.get(name, "") for name in (
            "click_id", "code", "campaign", "advocate", "kind", "signal", "device", "os",
            "browser", "referrer_host", "country", "network")},
        "channel": event.get("channel") or None,
        "dark": None if dark == "" else dark == "1",
        "confidence": float(event.get("confidence") or 0),
    }


FORMULA_STARTS = FORMULA_PREFIXES
# Where a cell may start like a formula in CSV text: after a comma, either
# the sign itself or the quote of a quoted cell (rare; its chunk is then
# written again cell by cell). The first column, the time, never starts so.
FORMULA_MARK = re.compile(r',[=+\-@\t\r"]')
FORMULA_BYTES = re.compile(rb",[=+\-@\t\r]")
TS_COLUMN = CLICK_FIELDS.index("ts")
HEADER = ",".join(CLICK_FIELDS) + "\r\n"


def _safe(cell: str) -> str:
    # A leading = + - @ (or tab, carriage return) makes spreadsheets run the cell
    # as a formula.
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def csv_chunks(chunks: Iterable[list[list[str]]]) -> Iterator[str]:
    """Rows of CLICK_FIELDS values as CSV text, a header first, one piece per chunk."""
    yield HEADER
    fromtimestamp, utc = dt.datetime.fromtimestamp, dt.UTC
    for rows in chunks:
        for row in rows:
            row[TS_COLUMN] = fromtimestamp(float(row[TS_COLUMN] or 0), utc).isoformat()
        yield _csv_text(rows)


def _csv_text(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(rows)
    # One search of the chunk's text, not a test of every cell: formulas are rare.
    if FORMULA_MARK.search(buffer.getvalue()):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([_safe(cell) for cell in row] if any(
            cell.startswith(FORMULA_STARTS) for cell in row) else row for row in rows)
    return buffer.getvalue()


def csv_entries(chunks: Iterable[list[Any]]) -> Iterator[bytes]:
    """csv_chunks() for raw events as Redis sends them, in UTF-8: chunks of
    [id, [name, value, ...]], all bytes (see queries.iter_click_entries).

    A chunk in which every event has its fields in CLICK_FIELDS order, as the
    click writer stores them, every time as the writer writes it, and no value
    holds a comma, quote or line break or starts a formula (nearly every
    chunk) is joined from the reply's lists as they are, with no step per
    value and one text per hour of the times; any other is put in rows and
    written as csv_chunks() writes it.
    """
    yield HEADER.encode()
    hours, fractions = _Hours(), _Fractions()
    chunks = iter(chunks)
    while True:
        # A chunk is some 2,000 lists that live for a few milliseconds: with the
        # collector paused they are gone before it looks, rather than traced
        # and moved to the old generation, whose full passes then cost more
        # than the writing.
        with collector.paused():
            chunk = next(chunks, None)
            if chunk is None:
                return
            text = _entries_bytes(chunk, hours, fractions)
            del chunk
        yield text


COMMAS = len(CLICK_FIELDS) - 1
NAMES = FIELD_NAMES * EXPORT_CHUNK
# A time as the click writer stores it (f"{ts:.3f}", seconds since the epoch),
# between 2001 and 2223. There a float is within half a microsecond of the
# decimal, so fromtimestamp() gives exactly the milliseconds written.
WRITTEN_TIMES = re.compile(rb"(?:[1-7][0-9]{9}\.[0-9]{3}\n)*")


def _entries_bytes(chunk: list[Any], hours: _Hours, fractions: _Fractions) -> bytes:
    count = len(chunk)
    events = list(map(itemgetter(1), chunk))
    flat = list(chain.from_iterable(events))
    values = flat[1::2]
    times = b"\n".join(values[TS_COLUMN::len(CLICK_FIELDS)]) + b"\n"
    # Every event as long as the writer's, and the names in order throughout.
    if set(map(len, events)) != {2 * len(CLICK_FIELDS)} \
            or flat[0::2] != (NAMES if count == EXPORT_CHUNK else FIELD_NAMES * count) \
            or not WRITTEN_TIMES.fullmatch(times):
        return _rows_bytes(entry_rows(chunk))
    # The times' seconds and milliseconds, split once for the chunk.
    parts = times.replace(b".", b"\n").split(b"\n")
    moments = map(divmod, map(int, parts[0:-1:2]), repeat(3600))
    # Each time starts its row with a line feed: a row's last comma, the
    # one before the line feed, becomes the line's end.
    values[TS_COLUMN::len(CLICK_FIELDS)] = [
        hours[hour] + CLOCK[second] + fractions[fraction]
        for (hour, second), fraction in zip(moments, parts[1::2], strict=True)]
    text = b",".join(values)
    if _plain(text, commas=len(values) - 1, feeds=count):
        return text[1:].replace(b",\n", b"\r\n") + b"\r\n"
    return _rows_bytes(entry_rows(chunk))


def _rows_bytes(rows: list[list[bytes]]) -> bytes:
    """Rows of CLICK_FIELDS values (bytes) as csv_chunks() writes them, in UTF-8."""
    fromtimestamp, utc = dt.datetime.fromtimestamp, dt.UTC
    for row in rows:
        row[TS_COLUMN] = fromtimestamp(float(row[TS_COLUMN] or 0), utc).isoformat().encode()
    text = b"\n".join([b",".join(row) for row in rows])
    # Nothing to quote or defuse: joined as they are, without decoding a value.
    if _plain(text, commas=COMMAS * len(rows), feeds=len(rows) - 1):
        return text.replace(b"\n", b"\r\n") + b"\r\n"
    return _csv_text([[cell.decode() for cell in row] for row in rows]).encode()


def _plain(text: bytes, *, commas: int, feeds: int) -> bool:
    """Whether values joined by commas and line feeds (as many of each as the
    joins made) need no quoting nor defusing."""
    return text.count(b",") == commas and text.count(b"\n") == feeds \
        and b'"' not in text and b"\r" not in text and not FORMULA_BYTES.search(text)


class _Hours(dict[int, bytes]):
    """Hours since the epoch -> b"\n2025-12-02T07:": a line feed and the hour in ISO 8601."""

    def __missing__(self, hour: int) -> bytes:
        text = dt.datetime.fromtimestamp(hour * 3600, dt.UTC).isoformat()
        self[hour] = value = b"\n" + text[:len("2025-12-02T07:")].encode()
        return value


# Seconds into the hour -> b"MM:SS".
CLOCK = [b"%02d:%02d" % divmod(second, 60) for second in range(3600)]


class _Fractions(dict[bytes, bytes]):
    """b"250" -> b".250000+00:00", and b"000" -> b"+00:00", as isoformat() ends a time."""

    def __missing__(self, fraction: bytes) -> bytes:
        self[fraction] = value = (b"." + fraction + b"000" if fraction != b"000" else b"") \
            + b"+00:00"
        return value


def _is_stream_id(text: str) -> bool:
    milliseconds, _, sequence = text.partition("-")
    # Redis refuses ids past 64 bits, and an exclusive range after the largest id.
    return int(milliseconds) < 2**63 and int(sequence) < 2**63


def _wants_csv() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/csv"])
    return best == "text/csv"


@bp.get("/clicks")
@spec.validate(query=schemas.ClickQuery, resp=responses(200, schemas.ClickPage, 404, 422),
               tags=TAGS)
def click_export() -> dict[str, Any]:
    """Export a campaign's raw click events, oldest first.

    JSON (default) answers a page at a time; continue with `cursor`. With
    `Accept: text/csv` the whole range streams as one CSV file. Raw events
    are kept for the retention window (CLICK_RETENTION_DAYS); counters stay
    longer.
    """
    query: schemas.ClickQuery = validated_query()
    r = get_redis()
    campaign = get_campaign(r, query.campaign)
    # A range that ends before it starts, or a cursor past any id Redis can
    # hold, leaves nothing to list.
    if (query.since and query.until and query.until < query.since) \
            or (query.cursor and not _is_stream_id(query.cursor)):
        if _wants_csv():
            abort(Response(csv_chunks(iter([])), mimetype="text/csv", headers={
                "Content-Disposition": f'attachment; filename="clicks-{campaign.id}.csv"'}))
        return {"items": [], "next_cursor": None}
    if _wants_csv():
        entries = iter_click_entries(r, campaign.id, start=query.since, end=query.until)
        streamed = Response(stream_with_context(csv_entries(entries)), mimetype="text/csv",
                            headers={"Content-Disposition":
                                     f'attachment; filename="clicks-{campaign.id}.csv"'})
        # Raised, not returned: spectree buffers a returned body to validate it,
        # and an aborted response reaches the client untouched, still streaming.
        abort(streamed)
    listed = list_clicks(r, campaign.id, after=query.cursor, start=query.since,
                         end=query.until, count=query.limit + 1)
    page = listed[:query.limit]
    return {"items": [click_json(stream_id, event) for stream_id, event in page],
            "next_cursor": page[-1][0] if len(listed) > query.limit else None}
