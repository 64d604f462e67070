"""API keys: create, list, revoke, and find the key behind a bearer token.

A key is 32 random bytes shown once at creation. Only its SHA-256 digest is
stored: the token is high-entropy random data, so a fast unsalted hash is
enough (nobody can brute-force 256 random bits), and the lookup on every
request stays one HGET. Slow password hashes (bcrypt, argon2) exist for
low-entropy secrets that people choose, which these are not.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import asdict, dataclass, field

from shortener import keys
from shortener.db import Client
from shortener.errors import InvalidInput, NotFound

TOKEN_PREFIX = "shk_"
PREFIX_SHOWN = 12
MAX_NAME_LENGTH = 100


class ApiKeyNotFound(NotFound):
    code = "api-key-not-found"


@dataclass(frozen=True)
class ApiKey:
    id: str
    name: str
    prefix: str
    read_only: bool
    created_at: float
    revoked_at: float | None = None
    digest: str = ""
    # None: full access (keys made before scopes existed, or without --scopes);
    # see api/scopes.py for the names. Empty campaigns: every campaign.
    scopes: list[str] | None = None
    campaigns: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data.pop("digest")
        return data


@dataclass(frozen=True)
class Caller:
    """Who is calling: the key id and whether it may write."""

    key_id: str
    read_only: bool
    scopes: frozenset[str] | None = None
    campaigns: frozenset[str] = frozenset()


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create_api_key(r: Client, *, name: str, read_only: bool = False,
                   scopes: list[str] | None = None, campaigns: list[str] | None = None,
                   now: float | None = None) -> tuple[ApiKey, str]:
    """Make a key; returns (record, token). The token is not stored and cannot be shown again.

    ``scopes`` None is full access (or every read scope with ``read_only``);
    ``campaigns`` limits the key to those campaigns.
    """
    from shortener.api.scopes import READ_SCOPES, validate_scopes

    if scopes is not None:
        scopes = validate_scopes(scopes)
        read_only = all(scope in READ_SCOPES for scope in scopes)
    elif read_only:
        scopes = sorted(READ_SCOPES)
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME_LENGTH \
            or not name.isprintable():
        raise InvalidInput(f"name must be 1 to {MAX_NAME_LENGTH} printable characters",
                           field="name")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiKey(id=secrets.token_hex(6), name=name.strip(), prefix=token[:PREFIX_SHOWN],
                    read_only=read_only, created_at=now or time.time(),
                    digest=digest_of(token), scopes=scopes,
                    campaigns=sorted(set(campaigns or [])))
    pipe = r.pipeline(transaction=False)
    pipe.hset(keys.api_keys(), record.id, json.dumps(asdict(record)))
    pipe.hset(keys.api_key_digests(), record.digest,
              json.dumps({"id": record.id, "read_only": read_only, "scopes": scopes,
                          "campaigns": record.campaigns}))
    pipe.execute()
    return record, token


def list_api_keys(r: Client) -> list[ApiKey]:
    """Every key, revoked ones included, oldest first."""
    records = [ApiKey(**json.loads(text)) for text in r.hvals(keys.api_keys())]
    return sorted(records, key=lambda record: (record.created_at, record.id))


def revoke_api_key(r: Client, key_id: str, *, now: float | None = None) -> ApiKey:
    """Stop a key from working at once; its record stays for the audit trail."""
    text = r.hget(keys.api_keys(), key_id)
    if not text:
        raise ApiKeyNotFound(f"API key {key_id!r} does not exist", field="id")
    record = ApiKey(**json.loads(text))
    if record.revoked_at is None:
        record = ApiKey(**{**asdict(record), "revoked_at": now or time.time()})
    pipe = r.pipeline(transaction=False)
    pipe.hdel(keys.api_key_digests(), record.digest)
    pipe.hset(keys.api_keys(), record.id, json.dumps(asdict(record)))
    pipe.execute()
    return record


def find_caller(r: Client, token: str) -> Caller | None:
    """The live key behind a bearer token, or None for an unknown or revoked one."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    text = r.hget(keys.api_key_digests(), digest_of(token))
    if not text:
        return None
    found = json.loads(text)
    scopes = found.get("scopes")
    return Caller(key_id=found["id"], read_only=bool(found["read_only"]),
                  scopes=None if scopes is None else frozenset(scopes),
                  campaigns=frozenset(found.get("campaigns") or ()))
