"""Every environment variable the service reads, its default and its parser.

The README's configuration table mirrors this file. A bad value stops
start-up with a message that names the variable.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


class ConfigError(ValueError):
    """A setting has a value the service cannot use."""


def _parse_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError("expected true or false")


def _parse_positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError("expected a whole number of at least 1")
    return number


def _parse_non_negative_int(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError("expected a whole number of at least 0")
    return number


def _parse_public_url(value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError("expected an http(s) URL such as https://go.example.com")
    return value.strip().rstrip("/")


def _parse_host(value: str) -> str:
    host = value.strip()
    if not host or any(character.isspace() or character in "/@?#" for character in host):
        raise ValueError("expected an address to listen on, such as 127.0.0.1 or 0.0.0.0")
    return host


def _parse_port(value: str) -> int:
    port = int(value) if value.strip().isdigit() else 0
    if not 1 <= port <= 65535:
        raise ValueError("expected a port number from 1 to 65535")
    return port


WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", "[::]", "*"})


def served_url(host: str, port: int) -> str:
    """The URL the service answers on, from HOST and PORT; a wildcard address
    (listen on every interface) is reached on this machine as 127.0.0.1."""
    if host in WILDCARD_HOSTS:
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _parse_redis_url(value: str) -> str:
    scheme = urlsplit(value.strip()).scheme
    if scheme not in {"redis", "rediss", "unix", "redis+cluster", "rediss+cluster"}:
        raise ValueError(
            "expected redis://, rediss://, unix://, redis+cluster:// or rediss+cluster://"
        )
    return value.strip()


def _parse_alphabet(value: str) -> str:
    if len(set(value)) != len(value) or len(value) < 16 or not value.isascii():
        raise ValueError("expected at least 16 distinct ASCII letters and digits")
    if not value.isalnum():
        raise ValueError("expected letters and digits only")
    return value


def _parse_log_level(value: str) -> str:
    level = value.strip().upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ValueError("expected DEBUG, INFO, WARNING, ERROR or CRITICAL")
    return level


_RATE = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour|day)\s*$")


def _parse_rate_limit(value: str) -> str:
    if value.strip().lower() == "off":
        return "off"
    if not _RATE.match(value):
        raise ValueError("expected N/second, N/minute, N/hour, N/day or off")
    return value.strip()


def _parse_trusted_networks(value: str) -> tuple[str, ...]:
    """Comma-separated address ranges ("203.0.113.0/24") and provider names ("Amazon AWS")."""
    from shortener.clicks.network import TrustedNetworks

    items = tuple(item.strip() for item in value.split(",") if item.strip())
    TrustedNetworks.parse(items)  # a malformed range stops start-up here, named
    return items


def parse_rate(value: str) -> tuple[int, int] | None:
    """A rate setting as (requests, seconds), or None for "off"."""
    match = _RATE.match(value)
    if match is None:
        return None
    seconds = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}[match.group(2)]
    return int(match.group(1)), seconds


def _env(name: str, parser: Callable[[str], Any], default: Any) -> Any:
    """Metadata for a Settings field: which variable feeds it and how."""
    return field(default=default, metadata={"env": name, "parser": parser})


@dataclass(frozen=True)
class Settings:
    data_dir: Path = _env("DATA_DIR", Path, Path("var"))
    redis_url: str = _env("REDIS_URL", _parse_redis_url, "")
    # Empty: derived from HOST and PORT (see __post_init__).
    public_url: str = _env("PUBLIC_URL", _parse_public_url, "")
    code_min_length: int = _env("CODE_MIN_LENGTH", _parse_positive_int, 5)
    code_alphabet: str = _env(
        "CODE_ALPHABET",
        _parse_alphabet,
        "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789",
    )
    click_id_param: str = _env("CLICK_ID_PARAM", str, "sclid")
    stream_maxlen: int = _env("STREAM_MAXLEN", _parse_positive_int, 1_000_000)
    click_retention_days: int = _env("CLICK_RETENTION_DAYS", _parse_positive_int, 90)
    preview_window_seconds: int = _env("PREVIEW_WINDOW_SECONDS", _parse_non_negative_int, 600)
    # Human clicks by one visitor on one link in one UTC hour beyond which a conversion
    # through that visitor's click is flagged "burst" (shortener.fraud.rules).
    fraud_burst_clicks: int = _env("FRAUD_BURST_CLICKS", _parse_positive_int, 10)
    trusted_proxies: int = _env("TRUSTED_PROXIES", _parse_non_negative_int, 0)
    redirect_rate_limit: str = _env("REDIRECT_RATE_LIMIT", _parse_rate_limit, "120/minute")
    redirect_address_rate_limit: str = _env("REDIRECT_ADDRESS_RATE_LIMIT", _parse_rate_limit,
                                            "1200/minute")
    link_cache_seconds: int = _env("LINK_CACHE_SECONDS", _parse_non_negative_int, 5)
    # Links a worker keeps in memory (about 550 bytes each), warmed up at start.
    link_cache_links: int = _env("LINK_CACHE_LINKS", _parse_positive_int, 200_000)
    click_flush_ms: int = _env("CLICK_FLUSH_MS", _parse_non_negative_int, 100)
    api_rate_limit: str = _env("API_RATE_LIMIT", _parse_rate_limit, "600/minute")
    api_failed_key_limit: str = _env("API_FAILED_KEY_LIMIT", _parse_rate_limit, "30/minute")
    share_rate_limit: str = _env("SHARE_RATE_LIMIT", _parse_rate_limit, "30/minute")
    secure_cookies: bool = _env("SECURE_COOKIES", _parse_bool, False)
    log_level: str = _env("LOG_LEVEL", _parse_log_level, "INFO")
    trusted_networks: tuple[str, ...] = _env("TRUSTED_NETWORKS", _parse_trusted_networks, ())
    webhook_allow_private: bool = _env("WEBHOOK_ALLOW_PRIVATE", _parse_bool, False)
    webhook_max_pending: int = _env("WEBHOOK_MAX_PENDING", _parse_positive_int, 100_000)
    survey_rate_limit: str = _env("SURVEY_RATE_LIMIT", _parse_rate_limit, "20/minute")
    host: str = _env("HOST", _parse_host, "127.0.0.1")
    port: int = _env("PORT", _parse_port, 8000)
    secrets: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)
    # Whether PUBLIC_URL was given, rather than derived from HOST and PORT: only
    # then does it win over the URL a running service announced (see service.py).
    # None until __post_init__ decides; dataclasses.replace() then carries it over.
    public_url_explicit: bool | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Frozen: the derived values are set once, here.
        if self.public_url_explicit is None:
            object.__setattr__(self, "public_url_explicit", bool(self.public_url))
        if not self.public_url:
            object.__setattr__(self, "public_url", served_url(self.host, self.port))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read every variable; raise ConfigError naming the first bad one."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for spec in fields(cls):
            name = spec.metadata.get("env")
            if name is None or name not in environ or environ[name] == "":
                continue
            try:
                values[spec.name] = spec.metadata["parser"](environ[name])
            except ValueError as exc:
                raise ConfigError(f"{name}={environ[name]!r} is not valid: {exc}") from None
        return cls(**values)

    @property
    def redis_socket(self) -> Path:
        """Where the embedded Redis server listens when REDIS_URL is unset."""
        return self.data_dir.resolve() / "redis" / "redis.sock"

    @property
    def link_settle_seconds(self) -> float:
        """How long until every process's clicks reflect a changed link: a cached
        copy is dropped (LINK_CACHE_SECONDS), then its clicks are flushed (CLICK_FLUSH_MS)."""
        if not self.link_cache_seconds and not self.click_flush_ms:
            return 0.0
        return self.link_cache_seconds + self.click_flush_ms / 1000 + 1.0

    def short_url(self, code: str) -> str:
        return f"{self.public_url}/{code}"


def documented_variables() -> list[tuple[str, Any]]:
    """(variable, default) for every setting, in declaration order; for docs and tests."""
    return [
        (spec.metadata["env"], spec.default)
        for spec in fields(Settings)
        if "env" in spec.metadata
    ]


def get_settings() -> Settings:
    """The running app's settings (inside a request or app context)."""
    from flask import current_app

    return current_app.extensions["settings"]
