"""Print the classifier's time per call on the corpus mix, cold and warm, and the bot library's."""

from __future__ import annotations

import csv
import statistics
import time
from pathlib import Path
from urllib.parse import parse_qsl

from shortener.classify import classify
from shortener.classify.referrer import read_referrer
from shortener.classify.user_agent import is_known_bot, read_user_agent

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "classification_corpus.csv"
WARM_ROUNDS = 20


def load_calls() -> list[dict[str, object]]:
    with CORPUS.open(newline="", encoding="utf-8") as corpus:
        return [
            {
                "user_agent": row["user_agent"] or None,
                "referrer": row["referrer"] or None,
                "query": dict(parse_qsl(row["query"])),
                "channel_tag": row["channel_tag"] or None,
                "recent_preview": row["recent_preview"] or None,
            }
            for row in csv.DictReader(corpus)
        ]


def percentiles(samples: list[float]) -> str:
    cuts = statistics.quantiles(samples, n=100)
    return f"p50 {cuts[49] * 1e6:8.1f} µs   p99 {cuts[98] * 1e6:8.1f} µs   n={len(samples)}"


def time_calls(calls: list[dict[str, object]]) -> list[float]:
    samples = []
    for call in calls:
        start = time.perf_counter()
        classify(**call)  # type: ignore[arg-type]
        samples.append(time.perf_counter() - start)
    return samples


def main() -> None:
    calls = load_calls()
    read_user_agent.cache_clear()
    read_referrer.cache_clear()
    print(f"classify, cache cleared: {percentiles(time_calls(calls))}")
    warm: list[float] = []
    for _ in range(WARM_ROUNDS):
        warm += time_calls(calls)
    print(f"classify, cache warm:    {percentiles(warm)}")
    agents = [str(call["user_agent"]) for call in calls if call["user_agent"]]
    library: list[float] = []
    for agent in agents:
        unique = agent + f" bench/{len(library)}"  # defeat the library's own cache
        start = time.perf_counter()
        is_known_bot(unique)
        library.append(time.perf_counter() - start)
    print(f"crawlerdetect alone:     {percentiles(library)}")


if __name__ == "__main__":
    main()
