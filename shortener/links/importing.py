"""import_advocates(): upsert advocates from CSV rows and mint each one's link.

The bulk path of `shortener advocate import`. Rows are checked by the same
rules as the API's (advocates.py, minting.py), then written a chunk at a
time: the chunk's advocates claimed as new, those that exist read and
updated, and their links minted (mint_links), in a few round trips per chunk:
Redis runs about eight commands per row, sent a step of the chunk at a time
(links.store._each). A second run changes nothing.
``referred_by`` may name an advocate further down the file. A row whose
advocate appeared earlier in the file goes through upsert_advocate and
mint_link on its own.
"""

from __future__ import annotations

import csv
import dataclasses
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shortener import collector
from shortener.config import Settings
from shortener.db import Client
from shortener.errors import InvalidInput, ShortenerError
from shortener.links import store
from shortener.links.advocates import (
    clean_personal,
    upsert_advocate,
    validate_external_id,
)
from shortener.links.minting import Minted, MintRequest, mint_link, mint_links
from shortener.links.models import Advocate
from shortener.links.referrals import record_referrer_changed
from shortener.webhooks import events

ID_COLUMNS = ("external_id", "advocate")
PERSONAL_COLUMNS = ("name", "contact")
# Line 1 is the header, so the first row is line 2.
FIRST_LINE = 2
CHUNK_ROWS = 1000


@dataclass(frozen=True)
class _Row:
    line: int
    row: Mapping[str, Any]
    external_id: str
    personal: dict[str, Any]  # name and contact (str or None), spread into Advocate(...)
    referred_by: str | None
    channel: str | None


def _external_id(row: Mapping[str, Any]) -> str:
    for column in ID_COLUMNS:
        if row.get(column):
            return str(row[column]).strip()
    return ""


def _parse(line: int, row: Mapping[str, Any]) -> _Row:
    external_id = validate_external_id(_external_id(row), field="external_id")
    personal = {name: clean_personal(row[name], name) for name in PERSONAL_COLUMNS
                if name in row}
    referred_by = (row.get("referred_by") or "").strip() or None
    if referred_by is not None:
        validate_external_id(referred_by, field="referred_by")
        if referred_by == external_id:
            raise InvalidInput("referred_by cannot be the advocate itself", field="referred_by")
    return _Row(line, row, external_id, personal, referred_by,
                (row.get("channel") or "").strip() or None)


def import_advocates(
    r: Client,
    settings: Settings,
    campaign_id: str,
    rows: Sequence[Mapping[str, Any]],
    *,
    failed_path: Path,
    progress: Callable[[int], Any] = lambda _: None,
) -> dict[str, Any]:
    """Import rows; failed rows go to ``failed_path`` with their line and reason.

    Returns counts: rows, imported, links_created, failed, and the failed file.
    """
    failed: list[tuple[int, Mapping[str, Any], str]] = []
    parsed: list[_Row] = []
    for offset, row in enumerate(rows):
        try:
            parsed.append(_parse(FIRST_LINE + offset, row))
        except ShortenerError as exc:
            failed.append((FIRST_LINE + offset, row, _reason(exc)))
    in_file = {item.external_id for item in parsed}
    outside = sorted({item.referred_by for item in parsed
                      if item.referred_by and item.referred_by not in in_file})
    known = in_file | set(store.get_advocate_map(r, outside))
    accepted = []
    for item in parsed:
        if item.referred_by is not None and item.referred_by not in known:
            failed.append((item.line, item.row, _reason(InvalidInput(
                f"referred_by {item.referred_by!r} is not a known advocate",
                field="referred_by"))))
        else:
            accepted.append(item)
    progress(len(rows) - len(accepted))

    imported = created = 0
    seen: set[str] = set()
    for start in range(0, len(accepted), CHUNK_ROWS):
        chunk = accepted[start:start + CHUNK_ROWS]
        repeated = [item for item in chunk if item.external_id in seen]
        seen.update(item.external_id for item in chunk)
        first = [item for item in chunk if item not in repeated]
        # Within the chunk too, a second row of one advocate goes on its own.
        firsts: dict[str, _Row] = {}
        for item in first:
            if item.external_id in firsts:
                repeated.append(item)
            else:
                firsts[item.external_id] = item
        with collector.paused():
            outcomes = _import_chunk(r, settings, campaign_id, list(firsts.values()))
        for item in repeated:
            outcomes.append((item, _import_one(r, settings, campaign_id, item)))
        for item, outcome in outcomes:
            if isinstance(outcome, ShortenerError):
                failed.append((item.line, item.row, _reason(outcome)))
            else:
                imported += 1
                created += outcome.created
        progress(len(chunk))
    _write_failed(failed_path, rows, failed)
    return {
        "rows": len(rows),
        "imported": imported,
        "links_created": created,
        "failed": len(failed),
        "failed_file": str(failed_path) if failed else None,
    }


def _import_chunk(r: Client, settings: Settings, campaign_id: str, chunk: list[_Row]
                  ) -> list[tuple[_Row, Minted | ShortenerError]]:
    now = time.time()
    # Each row's advocate is claimed as new first (SET NX): on a first import,
    # the usual case, nothing is read. Only the advocates that exist are read,
    # then updated where the row changes them.
    candidates = [Advocate(external_id=item.external_id, share_token=secrets.token_urlsafe(16),
                           created_at=now, referred_by=item.referred_by, **item.personal)
                  for item in chunk]
    claimed = store.claim_advocates(r, candidates)
    fresh = [advocate for advocate, done in zip(candidates, claimed, strict=True) if done]
    taken = [item for item, done in zip(chunk, claimed, strict=True) if not done]
    existing = store.get_advocate_map(r, [item.external_id for item in taken])
    changed = []
    for item in taken:
        before = existing.get(item.external_id)
        if before is None:
            continue  # erased since the claim: imported on its own below
        changes: dict[str, Any] = dict(item.personal)
        if item.referred_by is not None:
            changes["referred_by"] = item.referred_by
        after = dataclasses.replace(before, **changes)
        if after != before:
            changed.append((before, after))
    if fresh:
        pipe = r.pipeline(transaction=False)
        events.enqueue_many(r, "advocate.created",
                            (events.advocate_data(advocate, campaign=campaign_id)
                             for advocate in fresh), pipe=pipe, now=now)
        pipe.execute()
    store.save_advocates(r, [after for _, after in changed])
    store.add_referrals(r, [(advocate.referred_by, advocate.external_id)
                            for advocate in fresh if advocate.referred_by])
    for before, after in changed:
        if after.referred_by != before.referred_by:
            record_referrer_changed(r, after.external_id, old=before.referred_by,
                                    new=after.referred_by)
    # What is stored now: minting reads none of these again.
    written = {advocate.external_id: advocate for advocate in fresh} | existing
    written |= {after.external_id: after for _, after in changed}
    minting = [item for item in chunk if item.external_id in written]
    try:
        results: list[Minted | ShortenerError] = mint_links(
            r, settings, campaign_id=campaign_id,
            items=[MintRequest(item.external_id, channel=item.channel) for item in minting],
            advocates=written)
    except ShortenerError as exc:
        results = [exc] * len(minting)
    outcomes = list(zip(minting, results, strict=True))
    outcomes += [(item, _import_one(r, settings, campaign_id, item)) for item in chunk
                 if item.external_id not in written]
    return outcomes


def _import_one(r: Client, settings: Settings, campaign_id: str,
                item: _Row) -> Minted | ShortenerError:
    try:
        fields: dict[str, Any] = dict(item.personal)
        if item.referred_by is not None:
            fields["referred_by"] = item.referred_by
        upsert_advocate(r, item.external_id, campaign_id=campaign_id, **fields)
        return mint_link(r, settings, campaign_id=campaign_id, advocate=item.external_id,
                         channel=item.channel)
    except ShortenerError as exc:
        return exc


def _reason(exc: ShortenerError) -> str:
    return f"{exc.field}: {exc.message}" if exc.field else exc.message


def _write_failed(path: Path, rows: Sequence[Mapping[str, Any]],
                  failed: list[tuple[int, Mapping[str, Any], str]]) -> None:
    """The failed rows as CSV, or no file when none failed (a stale one is removed)."""
    if not failed:
        path.unlink(missing_ok=True)
        return
    columns = list(rows[0].keys()) if rows else []
    # The file's own columns never take the name of one of the rows': "line" and
    # "reason" in the file imported keep their values, ours are "import_line"...
    line_column, reason_column = (_free_name(name, columns) for name in ("line", "reason"))
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=[line_column, *columns, reason_column],
                                extrasaction="ignore")
        writer.writeheader()
        for line, row, reason in sorted(failed, key=lambda item: item[0]):
            writer.writerow({**row, line_column: line, reason_column: reason})


def _free_name(name: str, columns: Sequence[str]) -> str:
    while name in columns:
        name = f"import_{name}"
    return name
