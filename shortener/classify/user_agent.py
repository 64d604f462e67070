"""Read a user agent: which kind of client sent it, and for a bot whose fetcher it is.

Order matters and is fixed here: preview fetchers, then e-mail scanners, then
self-announcing automation, then in-app browsers of known apps; after those a
request counts as a person only if it is shaped like a browser (the platform
and engine tokens real browsers send) and no bot list names it. Anything else
(runtimes, libraries, SDKs, placeholders, unknown tools) is a machine: no bot
list can name every machine, so being unnamed is not evidence of a person.
The vendor patterns live in `rules.py`; the generated lists in `data/`.
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
from shortener.classify.bot_lists import load_bot_lists
from shortener.classify.confidence import confidence_of

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
NAMED_BROWSERS = _Table(rules.NAMED_BROWSERS)

_crawler_detect = CrawlerDetect()
BOT_LISTS = load_bot_lists()

# A user agent made only of a mainstream browser's standard tokens: WebKit/Blink
# browsers and Firefox, as they ship. No bot list names these (tests/unit/
# test_classify.py checks it against both corpora) and asking the lists is the
# slow part of a first look at an agent, so they are not asked.
PLAIN_BROWSER = re.compile(
    r"Mozilla/5\.0 \([^()]*\) AppleWebKit/[\d.]+ \(KHTML, like Gecko\)"
    r"(?: (?:Version|Chrome|CriOS|FxiOS|EdgiOS|EdgA|Edg|Mobile|Safari|OPR|SamsungBrowser"
    r"|YaBrowser|Vivaldi)/[\w.]+| Mobile)*"
    r"|Mozilla/5\.0 \([^()]*rv:[\d.]+\) Gecko/[\d.]+ Firefox/[\d.]+"
)
_BOT_WORDS = re.compile(r"(?i)bot|crawl|spider|http|compatible|headless|preview|scan|@")
# Words that make a named browser's agent a tool's (a crawler built on Lynx, a link
# to a bot's page); older browsers do say "compatible", so it is not one of them.
_NAMED_BOT_WORDS = re.compile(r"(?i)bot|crawl|spider|https?:|headless|preview|scan|@")

# What a browser's agent looks like (the forms in RFC 9110 section 10.1.5 and
# the browsers' own documentation: https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/User-Agent):
# "Mozilla/5.0 (<platform>) <engine>/<version> ... <browser>/<version>".
# Some browsers send it all in lower case ("mozilla/5.0 (windows nt 10.0; ...)
# applewebkit/..."), and a few put a distribution's name before the platform
# ("Mozilla/5.0 Slackware/13.37 (X11; ...)"), so case is ignored and one such
# token is allowed. Older browsers say Mozilla/1.x to 4.x, Netscape with its
# language ("Mozilla/4.51 [de] (WinNT; I)"); an engine token is still required.
# Some builds never close the platform parentheses (Tizen's browser:
# "Mozilla/5.0 (Linux; U; Tizen/1.0 like Android; ... Tizen Browser/1.0 Mobile"),
# so the platform may run to the end. Apps that put their name before their web
# view's agent ("Job Search/24.4.0 Mozilla/5.0 (Linux; Android 14; ...; wv) ...")
# are read from "Mozilla/" on.
_MOZILLA = re.compile(
    r"(?i)(?:[\w .-]+/[\w.]+ )?Mozilla/[1-5]\.\d+ ?(?:\[[\w-]+\] )?(?:[\w.-]+(?:/[\w.]+)? )?"
    r"\(((?:[^()]|\([^()]*\))*)(?:\)|$)(.*)",
    re.DOTALL,
)
# Netscape Navigator 2 to 4 sends no engine token, only its language and its
# encryption strength, U, I or N ("Mozilla/4.78 [ja] (Win98; U)"):
# https://web.archive.org/web/2000/http://developer.netscape.com/docs/manuals/htmlguid/tags10.htm
_NETSCAPE = re.compile(
    r"Mozilla/[2-4]\.\d+\w* (?:\[[\w-]+\] \([^()]*\)|\([^()]*; [UIN](?:;[^()]*)?\))$")
# Browsers that put their own name first, then the platform and a real engine
# ("QwantMobile/2.0 (Android 8.0.0; Mobile; rv:59.0) Gecko/59.0 Firefox/59.0",
# "OneBrowser/4.2.0/Adr(Linux; U; Android 4.2.1; ...) AppleWebKit/533.1 (KHTML, like Gecko)").
_PRODUCT_FIRST = re.compile(r"[A-Za-z][\w.-]*/[\w.]+(?:/\w+)? ?\(([^()]*)\) (.*)", re.DOTALL)
_STRONG_ENGINE = re.compile(
    r"AppleWebKit/[\d.]+\+? \(KHTML, like Gecko\)|\bGecko/[\d.]+ Firefox/\d")
_OPERA = re.compile(r"Opera/\d+\.\d+ \(([^()]*(?:\([^()]*\)[^()]*)*)\)(.*)", re.DOTALL)
# Platform words browsers put in the parentheses (the operating systems and
# devices of uap-core's regexes.yaml and Matomo's oss.yml).
_PLATFORM = re.compile(
    r"(?i)\b(?:Windows|Win(?:9[58]|NT|32|64)|Macintosh|Mac OS X|macOS|Mac_PowerPC|iPhone|iPad|iPod"
    r"|Linux|Android|X11|CrOS|Ubuntu|Fedora|FreeBSD|OpenBSD|NetBSD|SunOS|BlackBerry|BB10"
    r"|PlayBook|KAIOS|Tizen|Fuchsia|HarmonyOS|OpenHarmony|Mobile|Tablet|Symbian|SymbOS"
    r"|Series ?[46]0|J2ME|MIDP|Maemo|MeeGo|webOS|Web0S|SMART-?TV|Smart ?TV|HbbTV|CrKey|Kindle"
    r"|Silk|Haiku|BeOS|OS/2|AmigaOS|QNX|Sailfish|Nokia|Bada|Brew)"
)
# Consoles and television sets, whose browsers may send no engine token.
_APPLIANCE = re.compile(
    r"(?i)\b(?:PlayStation|PLAYSTATION|PSP|Nintendo|Xbox|DTV|NetFront|InettvBrowser)"
)
_ENGINE = re.compile(
    r"(?i)AppleWebKit\b|\bGecko/\d|like Gecko|\bPresto/|\bTrident/|\bMSIE \d|\bGoanna/|\bKHTML/"
    r"|\bNetFront/|\bFirefox/\d|\bChrome/\d|\bVersion/\d|\bLibWeb\b|\bLadybird/"
    # Opera 5 to 8 disguised as Mozilla ends its agent "Opera 8.52".
    r"|\bOpera \d"
)
# Feature phones' browsers: vendor-first agents with the J2ME profile or a WAP
# browser (the handset vendors of uap-core's regexes.yaml device_parsers).
_FEATURE_PHONE = re.compile(
    r"^(?:DoCoMo/|KDDI-|SoftBank/|Vodafone/|J-PHONE/|MOT-|SAMSUNG-|SonyEricsson|Nokia|LG-"
    r"|BlackBerry\d|Mozilla/[1-4]\.0 ?\((?:WILLCOM|DDIPOCKET))"
    r"|\bProfile/MIDP-\d|\bUP\.Browser/|\bObigoInternetBrowser/|\bOpera Mini/"
    # UC Browser's Java and Symbian builds ("UCWEB/2.0 (MIDP-2.0; ...", "UC Browser8.4"),
    # and television sets' browsers, whose agent the HbbTV standard (ETSI TS 102 796,
    # section 7.3.2.4) opens with "HbbTV/<version> (<capabilities>; <vendor>; <model>; ...)".
    r"|\bUCWEB|\bUC ?Browser ?\d|^HbbTV/\d"
)


# An Android agent names the handset and its build ("Android 14; XBot Junior
# Build/UP1A.231005.007"); vendors' model names ("Discovery", "CUBOT", "Google TV")
# and build ids trip bot lists, so the lists read a browser's agent without them.
_ANDROID_MODEL = re.compile(
    r"(Android[ \d._]*;(?: [a-z]{2}(?:[-_][A-Za-z]{2})?;)?)[^;)]*(?: Build/[^;)]*)?"
)


# Other platforms name the handset or the system with a version inside the
# platform parentheses ("(SAMSUNG; SAMSUNG-GT-S8500/S8500XXJF4; U; Bada/1.0; fr-fr)",
# "(webOS/1.0; U; en-US)"); list patterns written for bots' "Name/1.0;" match
# those, so the lists read the platform's tokens without their versions.
_PLATFORM_PART = re.compile(r"^([^(]*\()([^()]*)")
_TOKEN_VERSION = re.compile(r"(?<=\w)(?:/\d[\w.]*)+(?=;|$)")


def without_handset(user_agent: str) -> str:
    user_agent = _ANDROID_MODEL.sub(r"\1 model", user_agent, count=1)
    return _PLATFORM_PART.sub(
        lambda found: found.group(1) + ";".join(
            _TOKEN_VERSION.sub("", token) for token in found.group(2).split(";")),
        user_agent, count=1)


def is_plain_browser(user_agent: str) -> bool:
    return PLAIN_BROWSER.fullmatch(user_agent) is not None and not _BOT_WORDS.search(user_agent)


def is_browser_shaped(user_agent: str) -> bool:
    """True when the agent has a real browser's form: platform, engine, browser tokens."""
    if found := _MOZILLA.match(user_agent):
        platform, rest = found.group(1), found.group(2)
        if _APPLIANCE.search(platform) or (
            _PLATFORM.search(platform) and _ENGINE.search(platform + rest)
        ):
            return True
    if _NETSCAPE.match(user_agent) and "compatible" not in user_agent:
        return bool(_PLATFORM.search(user_agent))
    if (found := _PRODUCT_FIRST.match(user_agent)) and _PLATFORM.search(found.group(1)) \
            and _STRONG_ENGINE.search(found.group(2)):
        return True
    if found := _OPERA.match(user_agent):
        platform = found.group(1)
        return bool(_PLATFORM.search(platform) or _APPLIANCE.search(platform)
                    or "Opera Mini/" in platform)
    return _FEATURE_PHONE.search(user_agent) is not None


# Control characters never belong in a user agent; they only make logs lie.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def crop_user_agent(user_agent: str | None) -> str:
    """Return the user agent cropped to MAX_USER_AGENT_LENGTH, control characters as spaces."""
    if not user_agent:
        return ""
    return _CONTROL.sub(" ", user_agent[:MAX_USER_AGENT_LENGTH]).strip()


def is_known_bot(user_agent: str) -> bool:
    """Ask the Crawler-Detect port; a failure inside it counts as "not a bot"."""
    try:
        return bool(_crawler_detect.is_crawler(user_agent))
    except Exception:  # the library is third-party code; a click must never fail on it
        return False


def find_bot_list(user_agent: str) -> str | None:
    """The name of a bot list that names the agent (generated lists, then Crawler-Detect)."""
    try:
        if name := BOT_LISTS.find(user_agent):
            return name
    except Exception:  # a pattern gone wrong must not cost the click; Crawler-Detect remains
        pass
    return "crawlerdetect" if is_known_bot(user_agent) else None


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

    def bot(kind: str, channel: str | None, signal: str) -> AgentVerdict:
        return AgentVerdict(kind, channel, signal, confidence_of(signal), "bot", os, browser)

    if row := PREVIEW_FETCHERS.match(user_agent):
        return bot("preview_bot", row.channel, "preview_fetcher")
    if EMAIL_SCANNERS.match(user_agent):
        return bot("scanner", None, "email_scanner")
    if row := AUTOMATION.match(user_agent):
        return bot("crawler", None, row.name)
    if NAMED_BROWSERS.match(user_agent) and not _NAMED_BOT_WORDS.search(user_agent):
        return AgentVerdict("human", None, "browser_shape", confidence_of("browser_shape"),
                            device, os, browser)
    shaped = is_browser_shaped(user_agent)
    starts_like_browser = shaped or user_agent[:8].lower() == "mozilla/"
    if starts_like_browser and (row := IN_APP_BROWSERS.match(user_agent)):
        return AgentVerdict("human", row.channel, "in_app_browser", confidence_of("in_app_browser"),
                            device, os, browser)
    if shaped and is_plain_browser(user_agent):
        return AgentVerdict("human", None, "browser_shape", confidence_of("browser_shape"),
                            device, os, browser)
    if listed := find_bot_list(without_handset(user_agent) if shaped else user_agent):
        return bot("crawler", None, f"bot_list:{listed}")
    if shaped:
        return AgentVerdict("human", None, "browser_shape", confidence_of("browser_shape"),
                            device, os, browser)
    return bot("crawler", None, "not_a_browser")
