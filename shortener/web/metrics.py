"""GET /metrics in the Prometheus text format, and the metrics the redirect keeps.

Under gunicorn every worker writes its figures to PROMETHEUS_MULTIPROC_DIR
(gunicorn.conf.py sets it up) and /metrics sums them over all workers;
without it (tests, the CLI) figures live in this process only.
"""

from __future__ import annotations

import os

from flask import Blueprint, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

from shortener.clicks.batching import WriterEvents

bp = Blueprint("metrics", __name__)

REDIRECT_SECONDS = Histogram(
    "shortener_redirect_seconds", "Time to answer GET /<code>, by status.", ["status"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
CLICKS = Counter("shortener_clicks_total", "Clicks answered, by kind.", ["kind"])
THROTTLED = Counter("shortener_throttled_total", "Redirects refused by the rate limit.")
RECORDING_FAILURES = Counter(
    "shortener_recording_failures_total",
    "Failures on a click's way to Redis: batches Redis did not take (retried), spool "
    "operations that failed (the click kept in memory), errors in the recording step.")
SPOOL_DEPTH = Gauge("shortener_spool_depth", "Clicks taken and not yet in Redis.",
                    multiprocess_mode="livesum")
SPOOL_ERRORS = Counter(
    "shortener_spool_errors_total",
    "Spool files that could not be created, written, read or removed, by operation.",
    ["operation"])
SPOOL_QUARANTINED = Counter(
    "shortener_spool_quarantined_total",
    "Spool records set aside as unreadable (see DATA_DIR/spool/quarantine).")
LINK_CACHE_WARMED = Gauge(
    "shortener_link_cache_warmed_links",
    "Links the workers' link caches read when they last warmed up (summed over workers).",
    multiprocess_mode="livesum")
CLICKS_DROPPED = Counter(
    "shortener_clicks_dropped_total",
    "Clicks lost: the spool could not take them and too many were waiting for Redis.")


class SpoolMetrics(WriterEvents):
    """The click writer's reports, as metrics."""

    def flushed(self, depth: int, *, failed: bool) -> None:
        SPOOL_DEPTH.set(depth)
        if failed:
            RECORDING_FAILURES.inc()

    def spool_failed(self, operation: str) -> None:
        SPOOL_ERRORS.labels(operation).inc()
        RECORDING_FAILURES.inc()

    def quarantined(self, count: int) -> None:
        SPOOL_QUARANTINED.inc(count)

    def dropped(self, count: int) -> None:
        CLICKS_DROPPED.inc(count)


@bp.get("/metrics")
def metrics() -> Response:
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    response = Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response
