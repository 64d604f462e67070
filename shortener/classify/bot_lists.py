"""The generated bot lists (data/bot_patterns.json), compiled to answer fast
"which list names this agent?".

About 2,700 patterns from three maintained lists. Searching each, or one
alternation of all, costs milliseconds per agent; instead every pattern is
filed under a literal word it cannot match without ("googlebot" for
``Googlebot\\/``), and an agent is only searched with the patterns whose
word it contains. Patterns with no such word (a handful of anchored shapes)
are searched always, as one alternation per list.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

DATA_FILE = Path(__file__).resolve().parent / "data" / "bot_patterns.json"
MIN_ANCHOR_LENGTH = 3
_WORD_RUN = frozenset({"[a-z0-9_-]*", "[a-z0-9\\-_]*", "[a-z0-9-_]*"})
_LEADING_STARRED_CLASS = re.compile(r"^\[(?:[^\]\\]|\\.)*\]\*")


class Source(NamedTuple):
    """One upstream list as recorded by data/generate.py."""

    name: str
    package: str
    version: str
    url: str


class _Entry(NamedTuple):
    words: tuple[str, ...]
    source: str
    flags: int
    list_name: str
    prefix: str
    bare: str  # the source less a leading "[...]*", which may match nothing


def _entry(words: tuple[str, ...], source: str, flags: int, list_name: str,
           prefix: str) -> _Entry:
    bare = _LEADING_STARRED_CLASS.sub("", source, count=1)
    return _Entry(words, source, flags, list_name, prefix, bare)


def _trigrams(word: str) -> set[str]:
    return {word[i:i + 3] for i in range(len(word) - 2)}


def _structure(pattern: str, start: int = 0) -> Iterator[tuple[int, str, int]]:
    """Each character outside escapes and character classes, with the group depth after it."""
    depth, i, in_class = 0, start, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if pattern[i + 1:i + 2] == "]":
                i += 1
        else:
            if char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
            yield i, char, depth
        i += 1


def split_alternatives(pattern: str) -> list[str]:
    """The pattern's top-level alternatives ("a|b(c|d)" -> ["a", "b(c|d)"])."""
    parts, start = [], 0
    for i, char, depth in _structure(pattern):
        if char == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
    parts.append(pattern[start:])
    return parts


def _group_end(pattern: str, start: int) -> int:
    """Index of the ")" closing the group opened at ``start``, or -1."""
    for i, char, depth in _structure(pattern, start):
        if char == ")" and depth == 0:
            return i
    return -1


def required_words(pattern: str) -> tuple[str, ...]:
    """Lower-case words of which every match contains at least one; () when unknown.

    A word is a run of ASCII letters and digits that no quantifier makes
    optional, read outside character classes; a group that must match adds
    its own words, an alternation the words of each of its branches.
    """
    branches = split_alternatives(pattern)
    if len(branches) > 1:
        words: list[str] = []
        for branch in branches:
            found = required_words(branch)
            if not found:
                return ()
            words += found
        return tuple(dict.fromkeys(words))
    options: list[tuple[str, ...]] = []
    current: list[str] = []

    def close() -> None:
        if len(current) >= MIN_ANCHOR_LENGTH:
            options.append(("".join(current).lower(),))
        current.clear()

    i, in_class = 0, False
    while i < len(pattern):
        char = pattern[i]
        following = pattern[i + 1:i + 2]
        if in_class:
            if char == "\\":
                i += 1
            elif char == "]":
                in_class = False
            i += 1
            continue
        if char == "\\":
            close()
            i += 2
            continue
        if char == "[":
            close()
            in_class = True
            if following == "]":
                i += 1
        elif char == "(":
            close()
            end = _group_end(pattern, i)
            if end < 0:
                return ()
            inner = pattern[i + 1:end]
            optional = pattern[end + 1:end + 2] in ("?", "*", "{")
            if inner.startswith("?"):
                lookaround = inner[1:2] in ("=", "!") or inner[1:3] in ("<=", "<!")
                if inner.startswith("?:"):
                    inner = inner[2:]
                elif inner.startswith("?P<"):
                    inner = inner[inner.find(">") + 1:]
                elif lookaround or not inner[1:2].isalpha():
                    optional = True
                else:
                    inner = inner[1:].lstrip("aiLmsux")
                    inner = inner[1:] if inner.startswith(":") else inner
            if not optional and (found := required_words(inner)):
                options.append(found)
            i = end + 1
            continue
        elif char.isascii() and char.isalnum():
            if following in ("?", "*", "{"):
                close()  # this character may be absent or repeated
            else:
                current.append(char)
        else:
            close()
        i += 1
    close()
    if not options:
        return ()
    return max(options, key=lambda words: (min(len(word) for word in words), -len(words)))


class BotLists:
    """The generated lists, searchable by agent."""

    def __init__(self, tables: dict) -> None:
        self.sources = tuple(
            Source(name, info["package"], info["version"], info["url"])
            for name, info in tables["sources"].items()
        )
        prefix = tables["sources"]["matomo"].get("prefix", "")
        lists: list[tuple[str, list[str], int, str]] = [
            ("isbot", tables["isbot"], re.IGNORECASE, ""),
            ("crawler_user_agents", tables["crawler_user_agents"], 0, ""),
            ("matomo_bots", [row["pattern"] for row in tables["matomo_bots"]],
             re.IGNORECASE, prefix),
            ("matomo_libraries", tables["matomo_libraries"], re.IGNORECASE, prefix),
        ]
        self.order = tuple(name for name, *_ in lists)
        self._always_wrapped: list[_Entry] = []
        anchored: list[tuple[tuple[str, ...], str, int, str, str]] = []
        unanchored: dict[str, list[str]] = {}
        for name, patterns, flags, wrap in lists:
            for pattern in patterns:
                # Branches are filed apart: one long "a|b|c..." row would otherwise
                # be searched whole whenever any of its words appears.
                branches = split_alternatives(pattern)
                found = [required_words(branch) for branch in branches]
                if len(branches) == 1 or not all(found):
                    branches, found = [pattern], [required_words(pattern)]
                for branch, words in zip(branches, found, strict=True):
                    if words:
                        anchored.append((words, branch, flags, name, wrap))
                    elif wrap:
                        self._always_wrapped.append(_entry((), branch, flags, name, wrap))
                    else:
                        unanchored.setdefault(name, []).append(branch)
        # File each word under its rarest three letters, so that the words
        # sharing a common trigram ("web", "bot") do not all land in one bucket.
        counts: dict[str, int] = {}
        for words, *_ in anchored:
            for word in words:
                for gram in _trigrams(word):
                    counts[gram] = counts.get(gram, 0) + 1
        self._by_trigram: dict[str, list[_Entry]] = {}
        for words, source, flags, name, wrap in anchored:
            entry = _entry(words, source, flags, name, wrap)
            for word in words:
                gram = min(_trigrams(word), key=lambda g: (counts[g], g))
                self._by_trigram.setdefault(gram, []).append(entry)
        self._trigrams = frozenset(self._by_trigram)
        self._compiled: dict[tuple[str, int], re.Pattern[str]] = {}
        self._always = tuple(
            (name, re.compile("|".join(f"(?:{p})" for p in unanchored[name]), flags))
            for name, _, flags, _ in lists if name in unanchored
        )

    def _compile(self, source: str, flags: int) -> re.Pattern[str]:
        """Compiled on first use: compiling all of them would slow every start by a second."""
        key = (source, flags)
        found = self._compiled.get(key)
        if found is None:
            found = self._compiled[key] = re.compile(source, flags)
        return found

    def _matches(self, entry: _Entry, user_agent: str) -> bool:
        # The bare pattern first: `re` skips ahead to its literal start, where the
        # prefix (an alternation tried at every position) makes each search slow.
        if not self._compile(entry.bare, entry.flags).search(user_agent):
            return False
        if not entry.prefix or entry.source[:len(entry.source) - len(entry.bare)] in _WORD_RUN:
            # A leading run of word characters can always reach back to a
            # place where the prefix holds, so the prefix adds no condition.
            return True
        wrapped = f"{entry.prefix}(?:{entry.source})"
        return self._compile(wrapped, entry.flags).search(user_agent) is not None

    def find(self, user_agent: str) -> str | None:
        """The name of a list with a pattern matching the agent, or None.

        The first match found wins; which list names a bot only labels the
        decision, so the search stops there.
        """
        for name, pattern in self._always:
            if pattern.search(user_agent):
                return name
        lower = user_agent.lower()
        # Sorted, so that the list named for an agent does not vary with the
        # interpreter's hash seed (the measured confidences are per list).
        for gram in sorted({lower[i:i + 3] for i in range(len(lower) - 2)} & self._trigrams):
            for entry in self._by_trigram[gram]:
                for word in entry.words:
                    if word in lower:
                        if self._matches(entry, user_agent):
                            return entry.list_name
                        break
        for entry in self._always_wrapped:
            if self._matches(entry, user_agent):
                return entry.list_name
        return None


def load_bot_lists(path: Path = DATA_FILE) -> BotLists:
    return BotLists(json.loads(path.read_text(encoding="utf-8")))
