"""ClickWriter: clicks spooled to disk, summed in memory, applied to Redis in batches.

The redirect hands each click to its process's writer and answers. The
writer appends the click to the spool (see spool.py) and sums it into the
current batch: increments per key and field, visitor hashes per
HyperLogLog, events per stream. A background thread applies the batch every
CLICK_FLUSH_MS milliseconds in one pipeline of Lua calls (APPLY_BATCH), so
a batch of a thousand clicks on a link costs Redis about what one click
does. On a Redis Cluster a call carries one hash tag, routed to its slot;
on a single server a call carries many (up to TAGS_PER_CALL tags or
OPS_PER_CALL operations), so clicks on many different links cost a few
calls, not two per link.

Batches are idempotent. Each carries the writer's id (DATA_DIR's instance
id and the spool slot) and an increasing sequence; the script skips a
tag's share of a batch whose sequence that tag has already seen, and marks
each tag it applies. So a batch whose reply was lost, or a segment replayed
after a crash (whichever of its calls had gone through), counts once. A batch that fails stays
queued, in order, and is retried until Redis is back, without a restart.

With CLICK_FLUSH_MS=0 the request applies its own click before answering
(same path, same spool), which tests and small installations may prefer.

The spool is a safety net, not a gate. When it cannot take a click (no
space, no inodes, no descriptors, a read-only or missing folder) the click
is still summed in memory and applied; the failure is counted and logged at
most once per SPOOL_LOG_SECONDS. Only when Redis is down too, and more than
MAX_HELD_CLICKS are waiting, is a click that could not be spooled dropped
(and counted). A leftover record the planner cannot read is quarantined
(see spool.py) and counted; the rest of its segment is applied.
"""

from __future__ import annotations

import collections
import hashlib
import json
import logging
import secrets
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from redis import RedisCluster
from redis.exceptions import NoScriptError, RedisError

from shortener import scripts
from shortener.clicks.spool import (
    BadLine,
    Segment,
    Slot,
    encode_record,
    instance_id,
    other_slots,
    quarantine,
    read_segment,
)
from shortener.db import Client
from shortener.links.store import note_changes
from shortener.logs import Every

log = logging.getLogger(__name__)

RETRY_SECONDS = 0.5
ORPHAN_SCAN_SECONDS = 30.0
MAX_MEMBERS_PER_CALL = 500
# On a single server a batch's hash tags share script calls (each still checks
# and marks its own tag), up to these many tags or operations a call, so one
# call holds Redis for a few milliseconds at most.
TAGS_PER_CALL = 50
OPS_PER_CALL = 500
SPOOL_LOG_SECONDS = 10.0
# Clicks held in memory, not yet in Redis, past which a click the spool could
# not take is dropped: with Redis and the disk both gone, memory is the last
# thing left to lose. About 100 MB of events.
MAX_HELD_CLICKS = 200_000
APPLY_BATCH_SHA = hashlib.sha1(scripts.APPLY_BATCH.encode()).hexdigest()

Record = dict[str, Any]
# Adds the records' writes to the batch and returns the ones it cannot plan,
# as (index in the list, reason); None means all were planned.
Planner = Callable[["Batch", list[Record]], "list[tuple[int, str]] | None"]


class WriterEvents:
    """What a ClickWriter reports (web/metrics.py counts it); here, nothing."""

    def flushed(self, depth: int, *, failed: bool) -> None:
        """A flush ended: ``depth`` clicks wait; ``failed`` when Redis refused a batch."""

    def spool_failed(self, operation: str) -> None:
        """A spool file could not be created, written, read or removed."""

    def quarantined(self, count: int) -> None:
        """``count`` records were set aside as unreadable."""

    def dropped(self, count: int) -> None:
        """``count`` clicks were lost: neither spooled, nor room left in memory."""

_writers: weakref.WeakSet[ClickWriter] = weakref.WeakSet()


class _TagOps:
    """What one batch does to the keys of one hash tag."""

    def __init__(self) -> None:
        self.increments: dict[str, dict[str, int]] = {}
        self.expiries: dict[str, int] = {}
        self.events: dict[str, tuple[int, list[dict[str, str]]]] = {}
        self.values: dict[str, tuple[str, int]] = {}
        self.trims: dict[str, str] = {}
        self.ranks: dict[str, collections.Counter[str]] = {}
        self.visitors: dict[tuple[str, str, str, str, str], set[str]] = {}
        self.fields: dict[str, dict[str, str]] = {}

    def group(self, marks: str, key_list: list[str], index: dict[str, int]) -> list[Any]:
        """This tag's group of an APPLY_BATCH call: the index of its batches hash, then
        its operations; the keys they name are added to ``key_list`` (``index`` maps a
        key to its place there, counted from 1 as Lua does)."""

        def at(key: str) -> int:
            found = index.get(key)
            if found is None:
                key_list.append(key)
                found = index[key] = len(key_list)
            return found

        ops: list[Any] = [at(marks)]
        for key, fields in self.increments.items():
            op: list[Any] = ["h", at(key)]
            for name, count in fields.items():
                op += [name, count]
            ops.append(op)
        for (hll, day_hash, field, totals, total_field), members in self.visitors.items():
            ordered = sorted(members)
            for start in range(0, len(ordered), MAX_MEMBERS_PER_CALL):
                ops.append(["v", at(hll), at(day_hash), field, at(totals), total_field,
                            *ordered[start:start + MAX_MEMBERS_PER_CALL]])
        for key, values in self.fields.items():
            pairs = [item for pair in values.items() for item in pair]
            step = 2 * MAX_MEMBERS_PER_CALL
            for start in range(0, len(pairs), step):
                ops.append(["f", at(key), *pairs[start:start + step]])
        # After every write that may create a key: EXPIRE on a missing key does nothing.
        for key, seconds in self.expiries.items():
            ops.append(["e", at(key), seconds])
        for key, (maxlen, events) in self.events.items():
            for event in events:
                flat: list[str] = []
                for name, value in event.items():
                    flat += [name, value]
                ops.append(["x", at(key), maxlen, *flat])
        for key, minid in self.trims.items():
            ops.append(["t", at(key), minid])
        for key, scores in self.ranks.items():
            ranked: list[Any] = ["z", at(key)]
            for member, count in scores.items():
                ranked += [member, count]
            ops.append(ranked)
        for key, (value, seconds) in self.values.items():
            ops.append(["s", at(key), value, seconds])
        return ops


class Batch:
    """Clicks summed for one write; the keys of each hash tag go in one script call.

    ``marks`` names the tag's batches hash (keys.link_batches and friends):
    every key passed with it must share its hash tag.
    """

    def __init__(self, writer_id: str, sequence: int) -> None:
        self.writer_id = writer_id
        self.sequence = sequence
        self.records = 0
        self.segment: Segment | None = None
        # False once a write to the segment failed: the rest stay in memory only.
        self.spooling = True
        # Records waiting to be planned: the request only appends here, and the
        # flusher plans them all at once, grouped, when the batch is cut.
        self.unplanned: list[Record] = []
        # Links whose records the batch writes to (a preview signal): noted in
        # the catalogue's change log once the batch is applied, so that other
        # processes' link caches read them again.
        self.changed_links: set[str] = set()
        self._tags: dict[str, _TagOps] = {}

    def _ops(self, marks: str) -> _TagOps:
        ops = self._tags.get(marks)
        if ops is None:
            ops = self._tags[marks] = _TagOps()
        return ops

    def increment(self, marks: str, key: str, name: str, count: int = 1) -> None:
        fields = self._ops(marks).increments.setdefault(key, {})
        fields[name] = fields.get(name, 0) + count

    def add_counts(self, marks: str, key: str, counts: Iterable[tuple[str, int]]) -> None:
        """HINCRBY each (field, count) of one hash."""
        fields = self._ops(marks).increments.setdefault(key, {})
        for name, count in counts:
            fields[name] = fields.get(name, 0) + count

    def increment_rank(self, marks: str, key: str, member: str, count: int = 1) -> None:
        """ZINCRBY: raise a member's score in a sorted set (a leaderboard)."""
        ops = self._ops(marks)
        scores = ops.ranks.get(key)
        if scores is None:
            scores = ops.ranks[key] = collections.Counter()
        scores[member] += count

    def expire(self, marks: str, key: str, seconds: int) -> None:
        self._ops(marks).expiries[key] = seconds

    def count_visitors(self, marks: str, hll: str, members: set[str], *, day_hash: str,
                       field: str, totals: str, total_field: str) -> None:
        """PFADD the members to a day's HyperLogLog and add how much its count rose to
        ``field`` of ``day_hash`` and ``total_field`` of ``totals``."""
        self._ops(marks).visitors.setdefault(
            (hll, day_hash, field, totals, total_field), set()).update(members)

    def append_event(self, marks: str, key: str, event: dict[str, str], *, maxlen: int) -> None:
        ops = self._ops(marks)
        if key not in ops.events:
            ops.events[key] = (maxlen, [])
        ops.events[key][1].append(event)

    def trim_before(self, marks: str, key: str, minid: str) -> None:
        self._ops(marks).trims[key] = minid

    def put(self, marks: str, key: str, value: str, *, seconds: int) -> None:
        self._ops(marks).values[key] = (value, seconds)

    def put_field(self, marks: str, key: str, field: str, value: str) -> None:
        """HSET one field of a hash (set its expiry with expire())."""
        self._ops(marks).fields.setdefault(key, {})[field] = value

    def calls(self, *, tags_per_call: int = 1) -> Iterator[tuple[list[str], list[Any]]]:
        """KEYS and ARGV of each APPLY_BATCH call: up to ``tags_per_call`` hash tags in
        one, or fewer when they carry more than OPS_PER_CALL operations between them."""
        key_list: list[str] = []
        index: dict[str, int] = {}
        groups: list[list[Any]] = []
        ops = 0
        for marks, tag_ops in self._tags.items():
            group = tag_ops.group(marks, key_list, index)
            groups.append(group)
            ops += len(group)
            if len(groups) >= tags_per_call or ops >= OPS_PER_CALL:
                yield key_list, self._args(groups)
                key_list, index, groups, ops = [], {}, [], 0
        if groups:
            yield key_list, self._args(groups)

    def _args(self, groups: list[list[Any]]) -> list[Any]:
        return [self.writer_id, self.sequence, json.dumps(groups, separators=(",", ":"))]


def apply_batch(client: Client, batch: Batch) -> None:
    """Write the batch in one pipeline; raises RedisError, leaving it to retry."""
    # A script call's keys must share a slot on a cluster: one hash tag a call there.
    tags_per_call = 1 if isinstance(client, RedisCluster) else TAGS_PER_CALL
    calls = list(batch.calls(tags_per_call=tags_per_call))
    if not calls:
        return
    for attempt in range(2):
        pipe = client.pipeline(transaction=False)
        for key_list, args in calls:
            # execute_command, not evalsha(): redis-py's cluster pipeline refuses
            # the method, yet routes the command by its first key all the same.
            pipe.execute_command("EVALSHA", APPLY_BATCH_SHA, len(key_list), *key_list, *args)
        try:
            pipe.execute()
        except NoScriptError:
            # A restarted server (or a new cluster node) has no scripts; every
            # call is idempotent, so loading and sending all again is safe.
            if attempt:
                raise
            client.script_load(scripts.APPLY_BATCH)
            continue
        if batch.changed_links:
            # After the batch, never in its pipeline: a cluster may apply that in any order.
            note_changes(client, codes=sorted(batch.changed_links))
        return


class ClickWriter:
    """One per process: spool, sum and apply clicks (see the module docstring)."""

    def __init__(self, client: Client, *, spool_root: Path, flush_seconds: float,
                 plan: Planner, events: WriterEvents | None = None) -> None:
        self.client = client
        self.spool_root = spool_root
        self.flush_seconds = flush_seconds
        self.plan = plan
        self.events = events or WriterEvents()
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._current: Batch | None = None
        self._pending: collections.deque[Batch] = collections.deque()
        self._held = 0
        self._slot: Slot | None = None
        self._writer_id = ""
        self._instance = ""
        self._last_sequence = 0
        self._down_until = 0.0
        self._next_orphan_scan = 0.0
        self._next_claim = 0.0
        self._spool_log = Every(SPOOL_LOG_SECONDS)
        self._drop_log = Every(SPOOL_LOG_SECONDS)
        self._thread: threading.Thread | None = None
        _writers.add(self)

    # Request side -------------------------------------------------------------

    def add(self, record: Record) -> None:
        """Spool the record and count it in; applied now or by the next flush.

        Never raises for the spool's sake: a click the spool cannot take is
        kept in memory (see the module docstring).
        """
        if self._thread is None:
            self.start()
        line = encode_record(record)  # outside the lock: the flusher waits on it
        with self._lock:
            batch = self._current
            if batch is None:
                batch = self._current = self._new_batch()
            spooled = False
            if batch.segment is not None and batch.spooling:
                try:
                    batch.segment.write(line)
                    spooled = True
                except OSError as exc:
                    batch.spooling = False
                    self._spool_failed("write", exc, batch.segment.path)
            if not spooled and self._held >= MAX_HELD_CLICKS:
                self.events.dropped(1)
                if (held := self._drop_log.due()) is not None:
                    log.error("click dropped: not spooled and too many waiting for Redis",
                              extra={"waiting": self._held, "dropped_since_last": held})
                return
            batch.unplanned.append(record)
            batch.records += 1
            self._held += 1
        if not self._wake.is_set():
            self._wake.set()
        if self.flush_seconds == 0 and time.monotonic() >= self._down_until:
            self.flush()

    @property
    def depth(self) -> int:
        """Clicks taken and not yet in Redis (spooled or not)."""
        return self._held

    # Life cycle ---------------------------------------------------------------

    def start(self) -> None:
        """Claim a spool slot, queue its leftovers, start the flusher; idempotent.

        A spool that cannot be used does not stop the start: the writer runs
        on memory and tries to claim a slot again every ORPHAN_SCAN_SECONDS.
        """
        with self._lock:
            if self._thread is not None:
                return
            try:
                self._instance = instance_id(self.spool_root)
            except OSError as exc:
                self._instance = secrets.token_hex(6)
                self._spool_failed("claim", exc, self.spool_root)
            self._writer_id = f"{self._instance}:memory-{secrets.token_hex(4)}"
            self._claim_slot()
            self._next_claim = time.monotonic() + ORPHAN_SCAN_SECONDS
            self._thread = threading.Thread(target=self._run, name="click-writer",
                                            daemon=True)
            self._thread.start()
            if self._pending:
                self._wake.set()

    def close(self) -> None:
        """Apply what is left (kept in the spool if Redis is down) and let the slot go."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self.flush()
        with self._lock:
            if self._current is not None and self._current.segment is not None:
                self._current.segment.close()
            if self._slot is not None:
                self._slot.release()
                self._slot = None

    # Flushing -----------------------------------------------------------------

    def flush(self) -> bool:
        """Cut the current batch and apply every queued one; False if Redis failed."""
        with self._flush_lock:
            # A writer that could not claim a slot tries again now and then;
            # under the flush lock, since a claim queues the slot's leftovers.
            if self._slot is None and time.monotonic() >= self._next_claim:
                self._next_claim = time.monotonic() + ORPHAN_SCAN_SECONDS
                with self._lock:
                    self._claim_slot()
            with self._lock:
                if self._current is not None:
                    if self._current.segment is not None:
                        self._current.segment.close()
                    self._pending.append(self._current)
                    self._current = None
            for index, batch in enumerate(self._pending):
                if batch.unplanned:
                    taken = batch.records
                    self._pending[index] = planned = self._planned(batch, batch.unplanned)
                    with self._lock:
                        self._held -= taken - planned.records
            while self._pending:
                batch = self._pending[0]
                try:
                    apply_batch(self.client, batch)
                except RedisError as exc:
                    self._down_until = time.monotonic() + RETRY_SECONDS
                    log.warning("click batch not written, kept in the spool",
                                extra={"clicks": batch.records, "error": type(exc).__name__})
                    self.events.flushed(self.depth, failed=True)
                    return False
                if batch.segment is not None:
                    self._remove(batch.segment.path)
                with self._lock:
                    self._pending.popleft()
                    self._held -= batch.records
            self._down_until = 0.0
            self.events.flushed(self.depth, failed=False)
        if time.monotonic() >= self._next_orphan_scan:
            self._next_orphan_scan = time.monotonic() + ORPHAN_SCAN_SECONDS
            self._adopt_orphans()
        return True

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait()
            if self._stop.is_set():
                return
            if self.flush_seconds:
                self._stop.wait(self.flush_seconds)
            try:
                written = self.flush()
            except Exception:
                # The thread must outlive any surprise, or clicks pile up unwritten.
                log.exception("click writer failed; retrying")
                written = False
            with self._lock:
                if written and self._current is None and not self._pending:
                    self._wake.clear()
            if not written:
                self._stop.wait(RETRY_SECONDS)

    # Spool ----------------------------------------------------------------------

    def _claim_slot(self) -> None:
        """Claim a slot and queue its leftovers; on a spool error, stay on memory."""
        try:
            slot = Slot.claim_free(self.spool_root)
        except OSError as exc:
            self._spool_failed("claim", exc, self.spool_root)
            return
        self._slot = slot
        self._writer_id = f"{self._instance}:{slot.number}"
        for sequence, path in slot.segments():
            batch = self._load(self._writer_id, sequence, path)
            if batch is not None:
                self._pending.append(batch)
                self._held += batch.records
            self._last_sequence = max(self._last_sequence, sequence)

    def _new_batch(self) -> Batch:
        sequence = max(int(time.time() * 1_000_000), self._last_sequence + 1)
        self._last_sequence = sequence
        batch = Batch(self._writer_id, sequence)
        if self._slot is not None:
            path = self._slot.segment_path(sequence)
            try:
                batch.segment = Segment(path)
            except OSError as exc:
                self._spool_failed("create", exc, path)
        return batch

    def _load(self, writer_id: str, sequence: int, path: Path) -> Batch | None:
        """A leftover segment as a planned batch; None if it cannot be read now."""
        try:
            numbered, bad = read_segment(path)
        except OSError as exc:
            self._spool_failed("read", exc, path)
            return None
        batch = Batch(writer_id, sequence)
        batch.segment = Segment(path, append=False)
        records = [record for _, record in numbered]
        batch = self._planned(batch, records, lines=[number for number, _ in numbered],
                              bad=bad)
        return batch

    def _planned(self, batch: Batch, records: list[Record], *,
                 lines: list[int] | None = None, bad: list[BadLine] | None = None) -> Batch:
        """``batch`` with ``records`` planned; what cannot be planned is quarantined.

        ``lines`` are the records' line numbers in the batch's segment (for a
        leftover); ``bad`` are lines already found unreadable there.
        """
        try:
            rejected = self.plan(batch, records) or []
        except Exception:
            # A record the planner chokes on: find it, plan the rest afresh.
            rejected = []
            for index, record in enumerate(records):
                try:
                    self.plan(Batch("check", 0), [record])
                except Exception as failure:
                    rejected.append((index, f"planning failed: {type(failure).__name__}"))
            fresh = Batch(batch.writer_id, batch.sequence)
            fresh.segment, fresh.spooling = batch.segment, batch.spooling
            skip = {index for index, _ in rejected}
            self.plan(fresh, [record for index, record in enumerate(records)
                              if index not in skip])
            batch = fresh
        bad = list(bad or [])
        for index, reason in rejected:
            number = lines[index] if lines is not None else 0
            bad.append(BadLine(number, encode_record(records[index]).rstrip(b"\n"), reason))
        batch.records = len(records) - len(rejected)
        batch.unplanned = []
        if bad:
            self._set_aside(batch, sorted(bad, key=lambda line: line.number))
        return batch

    def _set_aside(self, batch: Batch, bad: list[BadLine]) -> None:
        self.events.quarantined(len(bad))
        source = batch.segment.path if batch.segment is not None else None
        where = f"{source.parent.name}/{source.name}" if source else "memory"
        target = None
        if source is not None:
            try:
                target = quarantine(self.spool_root, source, bad)
            except OSError as exc:
                self._spool_failed("quarantine", exc, source)
        for line in bad[:20]:
            log.error("spool record unreadable, set aside",
                      extra={"segment": where, "line": line.number, "reason": line.reason,
                             "quarantine": str(target) if target else None})
        if len(bad) > 20:
            log.error("more spool records unreadable, set aside",
                      extra={"segment": where, "records": len(bad) - 20})

    def _remove(self, path: Path) -> None:
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            # Replaying it later is harmless: its batch is marked applied.
            self._spool_failed("remove", exc, path)

    def _spool_failed(self, operation: str, exc: OSError, path: Path) -> None:
        self.events.spool_failed(operation)
        if (held := self._spool_log.due()) is not None:
            log.error("click spool failed; clicks are kept in memory",
                      extra={"operation": operation, "path": str(path),
                             "error": f"{type(exc).__name__}: {exc.strerror or exc}",
                             "failures_since_last": held})

    def _adopt_orphans(self) -> None:
        """Replay segments that a dead process left in a slot nobody holds now."""
        if self._slot is None:
            return
        try:
            numbers = list(other_slots(self.spool_root, self._slot.number))
        except OSError as exc:
            self._spool_failed("read", exc, self.spool_root)
            return
        for number in numbers:
            try:
                slot = Slot.try_claim(self.spool_root, number)
            except OSError as exc:
                self._spool_failed("claim", exc, self.spool_root)
                continue
            if slot is None:
                continue
            try:
                for sequence, path in slot.segments():
                    batch = self._load(f"{self._instance}:{number}", sequence, path)
                    if batch is None:
                        continue
                    apply_batch(self.client, batch)
                    self._remove(path)
                    log.info("replayed a spool segment", extra={"clicks": batch.records})
            except RedisError:
                return
            finally:
                slot.release()


def start_writers() -> None:
    """Start every writer of this process (gunicorn calls it once a worker is up)."""
    for writer in list(_writers):
        writer.start()


def close_writers() -> None:
    for writer in list(_writers):
        writer.close()
