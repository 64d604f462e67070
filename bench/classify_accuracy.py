"""Print the classifier's accuracy per label (kind and channel) over the corpus."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qsl

from shortener.classify import classify

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "classification_corpus.csv"


def main() -> None:
    seen: Counter[str] = Counter()
    right: Counter[str] = Counter()
    with CORPUS.open(newline="", encoding="utf-8") as corpus:
        rows = list(csv.DictReader(corpus))
    for row in rows:
        result = classify(
            row["user_agent"] or None,
            row["referrer"] or None,
            dict(parse_qsl(row["query"])),
            row["channel_tag"] or None,
            row["recent_preview"] or None,
        )
        for label, expected, got in (
            (f"kind={row['kind']}", row["kind"], result.kind),
            (f"channel={row['channel'] or '-'}", row["channel"] or None, result.channel),
        ):
            seen[label] += 1
            right[label] += expected == got
    for label in sorted(seen):
        print(f"{label:24} {right[label]:4}/{seen[label]:<4} {right[label] / seen[label]:7.1%}")
    kind_total = sum(seen[label] for label in seen if label.startswith("kind="))
    kind_right = sum(right[label] for label in seen if label.startswith("kind="))
    print(f"{'all rows (kind)':24} {kind_right:4}/{kind_total:<4} {kind_right / kind_total:7.1%}")


if __name__ == "__main__":
    main()
