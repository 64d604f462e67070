"""The real service with a corrupt spool and with a spool that cannot take files.

What was answered equals what was counted; the failures show in /metrics
and in the log, where they are named once, not once per request.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from shortener.analytics.queries import get_link_stats
from tests.serving import gunicorn, load, metric, settle
from tests.storage.test_click_writer_faults import corrupt_segment

pytestmark = pytest.mark.slow


def log_entries(path: Path, message: str) -> list[dict]:
    entries = []
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry.get("message") == message:
                entries.append(entry)
    return entries


def test_a_corrupt_spool_record_is_set_aside_and_the_service_starts(redis, redis_server,
                                                                   settings, make_link,
                                                                   tmp_path):
    link = make_link()
    data_dir = tmp_path / "serve"
    segment = data_dir / "spool" / "slot-0" / f"{1:020d}.jsonl"
    bad = corrupt_segment(segment, link.code, link.campaign_id)
    log = tmp_path / "service.log"
    with gunicorn(redis_url=redis_server.url, data_dir=data_dir, log=log,
                  LOG_LEVEL="ERROR") as port:
        # The three good records of the leftover segment, then every click answered.
        assert settle(lambda: get_link_stats(redis, link.code).clicks, 3) == 3
        answers = load(port, lambda number: f"/{link.code}", total=300, clients=10)
        assert answers == {(f"/{link.code}", 302): 300}
        clicks = settle(lambda: get_link_stats(redis, link.code).clicks, 303)
        quarantined = metric(port, "shortener_spool_quarantined_total")
    assert clicks == 303
    assert quarantined == len(bad)
    named = log_entries(log, "spool record unreadable, set aside")
    assert [(entry["segment"], entry["line"]) for entry in named] == \
        [("slot-0/00000000000000000001.jsonl", number) for number in (2, 3, 5, 6, 7, 8, 9, 11)]
    kept = (data_dir / "spool" / "quarantine" / "slot-0-00000000000000000001.jsonl")
    assert len(kept.read_bytes().splitlines()) == len(bad)


def test_with_a_spool_that_cannot_take_files_every_click_is_answered_and_counted(
        redis, redis_server, settings, make_link, tmp_path):
    link = make_link()
    data_dir = tmp_path / "serve"
    log = tmp_path / "service.log"
    with gunicorn(redis_url=redis_server.url, data_dir=data_dir, log=log,
                  LOG_LEVEL="ERROR") as port:
        before = load(port, lambda number: f"/{link.code}", total=200, clients=10)
        assert before == {(f"/{link.code}", 302): 200}
        # The spool folder goes away and a file takes its place: no segment can
        # be created in it any more (ENOTDIR), whoever the process runs as.
        spool = data_dir / "spool"
        shutil.move(spool, data_dir / "spool-moved")
        spool.write_text("not a folder")
        answers = load(port, lambda number: f"/{link.code}", total=3000, clients=20)
        assert answers == {(f"/{link.code}", 302): 3000}
        clicks = settle(lambda: get_link_stats(redis, link.code).clicks, 3200)
        spool_errors = metric(port, "shortener_spool_errors_total")
        failures = metric(port, "shortener_recording_failures_total")
        depth = metric(port, "shortener_spool_depth")
    assert clicks == 3200
    assert spool_errors > 0
    assert failures >= spool_errors
    assert depth == 0
    # Named, but not once per request: at most one line per worker per interval.
    assert 1 <= len(log_entries(log, "click spool failed; clicks are kept in memory")) < 20
