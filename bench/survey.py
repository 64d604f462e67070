"""How long the survey's figures take to read for a campaign with many answers.

    .venv/bin/python bench/survey.py [--answers 50000] [--rounds 3]

Starts the embedded Redis server in a temporary DATA_DIR, records --answers
answers (half of them "a friend", a third of their orders reported as
conversions) and prints the time one answer takes to record and the time
get_survey_figures() takes (the dashboard's panel: the counts, and the
running count of friend answers a click or code brought, for the estimate
of what measurement cannot see), over all time and over the page's 30 days,
best of --rounds. The conversions are written straight to the orders hash
and noted as record_conversion() notes them (survey.tally.note_order).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shortener import create_app, keys  # noqa: E402
from shortener.analytics.queries import days_between  # noqa: E402
from shortener.analytics.survey import get_survey_figures  # noqa: E402
from shortener.config import Settings  # noqa: E402
from shortener.db import start_embedded_server  # noqa: E402
from shortener.links.campaigns import create_campaign  # noqa: E402
from shortener.survey.answers import record_answer  # noqa: E402
from shortener.survey.choices import HEARD_VIA  # noqa: E402
from shortener.survey.tally import note_order  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--answers", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="sh-bench-"))
    server = start_embedded_server(data_dir)
    try:
        app = create_app(Settings(data_dir=data_dir))
        r = app.extensions["redis"]
        campaign = create_campaign(r, name="Bench", destination="https://shop.example/")
        started = time.perf_counter()
        for number in range(args.answers):
            record_answer(r, click_id_key=b"k" * 32, campaign_id=campaign.id,
                          order_id=f"order-{number}", heard_via=HEARD_VIA[number % 7],
                          text="a friend" if number % 5 == 0 else None, source="api",
                          retention_days=90)
        recorded = time.perf_counter() - started
        pipe = r.pipeline(transaction=False)
        for number in range(0, args.answers, 3):
            pipe.hset(keys.campaign_orders(campaign.id), f"order-{number}", json.dumps({
                "order_id": f"order-{number}", "campaign_id": campaign.id, "advocate": "a",
                "value": 1, "currency": "EUR", "click_id": f"x.{number}", "code": "x",
                "ts": time.time()}))
        pipe.execute()
        for number in range(0, args.answers, 3):
            note_order(r, campaign.id, f"order-{number}")
        today = dt.datetime.now(dt.UTC).date()
        days = days_between(today - dt.timedelta(days=29), today)
        best = best_days = float("inf")
        for _ in range(args.rounds):
            started = time.perf_counter()
            figures = get_survey_figures(r, campaign.id, {"whatsapp": 10, "direct": 5})
            best = min(best, time.perf_counter() - started)
            started = time.perf_counter()
            get_survey_figures(r, campaign.id, {"whatsapp": 10, "direct": 5}, days)
            best_days = min(best_days, time.perf_counter() - started)
        print(f"recorded {args.answers} answers: {recorded / args.answers * 1e3:.2f} ms each")
        print(f"survey figures over {args.answers} answers ({figures.friend_answers} from a "
              f"friend, {figures.friend_unmeasured} unmeasured): {best * 1e3:.0f} ms "
              f"(best of {args.rounds}); over 30 days: {best_days * 1e3:.1f} ms")
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
