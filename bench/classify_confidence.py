"""Measure each signal's confidence on the labelled corpora and write data/confidence.json.

For each signal that decided a row (the classification's `signal`), the
share of its rows whose kind, channel and dark flag match the label, with
one imagined hit and one imagined miss added (Laplace's rule), so that a
signal seen on three rows is not called certain. Both corpora count: the
regression corpus covers the signals that the evaluation corpus (agents
only) never reaches, such as tags, utm values and referrers. Run it after
changing rules or corpora; the classifier reads the file at import.

Not measured: signals whose corpus label is the signal's own definition (a
tagged link is labelled with its tag, a click with no referrer "direct").
Agreement there says nothing, so they keep the stated values in
shortener/classify/__init__.py's CONFIDENCE.
"""

from __future__ import annotations

import json
from collections import Counter
from urllib.parse import parse_qsl

from bench.classify_accuracy import CORPORA, load
from shortener.classify import classify
from shortener.classify.confidence import DATA_FILE

DEFINITIONAL = frozenset({"channel_tag", "utm", "recent_preview", "no_referrer"})


def main() -> None:
    seen: Counter[str] = Counter()
    right: Counter[str] = Counter()
    sizes = {}
    for name, path in CORPORA.items():
        rows = load(path)
        sizes[name] = len(rows)
        for row in rows:
            result = classify(row["user_agent"] or None, row["referrer"] or None,
                              dict(parse_qsl(row["query"])), row["channel_tag"] or None,
                              row["recent_preview"] or None)
            expected_dark = None if row["dark"] == "" else row["dark"] == "true"
            seen[result.signal] += 1
            right[result.signal] += (result.kind, result.channel, result.dark) == (
                row["kind"], row["channel"] or None, expected_dark)
    signals = {
        signal: {"confidence": round((right[signal] + 1) / (seen[signal] + 2), 3),
                 "n": seen[signal], "right": right[signal]}
        for signal in sorted(seen) if signal not in DEFINITIONAL
    }
    DATA_FILE.write_text(json.dumps({"measured_on": sizes, "signals": signals}, indent=1) + "\n",
                         encoding="utf-8")
    for signal, row in signals.items():
        print(f"{signal:34} {row['confidence']:.3f}  {row['right']:5}/{row['n']}")


if __name__ == "__main__":
    main()
