"""The Shortener-Signature header: ``t=<unix seconds>,v1=<hex HMAC-SHA256>``.

The HMAC is keyed with the subscription's secret (the whole ``whsec_...``
string, UTF-8) over ``"<t>.<raw body>"``. The timestamp is signed too, so a
receiver that rejects old timestamps cannot be fed a replayed delivery.
"""

from __future__ import annotations

import hashlib
import hmac

HEADER = "Shortener-Signature"
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The header value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes, *, now: float,
           tolerance: int = TOLERANCE_SECONDS) -> bool:
    """What a receiver does: the MAC matches and the timestamp is recent."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body).partition(",v1=")[2]
    return hmac.compare_digest(expected, parts.get("v1", ""))
