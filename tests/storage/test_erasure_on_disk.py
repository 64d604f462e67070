"""Erasure reaches the disk: the append-only file no longer holds what was erased.

An AOF keeps every write until Redis rewrites it, so a name overwritten in
Redis stays readable in the file. Checked on the embedded server (its
DATA_DIR/redis) and on a server reached through REDIS_URL.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shortener import create_app
from shortener.api.apikeys import create_api_key
from shortener.config import Settings
from shortener.db import connect, start_embedded_server
from tests.conftest import BROWSER_UA, RedisServer

EXTERNAL_ID = "c-20931@crm.example"
NAME = "Ana Lopez-Ferrer"
CONTACT = "ana.lopez@mail.example"


@pytest.fixture(params=["embedded", "redis_url"])
def served(request: pytest.FixtureRequest) -> Iterator[tuple[Settings, Path]]:
    """Settings for a server with an AOF, and the folder its files are in."""
    data_dir = Path(tempfile.mkdtemp(prefix="sh-aof-"))
    if request.param == "embedded":
        server: Any = start_embedded_server(data_dir)
        settings, folder = Settings(data_dir=data_dir), data_dir / "redis"
    else:
        server = RedisServer(data_dir / "server", durable=True)
        server.directory.mkdir()
        server.start()
        settings, folder = Settings(data_dir=data_dir, redis_url=server.url), server.directory
    settings = dataclasses.replace(settings, click_flush_ms=0, link_cache_seconds=0,
                                   redirect_rate_limit="off")
    r = connect(settings)
    # A rewritten AOF starts with an RDB image, whose strings may be compressed;
    # plain commands keep every stored value readable to the search below.
    r.config_set("aof-use-rdb-preamble", "no")
    r.config_set("rdbcompression", "no")
    try:
        yield settings, folder
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def aof_text(folder: Path) -> bytes:
    return b"".join(path.read_bytes() for path in sorted(folder.rglob("*.aof*")))


def test_the_aof_no_longer_holds_the_erased_person(served):
    settings, folder = served
    app = create_app(settings)
    try:
        r = app.extensions["redis"]
        api = {"Authorization": f"Bearer {create_api_key(r, name='shop')[1]}"}
        client = app.test_client()
        campaign = client.post("/api/v1/campaigns", headers=api, json={
            "name": "Spring", "destination": "https://shop.example/"}).json
        client.put(f"/api/v1/advocates/{EXTERNAL_ID}", headers=api,
                   json={"name": NAME, "contact": CONTACT})
        link = client.post("/api/v1/links", headers=api,
                           json={"campaign": campaign["id"], "advocate": EXTERNAL_ID}).json
        assert client.get(f"/{link['code']}", headers={"User-Agent": BROWSER_UA}) \
            .status_code == 302
        _wait_for_rewrites(r)
        before = aof_text(folder)
        assert all(needle.encode() in before for needle in (EXTERNAL_ID, NAME, CONTACT))

        assert client.delete(f"/api/v1/advocates/{EXTERNAL_ID}/personal-data",
                             headers=api).status_code == 200
        _wait_for_rewrites(r)

        after = aof_text(folder)
        assert link["code"].encode() in after  # the file is read, and holds the rest
        assert [needle for needle in (EXTERNAL_ID, NAME, CONTACT)
                if needle.encode() in after] == []
    finally:
        app.extensions["click_writer"].close()


def _wait_for_rewrites(r: Any) -> None:
    deadline = time.monotonic() + 30
    while _rewriting(r):
        assert time.monotonic() < deadline, "the AOF rewrite did not finish"
        time.sleep(0.05)


def test_a_rewrite_already_running_is_followed_by_another(tmp_path):
    """A rewrite that began before the erasure writes the old values; one more must follow."""
    server = RedisServer(Path(tempfile.mkdtemp(prefix="sh-aof-")), durable=True)
    server.persistence += ["--aof-use-rdb-preamble", "no"]
    server.start()
    try:
        settings = Settings(data_dir=tmp_path, redis_url=server.url, click_flush_ms=0)
        app = create_app(settings)
        r = app.extensions["redis"]
        from shortener.links.advocates import erase_personal_data, upsert_advocate

        upsert_advocate(r, EXTERNAL_ID, name=NAME, contact=CONTACT)
        _wait_for_rewrites(r)
        forks = r.info("stats")["total_forks"]
        # Slow the first rewrite down (microseconds per key) so the erasure meets it running.
        r.config_set("rdb-key-save-delay", 200_000)
        r.bgrewriteaof()
        erase_personal_data(r, EXTERNAL_ID)
        r.config_set("rdb-key-save-delay", 0)
        deadline = time.monotonic() + 30
        while r.info("stats")["total_forks"] < forks + 2 or _rewriting(r):
            assert time.monotonic() < deadline, "no second rewrite"
            time.sleep(0.05)
        after = aof_text(server.directory)
        assert [needle for needle in (EXTERNAL_ID, NAME, CONTACT)
                if needle.encode() in after] == []
        app.extensions["click_writer"].close()
    finally:
        server.stop()
        shutil.rmtree(server.directory, ignore_errors=True)


def _rewriting(r: Any) -> bool:
    return any(r.info("persistence")[name] for name in ("aof_rewrite_in_progress",
                                                         "aof_rewrite_scheduled"))
