"""The real service under gunicorn.conf.py, and concurrent clients to load it."""

from __future__ import annotations

import collections
import contextlib
import http.client
import os
import re
import selectors
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import BROWSER_UA

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(*, redis_url: str, data_dir: Path, log: Path | None = None,
             **env: str) -> Iterator[int]:
    """Serve app:app with the production configuration (rate limit off); yield the port.

    With ``log``, gunicorn's and the app's log lines go to that file.
    """
    port = free_port()
    errors = open(log, "ab") if log is not None else subprocess.DEVNULL  # noqa: SIM115
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--config", "gunicorn.conf.py",
         "app:app"],
        cwd=ROOT,
        env={**os.environ, "REDIS_URL": redis_url, "DATA_DIR": str(data_dir),
             "PORT": str(port), "REDIRECT_RATE_LIMIT": "off", "REDIRECT_ADDRESS_RATE_LIMIT": "off",
             "LOG_LEVEL": "ERROR", **env},
        stderr=errors,
    )
    try:
        # A start is quick (about a second); the wide margin is for a loaded
        # machine, where importing the app alone can take many seconds.
        deadline = time.monotonic() + 90
        while True:
            try:
                get(port, "/healthz")
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)
        if log is not None:
            errors.close()


def get(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"User-Agent": BROWSER_UA})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def metric(port: int, name: str) -> float:
    """The sum of a metric's samples in /metrics (all label values)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/metrics")
    text = connection.getresponse().read().decode()
    connection.close()
    pattern = re.compile(rf"^{re.escape(name)}(?:{{[^}}]*}})? (\S+)$", re.MULTILINE)
    return sum(float(value) for value in pattern.findall(text))


def load(port: int, paths: Callable[[int], str], *, total: int, clients: int = 50,
         stop: threading.Event | None = None) -> collections.Counter[tuple[str, int]]:
    """Send ``total`` GETs (path of request i: paths(i)) from ``clients`` threads.

    Returns how many answers each (path, status) got. With ``stop``, requests
    go on past ``total`` until it is set.
    """
    answers: collections.Counter[tuple[str, int]] = collections.Counter()
    lock = threading.Lock()
    counter = iter(range(sys.maxsize))

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: collections.Counter[tuple[str, int]] = collections.Counter()
        while True:
            with lock:
                number = next(counter)
            if number >= total and (stop is None or stop.is_set()):
                break
            path = paths(number)
            try:
                connection.request("GET", path, headers={"User-Agent": BROWSER_UA})
                response = connection.getresponse()
                response.read()
                mine[(path, response.status)] += 1
                if response.will_close:
                    connection.close()
            except (OSError, http.client.HTTPException):
                mine[(path, 0)] += 1
                connection.close()
        with lock:
            answers.update(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def settle(read: Callable[[], object], expected: object, *, seconds: float = 30) -> object:
    """Read until the value equals ``expected`` or ``seconds`` pass; return the last read."""
    deadline = time.monotonic() + seconds
    while True:
        value = read()
        if value == expected or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


class SlowClients:
    """``count`` connections that send a request's headers a few bytes at a time.

    Each opens, sends a request line, then one more header line every
    ``interval`` seconds and never ends its headers, as a slowloris client
    does, until stop() closes them all. ``dropped`` counts the connections
    the server closed (or refused); with ``reconnect`` each is replaced, so
    ``count`` stay open. With ``pipelined`` each first sends one whole
    request, then starts the slow one behind it. Runs on one thread.
    """

    def __init__(self, port: int, count: int, *, path: str = "/healthz",
                 interval: float = 1.0, reconnect: bool = False,
                 pipelined: bool = False) -> None:
        self.port = port
        self.pipelined = pipelined
        self.count = count
        self.path = path
        self.interval = interval
        self.reconnect = reconnect
        self.opened = 0
        self.dropped = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="slow-clients", daemon=True)

    def __enter__(self) -> SlowClients:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        sockets: list[socket.socket] = []
        selector = selectors.DefaultSelector()

        def open_connections(number: int) -> None:
            for _ in range(number):
                if self._stop.is_set():
                    return
                try:
                    conn = socket.create_connection(("127.0.0.1", self.port), timeout=10)
                    whole = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" \
                        if self.pipelined else ""
                    conn.sendall(
                        f"{whole}GET {self.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode())
                except OSError:
                    self.dropped += 1
                    continue
                conn.setblocking(False)
                selector.register(conn, selectors.EVENT_READ)
                sockets.append(conn)
                self.opened += 1

        try:
            open_connections(self.count)
            line = 0
            while not self._stop.wait(self.interval):
                line += 1
                for conn in list(sockets):
                    try:
                        conn.send(f"X-Slow-{line}: {line}\r\n".encode())
                    except OSError:
                        self.dropped += 1
                        sockets.remove(conn)
                        selector.unregister(conn)
                        conn.close()
                # A server that gives up on a slow client closes it: note it.
                for key, _ in selector.select(timeout=0):
                    conn = key.fileobj  # type: ignore[assignment]
                    with contextlib.suppress(OSError):
                        if conn.recv(65536):
                            continue  # the answer to a pipelined request
                    selector.unregister(conn)
                    if conn in sockets:
                        sockets.remove(conn)
                        self.dropped += 1
                    conn.close()
                if self.reconnect:
                    open_connections(self.count - len(sockets))
        finally:
            for conn in sockets:
                conn.close()
            selector.close()
