"""The embedded redis-server under the real service: restarted when it dies,
never left behind by a start that failed, never adopted without an owner."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis as redis_py

from shortener import create_app
from shortener.analytics.queries import get_link_stats
from shortener.config import Settings
from shortener.db import connection
from shortener.links.campaigns import create_campaign
from shortener.links.minting import mint_link
from tests.serving import ROOT, gunicorn, load, settle

pytestmark = pytest.mark.slow


@pytest.fixture
def data_dir() -> Iterator[Path]:
    # Short: the socket path under it must fit a unix socket address.
    path = Path(tempfile.mkdtemp(prefix="sh-emb-"))
    yield path
    for pid in redis_pids(path):
        os.kill(pid, signal.SIGKILL)
    shutil.rmtree(path, ignore_errors=True)


def redis_pids(data_dir: Path) -> list[int]:
    """Live redis-server processes working in DATA_DIR (redis-server changes its
    command line, but runs in the folder given by --dir)."""
    folder = str(data_dir.resolve() / "redis")
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != "redis-server":
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if cwd == folder and state != "Z":
            found.append(int(entry.name))
    return found


def ready(port: int) -> bool:
    connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection_.request("GET", "/readyz")
        response = connection_.getresponse()
        response.read()
        return response.status == 200
    except OSError:
        return False
    finally:
        connection_.close()


def test_a_killed_embedded_redis_server_runs_again_and_no_click_is_lost(data_dir):
    with gunicorn(redis_url="", data_dir=data_dir) as port:
        # This process finds the service's server and uses it, as the CLI does.
        app = create_app(Settings(data_dir=data_dir))
        client = connection(app)
        campaign = create_campaign(client, name="Kill", destination="https://shop.example/")
        code = mint_link(client, app.extensions["settings"], campaign_id=campaign.id,
                         advocate="alice").link.code
        path = f"/{code}"
        before = load(port, lambda number: path, total=600, clients=10)
        assert before == {(path, 302): 600}
        assert settle(lambda: get_link_stats(client, code).clicks, 600) == 600
        # The AOF is written to disk every second: let the counted clicks reach it.
        time.sleep(2)
        [killed] = redis_pids(data_dir)
        os.kill(killed, signal.SIGKILL)
        during = load(port, lambda number: path, total=300, clients=10)
        deadline = time.monotonic() + 30
        while not ready(port) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert ready(port)
        restarted = redis_pids(data_dir)
        assert len(restarted) == 1 and restarted != [killed]
        after = load(port, lambda number: path, total=300, clients=10)
        assert after == {(path, 302): 300}
        # While the server is down, a worker that has the link cached answers
        # 302, one that has not a 503 page; every 302 is a click counted.
        assert {status for _, status in during} <= {302, 503}
        answered = 900 + during[(path, 302)]
        clicks = settle(lambda: get_link_stats(client, code).clicks, answered)
        assert clicks == answered
    # The service stopped its server on the way out.
    assert redis_pids(data_dir) == []


def test_no_embedded_redis_server_outlives_a_start_that_failed(data_dir):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [str(Path(sys.executable).parent / "gunicorn"), "--config", "gunicorn.conf.py",
             "app:app"],
            cwd=ROOT, timeout=60, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env={**os.environ, "REDIS_URL": "", "DATA_DIR": str(data_dir),
                 "PORT": str(port), "LOG_LEVEL": "ERROR"})
    assert done.returncode != 0
    # It did start one (the socket's folder is there) and stopped it again.
    assert (data_dir / "redis").is_dir()
    assert redis_pids(data_dir) == []


ORPHAN = """
import os, sys
from pathlib import Path
import redis
from shortener.db import start_embedded_server
server = start_embedded_server(Path(sys.argv[1]))
redis.Redis(unix_socket_path=str(server.socket)).set("kept", "yes")
os._exit(0)  # killed before it could stop its server
"""


def test_a_server_left_by_a_killed_owner_is_replaced_not_adopted(data_dir):
    subprocess.run([sys.executable, "-c", ORPHAN, str(data_dir)], cwd=ROOT, check=True,
                   timeout=60)
    [orphan] = redis_pids(data_dir)
    with gunicorn(redis_url="", data_dir=data_dir) as port:
        assert ready(port)
        [served] = redis_pids(data_dir)
        assert served != orphan
        client = redis_py.Redis(unix_socket_path=str(data_dir.resolve() / "redis" /
                                                     "redis.sock"), decode_responses=True)
        assert client.get("kept") == "yes"
    assert redis_pids(data_dir) == []
