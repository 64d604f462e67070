"""The click spool: every click on disk before the redirect answers.

Each process claims a numbered slot under ``DATA_DIR/spool`` with an
exclusive file lock, and appends its clicks to segment files in it, one
JSON line per click, one ``os.write`` each. A segment becomes one batch; it
is deleted once the batch is in Redis. Segments left by a process that died
(the lock went with it) are replayed by the next process that claims the
slot, or by any process that finds the slot free.

A line survives the process dying (it is in the page cache); it does not
survive the machine losing power before the kernel writes it out.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SEGMENT_SUFFIX = ".jsonl"
MAX_SLOTS = 1024


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
        """Append one encoded record (see encode_record)."""
        os.write(self._fd, line)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def read_segment(path: Path) -> list[dict[str, Any]]:
    """The records of a segment; a line cut short by a crash is skipped."""
    records = []
    with open(path, "rb") as handle:
        for line in handle:
            try:
                records.append(json.loads(line))
            except ValueError:
                log.warning("spool line unreadable, skipped", extra={"segment": path.name})
    return records
