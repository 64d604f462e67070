"""Read a user agent: which kind of client sent it, and for a bot whose fetcher it is.

Order matters and is fixed here: preview fetchers, then e-mail scanners, then
self-announcing automation, then in-app browsers, then the bot library. The
patterns themselves live in `rules.py`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from crawlerdetect import CrawlerDetect
from ua_parser import parse as parse_families
from user_agents.parsers import (
    UserAgent,
    parse_browser,
    parse_device,
    parse_operating_system,
)

from shortener.classify import rules

MAX_USER_AGENT_LENGTH = 1024
MAX_FAMILY_LENGTH = 32
USER_AGENT_CACHE_ENTRIES = 4096


class AgentVerdict(NamedTuple):
    """What the user agent alone says about a click."""

    kind: str
    channel: str | None
    signal: str | None
    confidence: float
    device: str
    os: str
    browser: str


def _scoped(pattern: str) -> str:
    """Wrap a pattern for a combined regex; a leading "(?i)" becomes a scoped flag."""
    if pattern.startswith("(?i)"):
        return f"(?i:{pattern[4:]})"
    return f"(?:{pattern})"


class _Table:
    """One rules table compiled twice: a combined regex to reject most agents in
    one scan, and the rows in order to pick the first (most specific) match."""

    def __init__(self, table: tuple[rules.AgentRule, ...]) -> None:
        self.rows = tuple((re.compile(row.pattern), row) for row in table)
        self.any = re.compile("|".join(_scoped(row.pattern) for row in table))

    def match(self, user_agent: str) -> rules.AgentRule | None:
        if not self.any.search(user_agent):
            return None
        for pattern, row in self.rows:
            if pattern.search(user_agent):
                return row
        return None


PREVIEW_FETCHERS = _Table(rules.PREVIEW_FETCHERS)
EMAIL_SCANNERS = _Table(rules.EMAIL_SCANNERS)
AUTOMATION = _Table(rules.AUTOMATION)
IN_APP_BROWSERS = _Table(rules.IN_APP_BROWSERS)

_crawler_detect = CrawlerDetect()

# A user agent made only of a mainstream browser's standard tokens: WebKit/Blink
# browsers and Firefox, as they ship. The bot library finds nothing in these
# (tests/unit/test_classify.py checks it against the corpus) and is the slow part
# of a first look at an agent, so it is not asked about them.
PLAIN_BROWSER = re.compile(
    r"Mozilla/5\.0 \([^()]*\) AppleWebKit/[\d.]+ \(KHTML, like Gecko\)"
    r"(?: (?:Version|Chrome|CriOS|FxiOS|EdgiOS|EdgA|Edg|Mobile|Safari|OPR|SamsungBrowser"
    r"|YaBrowser|Vivaldi)/[\w.]+| Mobile)*"
    r"|Mozilla/5\.0 \([^()]*rv:[\d.]+\) Gecko/[\d.]+ Firefox/[\d.]+"
)
_BOT_WORDS = re.compile(r"(?i)bot|crawl|spider|http|compatible|headless|preview|scan|@")


def is_plain_browser(user_agent: str) -> bool:
    return PLAIN_BROWSER.fullmatch(user_agent) is not None and not _BOT_WORDS.search(user_agent)
# Control characters never belong in a user agent; they only make logs lie.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def crop_user_agent(user_agent: str | None) -> str:
    """Return the user agent cropped to MAX_USER_AGENT_LENGTH, control characters as spaces."""
    if not user_agent:
        return ""
    return _CONTROL.sub(" ", user_agent[:MAX_USER_AGENT_LENGTH]).strip()


def is_known_bot(user_agent: str) -> bool:
    """Ask the bot library; a failure inside it counts as "not a bot"."""
    try:
        return bool(_crawler_detect.is_crawler(user_agent))
    except Exception:  # the library is third-party code; a click must never fail on it
        return False


def parse_user_agent(user_agent: str) -> UserAgent:
    """The user-agents library's UserAgent, fed by ua-parser's fastest installed backend.

    UserAgent's own constructor goes through ua-parser's legacy pure-Python
    API, about 40 times slower for an agent not seen before (1.2 ms against
    30 µs with the ua-parser-rs backend that the ``regex`` extra installs).
    """
    result = parse_families(user_agent).with_defaults()
    browser, os, device = result.user_agent, result.os, result.device
    parsed = UserAgent.__new__(UserAgent)
    parsed.ua_string = user_agent
    parsed.os = parse_operating_system(os.family, os.major, os.minor, os.patch, os.patch_minor)
    parsed.browser = parse_browser(browser.family, browser.major, browser.minor, browser.patch,
                                   browser.patch_minor)
    parsed.device = parse_device(device.family, device.brand, device.model)
    return parsed


def _crop_family(family: str | None) -> str:
    return (family or "other")[:MAX_FAMILY_LENGTH]


def _describe(user_agent: str) -> tuple[str, str, str]:
    """Return device, os and browser families as the user-agents library sees them."""
    try:
        parsed = parse_user_agent(user_agent)
    except Exception:  # ua-parser regexes on junk input: describe as "other", never raise
        return "other", "other", "other"
    if parsed.is_mobile:
        device = "mobile"
    elif parsed.is_tablet:
        device = "tablet"
    elif parsed.is_pc:
        device = "desktop"
    else:
        device = "other"
    return device, _crop_family(parsed.os.family), _crop_family(parsed.browser.family)


@lru_cache(maxsize=USER_AGENT_CACHE_ENTRIES)
def read_user_agent(user_agent: str) -> AgentVerdict:
    """Classify an already cropped user agent. Cached: agents repeat a lot."""
    if not user_agent:
        return AgentVerdict("crawler", None, "empty_user_agent", 0.9, "bot", "other", "other")
    device, os, browser = _describe(user_agent)

    def bot(kind: str, channel: str | None, signal: str, confidence: float) -> AgentVerdict:
        return AgentVerdict(kind, channel, signal, confidence, "bot", os, browser)

    if row := PREVIEW_FETCHERS.match(user_agent):
        return bot("preview_bot", row.channel, "preview_fetcher", 0.95)
    if EMAIL_SCANNERS.match(user_agent):
        return bot("scanner", None, "email_scanner", 0.9)
    if row := AUTOMATION.match(user_agent):
        return bot("crawler", None, row.name, 0.95)
    if user_agent.startswith("Mozilla/") and (row := IN_APP_BROWSERS.match(user_agent)):
        return AgentVerdict("human", row.channel, "in_app_browser", 0.9, device, os, browser)
    if not is_plain_browser(user_agent) and is_known_bot(user_agent):
        return bot("crawler", None, "bot_library", 0.85)
    return AgentVerdict("human", None, None, 0.0, device, os, browser)
