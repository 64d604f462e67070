"""The pages work under their Content-Security-Policy: nothing they need is refused."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def refusals(page: Page) -> list[str]:
    """Collects the console's CSP refusals ("Refused to load/execute/apply ...")."""
    seen: list[str] = []
    page.on("console", lambda message: seen.append(message.text)
            if "Content Security Policy" in message.text else None)
    return seen


def test_the_api_docs_render_every_operation(page: Page, live_server) -> None:
    refused = refusals(page)
    response = page.goto(f"{live_server.url}/api/v1/docs")
    assert response is not None
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.locator(".opblock").count() > 10
    page.locator(".opblock-summary").first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()
    assert refused == []


def test_the_dashboard_draws_its_charts(sign_in, page: Page, make_link) -> None:
    make_link()
    refused = refusals(page)
    sign_in()
    expect(page.locator("#chart-series")).to_have_attribute("data-drawn", "true")
    page.goto(page.url)
    expect(page.locator("#chart-series")).to_have_attribute("data-drawn", "true")
    assert refused == []
