"""VisitorLimiter: the redirect's rate limits, kept in process memory.

Two of them: per visitor (the hash of address and user agent), and a
ceiling per address (the keyed hash of the address alone, never the IP),
so that a client rotating its user agent is limited too. Counted in fixed
windows, per worker process: it costs no Redis round trip, and a visitor
spread over N workers gets up to N times the limit, which is still a limit
on abuse.
"""

from __future__ import annotations

import threading

# A flood of distinct visitors must not grow the table without end: past
# this many, the window starts afresh (everyone gets a new allowance).
MAX_TRACKED_VISITORS = 200_000


class VisitorLimiter:
    def __init__(self, limit: int, window_seconds: int) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self._window = -1
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def allow(self, visitor_hash: str, *, now: float) -> bool:
        """Count one request; False once the visitor is over the limit in this window."""
        window = int(now // self.window_seconds)
        with self._lock:
            if window != self._window or len(self._counts) >= MAX_TRACKED_VISITORS:
                self._window = window
                self._counts = {}
            count = self._counts.get(visitor_hash, 0) + 1
            self._counts[visitor_hash] = count
        return count <= self.limit
