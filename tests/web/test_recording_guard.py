"""A failure in the recording step costs the visitor nothing: 302, a log line, a count.

The fault is injected into the one seam the redirect hands clicks to (the
app's click writer): a writer whose add() fails as an unforeseen bug would.
"""

from __future__ import annotations

import logging

from prometheus_client import REGISTRY

from shortener.clicks.batching import ClickWriter
from shortener.logs import Every
from shortener.web import redirect
from tests.web.test_redirect import click


class FailingWriter(ClickWriter):
    def add(self, record):
        raise RuntimeError("the recording step failed")


def failures() -> float:
    return REGISTRY.get_sample_value("shortener_recording_failures_total") or 0.0


def test_a_recording_error_is_logged_counted_and_the_302_goes_out(app, client, make_link,
                                                                  caplog, monkeypatch):
    link = make_link()
    # A fresh interval, whatever an earlier test logged.
    monkeypatch.setattr(redirect, "_recording_log", Every(redirect.RECORDING_LOG_SECONDS))
    real = app.extensions["click_writer"]
    app.extensions["click_writer"] = FailingWriter(
        real.client, spool_root=real.spool_root, flush_seconds=0, plan=real.plan)
    before = failures()
    with caplog.at_level(logging.ERROR, logger="shortener.web.redirect"):
        responses = [click(client, link.code) for _ in range(5)]
    assert [response.status_code for response in responses] == [302] * 5
    assert all(response.headers["Location"].startswith("https://shop.example/")
               for response in responses)
    assert failures() - before == 5
    # Logged with its traceback, once for the five: the rest wait for the next interval.
    logged = [record for record in caplog.records
              if record.getMessage() == "click not recorded; the redirect was answered"]
    assert len(logged) == 1
    assert logged[0].exc_info is not None
    assert logged[0].code == link.code
