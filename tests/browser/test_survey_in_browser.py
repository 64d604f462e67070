"""The survey widget on a shop's thank-you page, end to end, in headless Chromium at 360 px.

The real service runs under gunicorn (tests/serving.py); the shop is another
origin (``localhost`` on its own port, the service on ``127.0.0.1``) with a
strict policy of its own. Each test answers with the keyboard alone, then
reads the figure back from the API. Every request the page makes goes to
the shop or the service, and no cookie is set.
"""

from __future__ import annotations

import http.client
import http.server
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from shortener.api.apikeys import create_api_key
from tests.browser.conftest import PHONE, screenshot
from tests.serving import free_port, gunicorn

pytestmark = [pytest.mark.browser, pytest.mark.slow]


class Service:
    def __init__(self, port: int, key: str) -> None:
        self.port, self.key = port, key
        self.origin = f"http://127.0.0.1:{port}"

    def call(self, method: str, path: str, body: Any = None) -> Any:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"}
        try:
            connection.request(method, path, body=None if body is None else json.dumps(body),
                               headers=headers)
            response = connection.getresponse()
            data = json.loads(response.read())
        finally:
            connection.close()
        assert response.status < 300, data
        return data


class Shop:
    """The shop's site: serves the thank-you page set in ``page`` with a strict CSP."""

    def __init__(self, service: Service) -> None:
        self.page = ""
        self.policy = (f"default-src 'self'; script-src {service.origin}; connect-src "
                       f"{service.origin}; frame-src {service.origin}; style-src 'self'; "
                       "img-src 'self'")
        shop = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = shop.page.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Security-Policy", shop.policy)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://localhost:{self.server.server_port}/thanks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def thank_you_page(self, snippet: str, order_id: str, language: str = "en") -> str:
        filled = snippet.replace("ORDER_ID", order_id)
        self.page = (f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
                     '<meta name="viewport" content="width=device-width, initial-scale=1">'
                     '<title>Thank you</title></head><body><h1>Thank you for your order'
                     f'</h1><a href="/orders">Your orders</a>{filled}<footer><a href="/">'
                     'Shop</a></footer></body></html>')
        return self.url

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def running(redis, redis_server, tmp_path) -> Iterator[tuple[Service, Shop, dict[str, Any]]]:
    key = create_api_key(redis, name="shop")[1]
    with gunicorn(redis_url=redis_server.url, data_dir=tmp_path,
                  log=tmp_path / "gunicorn.log") as port:
        service = Service(port, key)
        campaign = service.call("POST", "/api/v1/campaigns", {
            "name": "Spring", "destination": "http://localhost/spring",
            "allowed_hosts": ["localhost"]})
        shop = Shop(service)
        try:
            yield service, shop, campaign
        finally:
            shop.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE)
    opened = context.new_page()
    yield opened
    assert context.cookies() == [], "the survey set a cookie"
    context.close()


def watch(page: Page, allowed: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Requests to anywhere but ``allowed`` origins, and the console's CSP refusals."""
    elsewhere: list[str] = []
    refused: list[str] = []
    page.on("request", lambda request: elsewhere.append(request.url)
            if not request.url.startswith(allowed) else None)
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    return elsewhere, refused


def focused_in_widget(page: Page) -> str:
    return page.evaluate("""() => {
        const active = document.querySelector('.shortener-survey').shadowRoot.activeElement;
        return active ? (active.value || active.getAttribute('role') || active.tagName) : '';
    }""")


def self_reported(service: Service, campaign: dict[str, Any]) -> dict[str, int]:
    return service.call("GET", f"/api/v1/campaigns/{campaign['id']}/stats")["self_reported"]


def test_the_script_widget_is_answered_with_the_keyboard_alone(running, phone: Page):
    service, shop, campaign = running
    elsewhere, refused = watch(phone, (service.origin, "http://localhost:"))
    phone.goto(shop.thank_you_page(campaign["survey_embed"], "A-1001"))
    widget = phone.locator(".shortener-survey")
    expect(widget.get_by_role("group", name="How did you hear about us?")).to_be_visible()
    assert widget.get_by_role("radio").count() == 7
    expect(widget.get_by_label("Who recommended us? (name or code, optional)")).to_have_attribute(
        "maxlength", "200")
    # Nothing wider than the phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    phone.keyboard.press("Tab")  # the shop's own link
    phone.keyboard.press("Tab")  # into the widget: the first choice
    assert focused_in_widget(phone) == "friend_whatsapp"
    phone.keyboard.press("Tab")  # past the group, to the text field
    phone.keyboard.press("Tab")  # the button
    phone.keyboard.press("Enter")  # nothing chosen yet
    expect(widget.get_by_role("alert")).to_have_text("Please choose one answer.")
    screenshot(phone, "survey-widget-form-phone")
    assert focused_in_widget(phone) == "friend_whatsapp"
    phone.keyboard.press("ArrowDown")
    phone.keyboard.press("ArrowDown")  # a friend, by e-mail
    phone.keyboard.press("Tab")
    phone.keyboard.type("Anna from the climbing club")
    phone.keyboard.press("Tab")
    phone.keyboard.press("Enter")
    expect(widget.get_by_role("status")).to_have_text("Thank you for your answer!")
    assert focused_in_widget(phone) == "status"
    screenshot(phone, "survey-widget-thanks-phone")

    assert self_reported(service, campaign)["friend_email"] == 1
    assert sum(self_reported(service, campaign).values()) == 1
    assert elsewhere == [] and refused == []

    # The same order again (a reload of the thank-you page): thanked, not counted twice.
    phone.reload()
    widget.get_by_label("A friend, in person").check()
    widget.get_by_role("button", name="Send answer").click()
    expect(widget.get_by_role("status")).to_have_text(
        "Thank you: we already have your answer for this order.")
    assert sum(self_reported(service, campaign).values()) == 1


def test_the_iframe_survey_asks_in_german_and_works_without_script(running, browser: Browser):
    service, shop, campaign = running
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    phone = context.new_page()
    try:
        elsewhere, refused = watch(phone, (service.origin, "http://localhost:"))
        snippet = campaign["survey_embed_frame"].replace("lang=en", "lang=de")
        phone.goto(shop.thank_you_page(snippet, "A-1002", language="de"))
        frame = phone.frame_locator("iframe")
        expect(frame.get_by_role("group", name="Wie haben Sie von uns erfahren?")
               ).to_be_visible()
        # From the shop's own link, one Tab goes into the frame: the first choice.
        # (Focused by the test, not by a first Tab: on a loaded machine the page may
        # not hold the keyboard yet when the first key is sent.)
        phone.get_by_role("link", name="Your orders").focus()
        phone.keyboard.press("Tab")
        expect(frame.locator("#heard-via-friend_whatsapp")).to_be_focused()
        phone.keyboard.press("ArrowDown")
        phone.keyboard.press("ArrowDown")
        phone.keyboard.press("ArrowDown")  # von Freunden, im Gespräch
        expect(frame.get_by_label("Von Freunden, im Gespräch")).to_be_checked()
        phone.keyboard.press("Tab")
        phone.keyboard.type("Oma Erna")
        phone.keyboard.press("Tab")
        phone.keyboard.press("Enter")
        expect(frame.get_by_role("status")).to_have_text("Vielen Dank für Ihre Antwort!")
        assert elsewhere == [] and refused == []
        assert context.cookies() == []
    finally:
        context.close()
    assert self_reported(service, campaign)["friend_in_person"] == 1


def test_a_site_outside_the_campaigns_hosts_cannot_frame_the_survey(running, phone: Page):
    _, shop, campaign = running
    outsider = campaign["survey_embed_frame"].replace("ORDER_ID", "A-1003")
    page = shop.thank_you_page(outsider, "A-1003").replace("localhost", "127.0.0.1")
    shop.policy = shop.policy.replace("frame-src", "frame-src 'self'")
    refused: list[str] = []
    phone.on("console", lambda message: refused.append(message.text))
    phone.goto(page)
    phone.wait_for_timeout(500)
    assert any("frame-ancestors" in text for text in refused), refused
