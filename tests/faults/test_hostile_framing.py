"""Request framing a browser never sends, against the real service under gunicorn.

A head whose lines end in a bare line feed is answered (400, as gunicorn's
parser refuses it) instead of waiting out the head timeout; a chunked body,
which has no length to check first, is still held to the survey's size cap.
"""

from __future__ import annotations

import json
import socket

import pytest

from shortener.survey.store import ensure_survey_tokens
from shortener.web.survey import MAX_ANSWER_BYTES
from shortener.web.worker import HEADER_TIMEOUT_SECONDS
from tests.serving import gunicorn

pytestmark = pytest.mark.slow


def exchange(port: int, raw: bytes) -> bytes:
    """Send ``raw`` and read the answer until the server closes; the client gives up
    well before the worker's head timeout would close the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=HEADER_TIMEOUT_SECONDS / 2) as sock:
        sock.sendall(raw)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        return answer


@pytest.mark.parametrize("head", [
    b"GET /nothing HTTP/1.1\nHost: x\nConnection: close\n\n",
    b"GET /nothing HTTP/1.1\r\nHost: x\r\nConnection: close\n\r\n",
], ids=["bare-lf", "mixed"])
def test_a_head_ending_in_bare_line_feeds_is_answered(redis_server, settings, head):
    with gunicorn(redis_url=redis_server.url, data_dir=settings.data_dir) as port:
        answer = exchange(port, head)
        assert answer.startswith(b"HTTP/1.1 400"), answer[:80]
        # The worker still serves well-formed requests.
        ok = exchange(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert ok.startswith(b"HTTP/1.1 200"), ok[:80]


def test_a_chunked_survey_answer_is_held_to_the_size_cap(redis, redis_server, settings,
                                                         make_campaign):
    campaign = make_campaign(allowed_hosts=["shop.example"])
    token = ensure_survey_tokens(redis, [campaign.id])[campaign.id]
    answer = {"token": token, "order_id": "CH-1", "heard_via": "search"}
    body = json.dumps(answer).encode()[:-1] + b" " * (4 * MAX_ANSWER_BYTES) + b"}"
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 1000]), body[i:i + 1000])
                      for i in range(0, len(body), 1000)) + b"0\r\n\r\n"
    head = (f"POST /survey/{campaign.id}/answers HTTP/1.1\r\nHost: x\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
            "Connection: close\r\n\r\n").encode()
    with gunicorn(redis_url=redis_server.url, data_dir=settings.data_dir) as port:
        refused = exchange(port, head + chunks)
        assert refused.startswith(b"HTTP/1.1 413"), refused[:200]
        assert b"application/problem+json" in refused and b"payload-too-large" in refused
        # Within the cap, the same framing is taken.
        small = json.dumps(answer).encode()
        taken = exchange(port, head.replace(b"CH-1", b"CH-2") + b"%x\r\n%s\r\n0\r\n\r\n" % (
            len(small), small))
        assert taken.startswith(b"HTTP/1.1 201"), taken[:300]
