"""What a running service tells the CLI through Redis: its public URL and address.

The gunicorn master announces itself when it is ready and withdraws when it
stops. The CLI reads the announcement so that, with PUBLIC_URL unset, the
links it prints point where the service answers; ``shortener status`` shows
it. Several processes may serve one Redis; the last to start is announced.
"""

from __future__ import annotations

import os
import socket
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass

from shortener import keys
from shortener.config import Settings, served_url
from shortener.db import Client

PROBE_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class Announcement:
    public_url: str
    bind: str
    data_dir: str
    hostname: str
    pid: int
    started_at: float

    @classmethod
    def from_hash(cls, data: dict[str, str]) -> Announcement:
        return cls(public_url=data["public_url"], bind=data.get("bind", ""),
                   data_dir=data.get("data_dir", ""), hostname=data.get("hostname", ""),
                   pid=int(data.get("pid", 0)), started_at=float(data.get("started_at", 0)))

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    @property
    def local_url(self) -> str:
        """Where the service answers from its own machine (a wildcard bind as loopback)."""
        host, _, port = self.bind.rpartition(":")
        return served_url(host, int(port)) if port.isdigit() else self.public_url


def announce_service(r: Client, settings: Settings, *, pid: int | None = None) -> Announcement:
    """Record this process as the one serving; returns what was written."""
    announcement = Announcement(
        public_url=settings.public_url, bind=f"{settings.host}:{settings.port}",
        data_dir=str(settings.data_dir.resolve()), hostname=socket.gethostname(),
        pid=pid or os.getpid(), started_at=time.time())
    r.hset(keys.service(), mapping={name: str(value)
                                    for name, value in announcement.to_dict().items()})
    return announcement


def get_announcement(r: Client) -> Announcement | None:
    data = r.hgetall(keys.service())
    return Announcement.from_hash(data) if data.get("public_url") else None


def withdraw_service(r: Client, *, pid: int | None = None) -> None:
    """Remove the announcement if it is still this process's (another may have started)."""
    current = get_announcement(r)
    if current is not None and current.pid == (pid or os.getpid()) \
            and current.hostname == socket.gethostname():
        r.delete(keys.service())


def answers(url: str) -> bool:
    """Whether a service answers /healthz at this URL."""
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=PROBE_TIMEOUT_SECONDS) as reply:
            return reply.status == 200
    except (OSError, urllib.error.URLError, ValueError):
        return False
