"""The embedded Redis server: started once, shared, persistent, stopped by its starter."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from shortener.config import ConfigError, Settings
from shortener.db import connect, start_embedded_server


@pytest.fixture
def data_dir():
    path = Path(tempfile.mkdtemp(prefix="sh-data-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_a_second_start_finds_the_running_server(data_dir):
    first = start_embedded_server(data_dir)
    try:
        second = start_embedded_server(data_dir)
        assert second.process is None
        assert second.socket == first.socket
        client = connect(Settings(data_dir=data_dir))
        client.set("probe", "1")
        assert redis.Redis(unix_socket_path=str(first.socket)).get("probe") == b"1"
    finally:
        first.stop()
    assert first.process.poll() is not None


def test_a_busy_month_hash_stays_compact(data_dir):
    """A month hash with a month of hours, channels and countries (1,500 fields) keeps
    Redis's compact encoding, a seventh of a hash table's bytes."""
    server = start_embedded_server(data_dir)
    try:
        client = redis.Redis(unix_socket_path=str(server.socket), decode_responses=True)
        client.hset("month", mapping={f"{day:02d}h{hour:02d}x{extra}": 1 for day in range(1, 31)
                                      for hour in range(24) for extra in range(2)}
                    | {"01n": 1, "02n": 2})
        assert client.hlen("month") == 1442
        assert client.object("encoding", "month") in ("ziplist", "listpack")
    finally:
        server.stop()


def test_data_survives_a_restart(data_dir):
    server = start_embedded_server(data_dir)
    redis.Redis(unix_socket_path=str(server.socket)).set("kept", "yes")
    server.stop()
    assert not redis_answers(server.socket)
    again = start_embedded_server(data_dir)
    try:
        assert again.process is not None
        assert redis.Redis(unix_socket_path=str(again.socket)).get("kept") == b"yes"
    finally:
        again.stop()


def test_a_stale_socket_file_is_replaced(data_dir):
    socket = data_dir.resolve() / "redis" / "redis.sock"
    socket.parent.mkdir(parents=True)
    socket.write_text("not a socket")
    server = start_embedded_server(data_dir)
    try:
        assert redis.Redis(unix_socket_path=str(server.socket)).ping()
    finally:
        server.stop()


def test_a_too_long_data_dir_is_refused_by_name(tmp_path):
    with pytest.raises(ConfigError, match="DATA_DIR"):
        start_embedded_server(tmp_path / ("d" * 120))


def redis_answers(socket: Path) -> bool:
    try:
        client = redis.Redis(unix_socket_path=str(socket), socket_timeout=1,
                             retry=Retry(NoBackoff(), 0))
        return bool(client.ping())
    except redis.RedisError:
        return False
