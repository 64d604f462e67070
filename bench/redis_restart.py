"""How long the service is without its embedded Redis after a kill -9.

    .venv/bin/python bench/redis_restart.py [--kills 3]

Serves the service with the embedded redis-server (no REDIS_URL), clicks a
link, then kills the redis-server with SIGKILL ``--kills`` times; after each
kill, polls /readyz every 50 ms and prints the seconds until it answers 200
again, with the redirects answered meanwhile. Ends by checking that the
clicks counted equal the 302s answered (clicks made before each kill are
given two seconds to reach the AOF, written every second).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shortener import create_app  # noqa: E402
from shortener.analytics.queries import get_link_stats  # noqa: E402
from shortener.config import Settings  # noqa: E402
from shortener.db import connection  # noqa: E402
from shortener.links.campaigns import create_campaign  # noqa: E402
from shortener.links.minting import mint_link  # noqa: E402
from tests.faults.test_embedded_redis import ready, redis_pids  # noqa: E402
from tests.serving import gunicorn, load, settle  # noqa: E402


def click_until(port: int, path: str, stop: threading.Event, answers: dict) -> None:
    answers.update(load(port, lambda number: path, total=0, clients=4, stop=stop))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=3)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="sh-kill-"))
    answered = 0
    try:
        with gunicorn(redis_url="", data_dir=data_dir) as port:
            app = create_app(Settings(data_dir=data_dir))
            client = connection(app)
            campaign = create_campaign(client, name="Kill", destination="https://shop.example/")
            code = mint_link(client, app.extensions["settings"], campaign_id=campaign.id,
                             advocate="alice").link.code
            path = f"/{code}"
            answered += load(port, lambda number: path, total=600, clients=10)[(path, 302)]
            for kill in range(1, args.kills + 1):
                settle(lambda: get_link_stats(client, code).clicks, answered)
                time.sleep(2)
                [pid] = redis_pids(data_dir)
                stop = threading.Event()
                during: dict = {}
                clicker = threading.Thread(target=click_until, args=(port, path, stop, during))
                os.kill(pid, signal.SIGKILL)
                killed = time.monotonic()
                clicker.start()
                while not ready(port):
                    time.sleep(0.05)
                recovered = time.monotonic() - killed
                stop.set()
                clicker.join()
                answered += during.get((path, 302), 0)
                others = {status: n for (_, status), n in during.items() if status != 302}
                print(f"kill {kill}: redis-server {pid} killed; /readyz 200 again after "
                      f"{recovered:.2f} s; redirects meanwhile: {during.get((path, 302), 0)} "
                      f"302, other answers {others or 'none'}", flush=True)
            counted = settle(lambda: get_link_stats(client, code).clicks, answered)
            print(f"clicks counted: {counted} of {answered} answered")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
