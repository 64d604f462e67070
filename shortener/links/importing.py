"""import_advocates(): upsert advocates from CSV rows and mint each one's link.

The bulk path of `shortener advocate import`. Every row goes through the same
domain functions as the API (upsert_advocate, mint_link), so the rules are
the same and a second run changes nothing. A row whose ``referred_by`` names
an advocate further down the file is linked once the whole file is in.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from shortener.config import Settings
from shortener.db import Client
from shortener.errors import InvalidInput, ShortenerError
from shortener.links import store
from shortener.links.advocates import upsert_advocate
from shortener.links.minting import mint_link

ID_COLUMNS = ("external_id", "advocate")
# Line 1 is the header, so the first row is line 2.
FIRST_LINE = 2


def _external_id(row: Mapping[str, Any]) -> str:
    for column in ID_COLUMNS:
        if row.get(column):
            return str(row[column]).strip()
    return ""


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
    in_file = {_external_id(row) for row in rows}
    failed: list[tuple[int, Mapping[str, Any], str]] = []
    deferred: list[tuple[int, Mapping[str, Any], str, str]] = []
    imported = created = 0
    for offset, row in enumerate(rows):
        line = FIRST_LINE + offset
        try:
            external_id = _external_id(row)
            referred_by = (row.get("referred_by") or "").strip() or None
            fields = {name: row[name] for name in ("name", "contact") if name in row}
            if referred_by is not None:
                if store.get_advocate(r, referred_by) is not None:
                    fields["referred_by"] = referred_by
                elif referred_by in in_file and referred_by != external_id:
                    deferred.append((line, row, external_id, referred_by))
                else:
                    raise InvalidInput(f"referred_by {referred_by!r} is not a known advocate",
                                         field="referred_by")
            upsert_advocate(r, external_id, **fields)
            minted = mint_link(r, settings, campaign_id=campaign_id, advocate=external_id,
                               channel=(row.get("channel") or "").strip() or None)
            imported += 1
            created += minted.created
        except ShortenerError as exc:
            failed.append((line, row, _reason(exc)))
        progress(1)
    for line, row, external_id, referred_by in deferred:
        try:
            upsert_advocate(r, external_id, referred_by=referred_by)
        except ShortenerError as exc:
            imported -= 1
            failed.append((line, row, _reason(exc)))
    _write_failed(failed_path, rows, failed)
    return {
        "rows": len(rows),
        "imported": imported,
        "links_created": created,
        "failed": len(failed),
        "failed_file": str(failed_path) if failed else None,
    }


def _reason(exc: ShortenerError) -> str:
    return f"{exc.field}: {exc.message}" if exc.field else exc.message


def _write_failed(path: Path, rows: Sequence[Mapping[str, Any]],
                  failed: list[tuple[int, Mapping[str, Any], str]]) -> None:
    """The failed rows as CSV, or no file when none failed (a stale one is removed)."""
    if not failed:
        path.unlink(missing_ok=True)
        return
    columns = list(rows[0].keys()) if rows else []
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=["line", *columns, "reason"],
                                extrasaction="ignore")
        writer.writeheader()
        for line, row, reason in sorted(failed, key=lambda item: item[0]):
            writer.writerow({**row, "line": line, "reason": reason})
