"""error_response(): the one JSON error shape, RFC 9457 problem details.

``{"type", "title", "status", "detail", "code", "field"}`` with the media
type ``application/problem+json``; ``code`` is stable, ``field`` names the
offending input (a JSON pointer-like dotted path) or is null.
"""

from __future__ import annotations

from typing import Any

from flask import Response, json
from werkzeug.http import HTTP_STATUS_CODES

PROBLEM_TYPE_BASE = "https://shortener.dev/problems/"


def problem(status: int, code: str, message: str, field: str | None = None,
            **extra: Any) -> dict[str, Any]:
    """The problem body alone, for answers that carry several (bulk results)."""
    return {
        "type": PROBLEM_TYPE_BASE + code,
        "title": HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
        "detail": message,
        "code": code,
        "field": field,
        **extra,
    }


def error_response(status: int, code: str, message: str, field: str | None = None,
                   **extra: Any) -> Response:
    body = problem(status, code, message, field, **extra)
    return Response(json.dumps(body), status=status, mimetype="application/problem+json")
