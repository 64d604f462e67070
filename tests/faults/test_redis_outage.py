"""Redis stops in the middle of a load and comes back: no 500, no click lost."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis as redis_py

from shortener.analytics.queries import get_link_stats
from tests.conftest import RedisServer
from tests.serving import get, gunicorn, load, settle

pytestmark = pytest.mark.slow


@pytest.fixture
def durable(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis", durable=True)
    server.directory.mkdir()
    server.start()
    yield server
    server.stop()


def test_clicks_answered_during_an_outage_are_all_counted_after_it(tmp_path, durable):
    from shortener import create_app
    from shortener.config import Settings
    from shortener.db import connection
    from shortener.links.campaigns import create_campaign
    from shortener.links.minting import mint_link

    app = create_app(Settings(data_dir=tmp_path / "app", redis_url=durable.url))
    client = connection(app)
    campaign = create_campaign(client, name="Outage", destination="https://shop.example/")
    settings = app.extensions["settings"]
    seen = mint_link(client, settings, campaign_id=campaign.id, advocate="alice").link
    # Never clicked, but read by every worker as it warms its cache up.
    warmed = mint_link(client, settings, campaign_id=campaign.id, advocate="carol").link

    with gunicorn(redis_url=durable.url, data_dir=tmp_path / "serve") as port:
        warm = load(port, lambda number: f"/{seen.code}", total=600, clients=10)
        assert warm == {(f"/{seen.code}", 302): 600}
        # Minted once the workers have warmed up: in no cache.
        unseen = mint_link(client, settings, campaign_id=campaign.id, advocate="bob").link
        stop = threading.Event()
        answers: dict = {}
        loader = threading.Thread(target=lambda: answers.update(load(
            port, lambda number: f"/{seen.code}", total=0, clients=10, stop=stop)))
        loader.start()
        time.sleep(1)
        durable.stop()
        time.sleep(2)
        unseen_status = get(port, f"/{unseen.code}")
        warmed_statuses = {get(port, f"/{warmed.code}") for _ in range(6)}
        durable.start()
        time.sleep(2)
        stop.set()
        loader.join()
        statuses = {status for _, status in answers}
        assert statuses == {302}
        assert unseen_status == 503
        assert warmed_statuses == {302}
        answered = warm[(f"/{seen.code}", 302)] + answers[(f"/{seen.code}", 302)]
        restarted = redis_py.Redis.from_url(durable.url, decode_responses=True)
        clicks = settle(lambda: get_link_stats(restarted, seen.code).clicks, answered)
        warmed_clicks = settle(lambda: get_link_stats(restarted, warmed.code).clicks, 6)
    assert clicks == answered
    assert warmed_clicks == 6
