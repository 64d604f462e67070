"""What fraud review evidence costs Redis per human click.

    .venv/bin/python bench/fraud_evidence.py [--clicks 100000] [--links 1000]

Starts the embedded Redis server in a temporary DATA_DIR and writes the
evidence of --clicks human clicks (one visitor hash each, a few repeat
visitors) spread over --links links, through the click writer's own batch
and APPLY_BATCH script, one day's worth. Prints Redis's used memory before
and after, per click. The evidence lives two days, so a day's clicks are
held at most twice over.
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shortener.clicks.batching import Batch, apply_batch  # noqa: E402
from shortener.config import Settings  # noqa: E402
from shortener.db import connect, start_embedded_server  # noqa: E402
from shortener.fraud.store import plan_click_evidence  # noqa: E402

BATCH_CLICKS = 2000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clicks", type=int, default=100_000)
    parser.add_argument("--links", type=int, default=1000)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="sh-bench-"))
    server = start_embedded_server(data_dir)
    try:
        r = connect(Settings(data_dir=data_dir))
        before = r.info("memory")["used_memory"]
        now = time.time()
        day = time.strftime("%Y%m%d", time.gmtime(now))
        codes = [f"code{number}" for number in range(args.links)]
        for sequence, start in enumerate(range(0, args.clicks, BATCH_CLICKS), start=1):
            batch = Batch("bench", sequence)
            for number in range(start, min(start + BATCH_CLICKS, args.clicks)):
                code = codes[number % len(codes)]
                click_id = f"{code}.{secrets.token_urlsafe(18)}"
                # One visitor in ten clicks twice: repeat visitors share their hour counter.
                visitor = secrets.token_hex(12) if number % 10 else f"{number // 10:024x}"
                plan_click_evidence(batch, code=code, day=day, click_id=click_id,
                                    visitor=visitor, ts=now, channel="whatsapp")
            apply_batch(r, batch)
        after = r.info("memory")["used_memory"]
        print(f"{args.clicks} human clicks over {args.links} links: "
              f"{(after - before) / 1e6:.1f} MB, {(after - before) / args.clicks:.0f} bytes "
              "per click")
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
