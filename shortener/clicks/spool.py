"""The click spool: every click on disk before the redirect answers.

Each process claims a numbered slot under ``DATA_DIR/spool`` with an
exclusive file lock, and appends its clicks to segment files in it, one
JSON line per click, one ``os.write`` each. A segment becomes one batch; it
is deleted once the batch is in Redis. Segments left by a process that died
(the lock went with it) are replayed by the next process that claims the
slot, or by any process that finds the slot free.

A line survives the process dying (it is in the page cache); it does not
survive the machine losing power before the kernel writes it out.

A line that cannot be read back (cut short, not JSON, not a record) is set
aside in ``DATA_DIR/spool/quarantine/``, under the name of its slot and
segment, so one bad line never holds up the clicks around it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SEGMENT_SUFFIX = ".jsonl"
MAX_SLOTS = 1024
QUARANTINE_DIR = "quarantine"
# A click record is well under 2 KB (user agent and referrer are cropped at
# the edge); a longer line is not one of ours and is not parsed.
MAX_RECORD_BYTES = 64 * 1024


def instance_id(directory: Path) -> str:
    """A random id for this DATA_DIR, made once: writer ids stay unique across machines."""
    path = directory / "instance-id"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    directory.mkdir(parents=True, exist_ok=True)
    candidate = secrets.token_hex(6)
    with contextlib.suppress(FileExistsError), open(path, "x") as handle:
        handle.write(candidate)
    return path.read_text().strip()


class Slot:
    """One numbered folder of segments, held under an exclusive lock while open."""

    def __init__(self, directory: Path, number: int, lock_fd: int) -> None:
        self.directory = directory
        self.number = number
        self._lock_fd = lock_fd

    @classmethod
    def try_claim(cls, root: Path, number: int) -> Slot | None:
        directory = root / f"slot-{number}"
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(root / f"slot-{number}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        return cls(directory, number, fd)

    @classmethod
    def claim_free(cls, root: Path) -> Slot:
        """The lowest-numbered slot no live process holds."""
        root.mkdir(parents=True, exist_ok=True)
        for number in range(MAX_SLOTS):
            slot = cls.try_claim(root, number)
            if slot is not None:
                return slot
        raise RuntimeError(f"all {MAX_SLOTS} spool slots under {root} are taken")

    def release(self) -> None:
        if self._lock_fd >= 0:
            os.close(self._lock_fd)
            self._lock_fd = -1

    def segment_path(self, sequence: int) -> Path:
        return self.directory / f"{sequence:020d}{SEGMENT_SUFFIX}"

    def segments(self) -> list[tuple[int, Path]]:
        """Leftover segments, oldest first, as (sequence, path)."""
        found = []
        for path in self.directory.glob(f"*{SEGMENT_SUFFIX}"):
            with contextlib.suppress(ValueError):
                found.append((int(path.name.removesuffix(SEGMENT_SUFFIX)), path))
        return sorted(found)


def other_slots(root: Path, own: int) -> Iterator[int]:
    for lock in root.glob("slot-*.lock"):
        with contextlib.suppress(ValueError):
            number = int(lock.name.removeprefix("slot-").removesuffix(".lock"))
            if number != own:
                yield number


# One encoder for every line: json.dumps with options builds a new one per call.
_encode = json.JSONEncoder(separators=(",", ":")).encode


def encode_record(record: dict[str, Any]) -> bytes:
    """A record as one spool line."""
    return _encode(record).encode() + b"\n"


class Segment:
    """An open segment file: append a record, close, delete once applied."""

    def __init__(self, path: Path, *, append: bool = True) -> None:
        """Open ``path`` to append to, or (``append=False``) only name a leftover."""
        self.path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600) if append else -1

    def write(self, line: bytes) -> None:
        """Append one encoded record (see encode_record); OSError if not all of it went."""
        written = os.write(self._fd, line)
        if written != len(line):
            # A full disk can take part of a line; the reader sets it aside.
            raise OSError(errno.ENOSPC, "short write to the spool", str(self.path))

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


@dataclass(frozen=True, slots=True)
class BadLine:
    """A spool line that is not a record: its number (from 1), bytes and why."""

    number: int
    raw: bytes
    reason: str


def read_segment(path: Path) -> tuple[list[tuple[int, Any]], list[BadLine]]:
    """The JSON objects of a segment as (line number, object), and the lines that are not.

    Raises OSError when the file cannot be read. Whether an object has the
    shape of a record is the planner's to say.
    """
    records: list[tuple[int, Any]] = []
    bad: list[BadLine] = []
    with open(path, "rb") as handle:
        number = 0
        while line := handle.readline(MAX_RECORD_BYTES + 1):
            number += 1
            if len(line) > MAX_RECORD_BYTES and not line.endswith(b"\n"):
                # Skip the rest of an overlong line without holding it in memory.
                while (rest := handle.readline(MAX_RECORD_BYTES)) and not rest.endswith(b"\n"):
                    pass
                bad.append(BadLine(number, line[:256], "line longer than a record can be"))
                continue
            try:
                value = json.loads(line)
            except (ValueError, RecursionError):
                # ValueError covers bytes that are not UTF-8 too.
                reason = "cut short" if not line.endswith(b"\n") else "not JSON"
                bad.append(BadLine(number, line, reason))
                continue
            if not isinstance(value, dict):
                bad.append(BadLine(number, line, "not a JSON object"))
                continue
            records.append((number, value))
    return records, bad


def quarantine(root: Path, segment: Path, lines: list[BadLine]) -> Path:
    """Append ``lines`` to the segment's file under ``root/quarantine``; return its path.

    Each line is kept as one JSON object naming the segment, the line number
    and the reason, with the bytes as read (undecodable bytes escaped).
    """
    directory = root / QUARANTINE_DIR
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{segment.parent.name}-{segment.name}"
    source = f"{segment.parent.name}/{segment.name}"
    with open(target, "ab") as handle:
        for line in lines:
            handle.write(encode_record({
                "segment": source, "line": line.number, "reason": line.reason,
                "raw": line.raw.decode("utf-8", "backslashreplace"),
            }))
    return target
