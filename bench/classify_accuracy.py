"""Print the classifier's accuracy on each labelled corpus, separately.

The regression corpus (tests/data/classification_corpus.csv) was written
alongside the rules; the evaluation corpus (tests/data/classification_evaluation.csv)
comes from other projects' test fixtures that the rules were not written
from, so its figures are the honest ones. For each: kind, channel and dark
agreement, bots counted as human, ordinary browsers counted as bots, and the
misses by label. `--misses` lists the rows that disagree.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qsl

from shortener.classify import classify

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
CORPORA = {
    "regression": DATA / "classification_corpus.csv",
    "evaluation": DATA / "classification_evaluation.csv",
}


def load(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as corpus:
        return list(csv.DictReader(corpus))


def measure(rows: list[dict[str, str]], *, show_misses: bool) -> None:
    seen: Counter[str] = Counter()
    right: Counter[str] = Counter()
    bots = bots_as_human = browsers = browsers_as_bots = 0
    for row in rows:
        result = classify(
            row["user_agent"] or None,
            row["referrer"] or None,
            dict(parse_qsl(row["query"])),
            row["channel_tag"] or None,
            row["recent_preview"] or None,
        )
        expected_dark = None if row["dark"] == "" else row["dark"] == "true"
        checks = (
            ("kind", row["kind"], result.kind),
            ("channel", row["channel"] or None, result.channel),
            ("dark", expected_dark, result.dark),
        )
        for label, expected, got in checks:
            seen[label] += 1
            right[label] += expected == got
        seen[f"kind={row['kind']}"] += 1
        right[f"kind={row['kind']}"] += row["kind"] == result.kind
        if row["kind"] != "human":
            bots += 1
            bots_as_human += result.kind == "human"
        elif row["channel"] == "direct" and not row["referrer"]:
            browsers += 1
            browsers_as_bots += result.kind != "human"
        if show_misses and any(expected != got for _, expected, got in checks):
            print(f"  miss: want {row['kind']}/{row['channel'] or '-'} got "
                  f"{result.kind}/{result.channel or '-'} ({result.signal}): "
                  f"{row['user_agent'][:120]!r} {row['referrer'][:60]!r}")
    for label in ("kind", "channel", "dark", *sorted(k for k in seen if k.startswith("kind="))):
        print(f"  {label:22} {right[label]:5}/{seen[label]:<5} {right[label] / seen[label]:7.1%}")
    print(f"  {'bots counted as human':22} {bots_as_human:5}/{bots:<5} "
          f"{bots_as_human / max(bots, 1):7.1%}")
    print(f"  {'browsers counted as bots':22} {browsers_as_bots:5}/{browsers:<5} "
          f"{browsers_as_bots / max(browsers, 1):7.1%}")


def main() -> None:
    show_misses = "--misses" in sys.argv[1:]
    for name, path in CORPORA.items():
        rows = load(path)
        print(f"{name} corpus ({path.name}, n={len(rows)})")
        measure(rows, show_misses=show_misses)


if __name__ == "__main__":
    main()
