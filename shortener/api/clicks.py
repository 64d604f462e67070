"""GET /api/v1/clicks: a campaign's raw click events, as JSON pages or one CSV stream."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from typing import Any

from flask import Response, abort, request, stream_with_context

from shortener.analytics.queries import CLICK_FIELDS, iter_clicks, list_clicks
from shortener.api import bp, schemas
from shortener.api.openapi import responses, spec
from shortener.db import get_redis
from shortener.errors import InvalidInput
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


def csv_lines(events: Iterable[tuple[str, dict[str, str]]]) -> Iterator[str]:
    """The events as CSV text, a header first, one line at a time (to stream)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CLICK_FIELDS)
    for _, event in events:
        row = [event.get(name, "") for name in CLICK_FIELDS]
        row[0] = dt.datetime.fromtimestamp(float(row[0] or 0), dt.UTC).isoformat()
        # A leading = + - @ makes spreadsheets run the cell as a formula.
        writer.writerow(["'" + cell if cell[:1] in ("=", "+", "-", "@") else cell
                         for cell in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


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
    query: schemas.ClickQuery = request.context.query  # type: ignore[attr-defined]
    if query.since and query.until and query.until < query.since:
        raise InvalidInput("until must not be before since", field="until")
    if query.cursor and not _is_stream_id(query.cursor):
        raise InvalidInput("cursor is not one this API handed out", field="cursor")
    r = get_redis()
    campaign = get_campaign(r, query.campaign)
    if _wants_csv():
        events = iter_clicks(r, campaign.id, start=query.since, end=query.until)
        streamed = Response(stream_with_context(csv_lines(events)), mimetype="text/csv",
                            headers={"Content-Disposition":
                                     f'attachment; filename="clicks-{campaign.id}.csv"'})
        # Raised, not returned: spectree buffers a returned body to validate it,
        # and an aborted response reaches the client untouched, still streaming.
        abort(streamed)
    events = list_clicks(r, campaign.id, after=query.cursor, start=query.since,
                         end=query.until, count=query.limit + 1)
    page = events[:query.limit]
    return {"items": [click_json(stream_id, event) for stream_id, event in page],
            "next_cursor": page[-1][0] if len(events) > query.limit else None}
