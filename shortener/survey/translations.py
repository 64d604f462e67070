"""The widget's words in each language, read from languages/<language>.json.

A language is one JSON file with the same keys as English (a test checks);
adding a language is adding a file. The widget script and the frame page
both take their words from here, chosen by the shop's ``lang`` attribute.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from shortener.survey.choices import MAX_TEXT_LENGTH

FOLDER = Path(__file__).resolve().parent / "languages"
DEFAULT_LANGUAGE = "en"


@functools.cache
def all_texts() -> dict[str, dict[str, Any]]:
    """Every language's words, keyed by language code, with the text cap filled in."""
    texts: dict[str, dict[str, Any]] = {}
    for path in sorted(FOLDER.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        data["referrer_help"] = data["referrer_help"].format(max=MAX_TEXT_LENGTH)
        texts[path.stem] = data
    return texts


def languages() -> tuple[str, ...]:
    return tuple(all_texts())


def choose_language(wanted: object) -> str:
    """The language asked for ("de", "de-AT", "DE"), else English."""
    if isinstance(wanted, str):
        primary = wanted.strip().lower().replace("_", "-").split("-")[0]
        if primary in all_texts():
            return primary
    return DEFAULT_LANGUAGE


def texts_for(language: str) -> dict[str, Any]:
    return all_texts()[choose_language(language)]
