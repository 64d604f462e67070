"""Browser fixtures: the app served by a real server on 127.0.0.1, and headless Chromium.

Chromium is the system's (Debian's `chromium` package; `make test` installs
it), driven by Playwright with ``executable_path``: Playwright's own browser
download is not used. CHROMIUM names another binary.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

from shortener.accounts.users import create_user
from tests.dashboard.conftest import ALICE, ALICE_PASSWORD

SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
# Without the background-networking flags Chromium's own connections to
# Google services are refused on a closed network, and it stalls on them.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail(f"no Chromium at {path}: install it (Debian: apt-get install chromium) "
                    "or set CHROMIUM to a Chromium binary; `make test` does this for you")
    return path


class LiveServer:
    """The app on a real HTTP server in a thread, for the browser to reach."""

    def __init__(self, app: Flask) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(),
                                              args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    with LiveServer(app) as server:
        yield server


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP)
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def alice(redis: Any, app: Flask) -> Any:
    """The marketer who owns the dashboard."""
    return create_user(redis, email=ALICE, password=ALICE_PASSWORD)


@pytest.fixture
def sign_in(page: Page, live_server: LiveServer, alice: Any) -> Any:
    def sign_in_as(email: str = ALICE, password: str = ALICE_PASSWORD) -> Page:
        page.goto(f"{live_server.url}/login")
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/dashboard/")
        return page

    return sign_in_as


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
