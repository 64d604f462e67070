"""Slow clients against the real service: other visitors still get their 302, counted.

200 connections send their headers a line per second and never finish them
(slowloris). Under gthread each held a thread, and with 8 threads in all the
other visitors timed out; the worker reads heads in its event loop instead
(shortener/web/worker.py). bench/slow_clients.py measures the latency.
"""

from __future__ import annotations

import json
import socket
import time

import pytest

from shortener.analytics.queries import get_link_stats
from shortener.api.apikeys import create_api_key
from tests.serving import SlowClients, gunicorn, load, settle

pytestmark = pytest.mark.slow

SLOW_CONNECTIONS = 200


@pytest.mark.parametrize("pipelined", [False, True], ids=["slow-head", "pipelined-slow-head"])
def test_slow_header_clients_do_not_hold_back_other_visitors(redis, redis_server, settings,
                                                             make_link, pipelined):
    link = make_link()
    path = f"/{link.code}"
    # Pipelined: a whole request first, the slow head right behind it, so the
    # slow part arrives on a connection that was already served once.
    with gunicorn(redis_url=redis_server.url, data_dir=settings.data_dir) as port, \
            SlowClients(port, SLOW_CONNECTIONS, path=path, pipelined=pipelined) as slow:
        deadline = time.monotonic() + 30
        while slow.opened + slow.dropped < SLOW_CONNECTIONS and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1)  # their first bytes are in: gthread would have given each a thread
        # Each visitor waits up to 30 s (the client timeout in tests/serving.py).
        answers = load(port, lambda number: path, total=200, clients=5)
        # Still held open, every one: the visitors were served alongside them.
        assert slow.opened == SLOW_CONNECTIONS and slow.dropped == 0
        clicks = settle(lambda: get_link_stats(redis, link.code).clicks, 200)
    assert answers == {(path, 302): 200}
    assert clicks == 200


def exchange(port: int, pieces: list[bytes]) -> bytes:
    """Send a request in pieces, a moment apart; return the whole answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        for piece in pieces:
            conn.sendall(piece)
            time.sleep(0.2)
        conn.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    return answer


def test_a_request_whose_head_and_body_arrive_in_pieces_is_served(redis, redis_server,
                                                                  settings):
    key = create_api_key(redis, name="pieces")[1]
    body = json.dumps({"name": "Pieces", "destination": "https://shop.example/"}).encode()
    head = (f"POST /api/v1/campaigns HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {key}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    whole = head + body
    with gunicorn(redis_url=redis_server.url, data_dir=settings.data_dir) as port:
        # Split inside the end-of-head marker, and again inside the body.
        cut = len(head) - 2
        answer = exchange(port, [whole[:20], whole[20:cut], whole[cut:cut + 10],
                                 whole[cut + 10:]])
    status, _, rest = answer.partition(b"\r\n")
    assert status.split(b" ")[1] == b"201"
    assert json.loads(rest.partition(b"\r\n\r\n")[2])["name"] == "Pieces"
