"""How sure each deciding signal is, as measured on the labelled corpora.

`data/confidence.json` is written by `bench/classify_confidence.py`: for each
signal, the share of corpus rows decided by it whose kind and channel were
right, with one imagined hit and one imagined miss added so that a signal seen
a few times is not called certain, and the n it was measured on. A signal the
corpora never exercise gets UNMEASURED_CONFIDENCE.
"""

from __future__ import annotations

import json
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "confidence.json"
UNMEASURED_CONFIDENCE = 0.5


def _load(path: Path) -> dict[str, float]:
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {signal: float(row["confidence"]) for signal, row in table["signals"].items()}


MEASURED = _load(DATA_FILE)


def confidence_of(signal: str) -> float:
    """The measured confidence of a signal; a "family:detail" signal falls back to its family."""
    found = MEASURED.get(signal)
    if found is None and ":" in signal:
        found = MEASURED.get(signal.split(":", 1)[0])
    return UNMEASURED_CONFIDENCE if found is None else found
