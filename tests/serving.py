"""The real service under gunicorn.conf.py, and concurrent clients to load it."""

from __future__ import annotations

import collections
import http.client
import os
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
             "PORT": str(port), "REDIRECT_RATE_LIMIT": "off", "LOG_LEVEL": "ERROR", **env},
        stderr=errors,
    )
    try:
        deadline = time.monotonic() + 30
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
