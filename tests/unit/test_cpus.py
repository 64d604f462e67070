"""available_cpus(): workers follow the container's CPU quota, not the host's cores."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from shortener.cpus import available_cpus, cgroup_cpu_quota


def affinity() -> int:
    return len(os.sched_getaffinity(0))


@pytest.mark.parametrize(("cpu_max", "expected"), [
    ("100000 100000", 1.0),
    ("150000 100000", 1.5),
    ("50000 100000", 0.5),
    ("max 100000", None),
])
def test_it_reads_the_cgroup_v2_quota(tmp_path: Path, cpu_max: str, expected: float | None):
    (tmp_path / "cpu.max").write_text(cpu_max + "\n")
    assert cgroup_cpu_quota(tmp_path) == expected


def test_it_reads_the_cgroup_v1_quota(tmp_path: Path):
    (tmp_path / "cpu").mkdir()
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("200000\n")
    (tmp_path / "cpu" / "cpu.cfs_period_us").write_text("100000\n")
    assert cgroup_cpu_quota(tmp_path) == 2.0


def test_an_unlimited_v1_quota_is_no_limit(tmp_path: Path):
    (tmp_path / "cpu.cfs_quota_us").write_text("-1\n")
    (tmp_path / "cpu.cfs_period_us").write_text("100000\n")
    assert cgroup_cpu_quota(tmp_path) is None


def test_a_quota_below_the_cores_caps_the_count(tmp_path: Path):
    (tmp_path / "cpu.max").write_text("100000 100000\n")
    assert available_cpus(tmp_path) == 1


def test_a_fractional_quota_rounds_up(tmp_path: Path):
    (tmp_path / "cpu.max").write_text("150000 100000\n")
    assert available_cpus(tmp_path) == min(2, affinity())


def test_without_a_quota_the_affinity_mask_counts(tmp_path: Path):
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert available_cpus(tmp_path) == affinity()
    assert available_cpus(tmp_path / "missing") == affinity()
