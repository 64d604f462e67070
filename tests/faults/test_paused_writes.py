"""A click Redis refuses to take is kept and written later (single server: a
cluster client retries through CLIENT PAUSE; tests/faults/test_redis_outage.py
covers outages of both)."""

from __future__ import annotations

from shortener.analytics.queries import get_link_stats
from tests.web.test_redirect import click


def test_a_click_redis_could_not_take_is_written_once_it_is_back(app, client, redis,
                                                                 make_link):
    link = make_link()
    click(client, link.code)
    # Redis refuses writes for longer than the client waits: recording times out.
    redis.execute_command("CLIENT", "PAUSE", "6000", "WRITE")
    try:
        response = click(client, link.code)
        assert response.status_code == 302
        assert get_link_stats(redis, link.code).clicks == 1
    finally:
        redis.execute_command("CLIENT", "UNPAUSE")
    assert app.extensions["click_writer"].flush()
    assert get_link_stats(redis, link.code).clicks == 2
