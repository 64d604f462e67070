"""Which Redis the CLI uses, the public URL it prints, and `shortener status`.

These run the real console script and the real gunicorn set-up on the
embedded Redis server, in subprocesses, so each embedded server they start is
stopped when its process ends.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from shortener.cli import main
from shortener.config import Settings
from shortener.service import announce_service, get_announcement
from tests.serving import ROOT, free_port, get

SHORTENER = str(Path(sys.executable).parent / "shortener")
GUNICORN = str(Path(sys.executable).parent / "gunicorn")


@pytest.fixture
def data_dir() -> Iterator[Path]:
    # Short: the embedded server's unix socket path must fit in 100 bytes.
    with tempfile.TemporaryDirectory(prefix="sh-status-") as directory:
        yield Path(directory)


def cli(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "DATA_DIR": str(data_dir), "REDIS_URL": "", "PUBLIC_URL": "",
                   **env}
    return subprocess.run([SHORTENER, *args], cwd=data_dir, env=environment,
                          capture_output=True, text=True, timeout=60)


def serve(data_dir: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    """gunicorn as `make run` starts it, on the embedded Redis of data_dir."""
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [GUNICORN, "--config", "gunicorn.conf.py", "app:app"], cwd=ROOT, stderr=stderr,
            env={**os.environ, "DATA_DIR": str(data_dir), "REDIS_URL": "", "PUBLIC_URL": "",
                 "PORT": str(port), "WEB_CONCURRENCY": "1", "LOG_LEVEL": "WARNING"})
    deadline = time.monotonic() + 30
    while True:
        # Ready once it answers and the master has announced itself (it prints then).
        try:
            if get(port, "/healthz") == 200 and b"serving on" in log.read_bytes():
                return process
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"gunicorn did not start: {log.read_text()}")
        time.sleep(0.1)


def test_with_nothing_serving_the_cli_says_it_started_redis(data_dir: Path):
    result = cli(data_dir, "status")
    assert result.returncode == 0, result.stderr
    assert "started by this command because no service is running on " \
        f"DATA_DIR={data_dir.resolve()}" in result.stderr
    status = json.loads(result.stdout)
    assert status["serving"] is False
    assert status["redis"] == f"unix://{data_dir.resolve()}/redis/redis.sock"
    assert status["data_dir"] == str(data_dir.resolve())
    assert status["public_url"] == "http://127.0.0.1:8000"


def test_with_a_service_running_the_cli_uses_its_redis_and_public_url(data_dir: Path,
                                                                       tmp_path: Path):
    port = free_port()
    log = tmp_path / "gunicorn.log"
    service = serve(data_dir, port, log)
    try:
        started = log.read_text()
        assert f"serving on http://127.0.0.1:{port}. No dashboard user" in started
        assert "user create --email" in started

        status = cli(data_dir, "status", PORT="1")  # the CLI's own PORT does not matter
        assert status.returncode == 0, status.stderr
        assert "the embedded server already running on" in status.stderr
        assert "started by this command" not in status.stderr
        figures = json.loads(status.stdout)
        assert figures["serving"] is True
        assert figures["public_url"] == f"http://127.0.0.1:{port}"
        assert figures["public_url_from"] == "the running service"

        made = cli(data_dir, "campaign", "create", "--name", "Spring", "--destination",
                   "https://shop.example/")
        minted = cli(data_dir, "link", "mint", "--campaign", json.loads(made.stdout)["id"],
                     "--advocate", "cust-1")
        assert minted.returncode == 0, minted.stderr
        link = json.loads(minted.stdout)
        assert link["short_url"] == f"http://127.0.0.1:{port}/{link['code']}"
        assert get(port, f"/{link['code']}") == 302
    finally:
        service.terminate()
        service.wait(timeout=30)
    after = cli(data_dir, "status")
    assert json.loads(after.stdout)["serving"] is False
    assert json.loads(after.stdout)["service"] is None


def test_a_given_public_url_wins_over_the_announced_one(runner, redis, settings):
    announce_service(redis, Settings(public_url="http://10.0.0.9:9000"))
    result = runner.invoke(main, ["status"])
    assert json.loads(result.stdout)["public_url"] == settings.public_url
    unset = runner.invoke(main, ["status"], env={"PUBLIC_URL": ""})
    assert json.loads(unset.stdout)["public_url"] == "http://10.0.0.9:9000"
    assert get_announcement(redis).public_url == "http://10.0.0.9:9000"


@pytest.mark.parametrize(("name", "value"), [("PORT", "abc"), ("CODE_MIN_LENGTH", "-3")])
def test_a_bad_setting_stops_gunicorn_with_its_message_alone(data_dir: Path, name: str,
                                                             value: str):
    result = subprocess.run(
        [GUNICORN, "--config", "gunicorn.conf.py", "app:app"], cwd=ROOT, capture_output=True,
        text=True, timeout=60, env={**os.environ, "DATA_DIR": str(data_dir), name: value})
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        f"shortener: {name}={value!r} is not valid: " + result.stderr.split("not valid: ")[1]
        .strip()]
    assert "Traceback" not in result.stderr
