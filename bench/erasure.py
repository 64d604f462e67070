"""How long erasing one advocate takes, on a store of realistic size.

    .venv/bin/python bench/erasure.py [--advocates 5000] [--events 200000] [--days 400]

Starts the embedded Redis server (AOF on, as in production) in a temporary
DATA_DIR, creates one campaign with --advocates advocates (name, contact,
a link each), --events raw click events spread over them in the campaign's
stream, and --days days of counters for the advocate to erase. Then erases
that advocate and prints the time the erasure took (keys moved, stream
copied, records rewritten) and the time until the AOF rewrite it asked for
had finished, with the number of keys in Redis.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shortener import create_app, keys  # noqa: E402
from shortener.config import Settings  # noqa: E402
from shortener.db import is_rewriting, start_embedded_server  # noqa: E402
from shortener.links.advocates import erase_personal_data, upsert_advocate  # noqa: E402
from shortener.links.campaigns import create_campaign  # noqa: E402
from shortener.links.minting import mint_link  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--advocates", type=int, default=5000)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=400)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="sh-bench-"))
    server = start_embedded_server(data_dir)
    try:
        app = create_app(Settings(data_dir=data_dir))
        r = app.extensions["redis"]
        settings = app.extensions["settings"]
        campaign = create_campaign(r, name="Bench", destination="https://shop.example/")
        ids = [f"cust-{number}@mail.example" for number in range(args.advocates)]
        started = time.perf_counter()
        for external_id in ids:
            upsert_advocate(r, external_id, name=f"Name {external_id}", contact=external_id)
            mint_link(r, settings, campaign_id=campaign.id, advocate=external_id)
        print(f"seeded {args.advocates} advocates with a link each in "
              f"{time.perf_counter() - started:.1f} s")
        target = ids[len(ids) // 2]
        pipe = r.pipeline(transaction=False)
        for number in range(args.events):
            who = target if number % 1000 == 0 else random.choice(ids)
            pipe.xadd(keys.campaign_clicks(campaign.id), {
                "ts": f"{time.time():.3f}", "click_id": f"x.{number}", "code": "x",
                "campaign": campaign.id, "advocate": who, "kind": "human",
                "channel": "whatsapp", "dark": "1", "signal": "tag", "confidence": "1.00",
                "device": "mobile", "os": "iOS", "browser": "Safari", "referrer_host": ""})
            if number % 5000 == 4999:
                pipe.execute()
        for day in range(args.days):
            stamp = time.strftime("%Y%m%d", time.gmtime(time.time() - day * 86400))
            pipe.hset(keys.advocate_day(target, stamp), mapping={"human": 3, "dark": 2})
            pipe.pfadd(keys.advocate_visitors(target, stamp), f"v{day}", f"w{day}")
        pipe.execute()
        while is_rewriting(r):
            time.sleep(0.05)
        print(f"keys in Redis: {r.dbsize()}, events in the stream: {args.events}")

        started = time.perf_counter()
        erase_personal_data(r, target)
        erased = time.perf_counter() - started
        while is_rewriting(r):
            time.sleep(0.05)
        rewritten = time.perf_counter() - started
        print(f"erasure: {erased:.2f} s; AOF rewrite finished {rewritten:.2f} s after the start")
        app.extensions["click_writer"].close()
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
