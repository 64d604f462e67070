"""The click writer when its spool fails: every click still counted, nothing stops it.

Faults are real: a spool folder that cannot exist, a process out of file
descriptors or past its file-size limit (resource.setrlimit in a process of
its own), and segments with corrupt, cut-short and hostile lines.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from shortener.analytics.queries import get_link_stats
from shortener.clicks.batching import ClickWriter, WriterEvents
from shortener.clicks.spool import encode_record
from tests.storage.test_click_writer import human, plan

ROOT = Path(__file__).resolve().parent.parent.parent


class Tally(WriterEvents):
    """Keeps what the writer reports, as the metrics would."""

    def __init__(self) -> None:
        self.spool_failures: list[str] = []
        self.quarantined_records = 0

    def spool_failed(self, operation: str) -> None:
        self.spool_failures.append(operation)

    def quarantined(self, count: int) -> None:
        self.quarantined_records += count


def corrupt_segment(path: Path, code: str, campaign_id: str) -> list[bytes]:
    """A segment of 3 good clicks among bad lines; returns the bad lines in order."""
    good = encode_record(human(code, campaign_id))
    wrong_shape = encode_record({"k": "click", "e": {"ts": "1", "code": code}})
    not_a_record = b'["a", "list"]\n'
    bad_time = encode_record({**human(code, campaign_id),
                              "e": {**human(code, campaign_id)["e"], "ts": "nan"}})
    not_json = b"{this is not json\n"
    hostile = b"\xff\xfe\x00\x1b[31m\xc3(" + b"\n"
    nested = b"[" * 100_000 + b"\n"
    nested_values = encode_record({**human(code, campaign_id),
                                   "e": {**human(code, campaign_id)["e"], "kind": ["x"]}})
    truncated = good[:40]
    bad = [wrong_shape, not_a_record, bad_time, not_json, hostile, nested, nested_values]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(good + wrong_shape + not_a_record + good + bad_time + not_json + hostile
                     + nested + nested_values + good + truncated)
    return [*bad, truncated]


def test_a_corrupt_leftover_segment_is_set_aside_line_by_line(redis, settings, make_link):
    link = make_link()
    spool = settings.data_dir / "spool"
    segment = spool / "slot-0" / f"{1:020d}.jsonl"
    bad = corrupt_segment(segment, link.code, link.campaign_id)
    tally = Tally()
    writer = ClickWriter(redis, spool_root=spool, flush_seconds=0, plan=plan, events=tally)
    writer.start()
    assert writer.flush()
    writer.close()
    assert get_link_stats(redis, link.code).clicks == 3
    assert tally.quarantined_records == len(bad) == 8
    assert not segment.exists()
    kept = [json.loads(line) for line in
            (spool / "quarantine" / "slot-0-00000000000000000001.jsonl").read_bytes()
            .splitlines()]
    assert [entry["line"] for entry in kept] == [2, 3, 5, 6, 7, 8, 9, 11]
    assert {entry["segment"] for entry in kept} == {"slot-0/00000000000000000001.jsonl"}
    assert kept[-1]["reason"] == "cut short"


def test_a_spool_folder_that_cannot_be_made_costs_no_click(redis, settings, make_link):
    link = make_link()
    spool = settings.data_dir / "spool"
    spool.write_text("a file where the spool folder should be")
    tally = Tally()
    writer = ClickWriter(redis, spool_root=spool, flush_seconds=0, plan=plan, events=tally)
    for _ in range(5):
        writer.add(human(link.code, link.campaign_id))
    writer.close()
    assert get_link_stats(redis, link.code).clicks == 5
    assert "claim" in tally.spool_failures


# A process of its own, so that its limits bind only it: spools clicks under
# a resource limit, then flushes, and prints what the writer reported.
LIMITED = """
import json, os, resource, sys
from pathlib import Path
import redis
from shortener.clicks.batching import ClickWriter
from tests.storage.test_click_writer import human, plan
from tests.storage.test_click_writer_faults import Tally

limit, value, url, spool, code, campaign, clicks = sys.argv[1:8]
client = redis.Redis.from_url(url, decode_responses=True)
client.ping()
tally = Tally()
writer = ClickWriter(client, spool_root=Path(spool), flush_seconds=3600, plan=plan,
                     events=tally)
writer.start()
if limit == "RLIMIT_NOFILE":
    # Every descriptor the limit allows in use: no file can be opened.
    top = max(int(fd) for fd in os.listdir("/proc/self/fd")) + 1 + int(value)
    resource.setrlimit(resource.RLIMIT_NOFILE, (top, top))
    held = []
    while True:
        try:
            held.append(os.open("/dev/null", os.O_RDONLY))
        except OSError:
            break
else:
    resource.setrlimit(getattr(resource, limit), (int(value), resource.RLIM_INFINITY))
for _ in range(int(clicks)):
    writer.add(human(code, campaign))
ok = writer.flush()
print(json.dumps({"flushed": ok, "spool_failures": tally.spool_failures}))
"""


def run_limited(limit: str, value: int, *, url: str, spool: Path, code: str, campaign: str,
                clicks: int) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(LIMITED), limit, str(value), url, str(spool),
         code, campaign, str(clicks)],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def test_a_writer_out_of_file_descriptors_counts_every_click(redis, redis_server, settings,
                                                             make_link):
    link = make_link()
    spool = settings.data_dir / "spool"
    report = run_limited("RLIMIT_NOFILE", 4, url=redis_server.url, spool=spool,
                         code=link.code, campaign=link.campaign_id, clicks=50)
    assert report["flushed"]
    assert "create" in report["spool_failures"]
    assert get_link_stats(redis, link.code).clicks == 50


def test_a_writer_past_its_file_size_limit_counts_every_click(redis, redis_server, settings,
                                                              make_link):
    link = make_link()
    spool = settings.data_dir / "spool"
    line = len(encode_record(human(link.code, link.campaign_id)))
    # Room for two and a half clicks: the third is cut short, the rest refused.
    report = run_limited("RLIMIT_FSIZE", line * 5 // 2, url=redis_server.url, spool=spool,
                         code=link.code, campaign=link.campaign_id, clicks=40)
    assert report["flushed"]
    assert report["spool_failures"] == ["write"]
    assert get_link_stats(redis, link.code).clicks == 40


@pytest.mark.parametrize("clicks", [3])
def test_a_segment_cut_short_by_a_full_disk_replays_what_it_holds(redis, settings, make_link,
                                                                  clicks):
    link = make_link()
    spool = settings.data_dir / "spool"
    segment = spool / "slot-0" / f"{int(time.time() * 1e6):020d}.jsonl"
    segment.parent.mkdir(parents=True)
    lines = b"".join(encode_record(human(link.code, link.campaign_id)) for _ in range(clicks))
    segment.write_bytes(lines[:-30])
    tally = Tally()
    writer = ClickWriter(redis, spool_root=spool, flush_seconds=0, plan=plan, events=tally)
    writer.start()
    assert writer.flush()
    writer.close()
    assert get_link_stats(redis, link.code).clicks == clicks - 1
    assert tally.quarantined_records == 1
