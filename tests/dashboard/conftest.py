"""Dashboard fixtures: marketer accounts and a signed-in client.

alice owns the dashboard (she has an account); mallory has none.
"""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from shortener.accounts.users import create_user

ALICE = "alice@shop.example"
ALICE_PASSWORD = "correct horse battery staple"
CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(response: TestResponse) -> str:
    """The CSRF token of the first form on a page."""
    found = CSRF_FIELD.search(response.get_data(as_text=True))
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


class DashboardActions:
    """Sign in and out as a person would: fetch the form, post it with its token."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, email: str = ALICE, password: str = ALICE_PASSWORD) -> TestResponse:
        token = csrf_token(self.client.get("/login"))
        return self.client.post("/login", data={"email": email, "password": password,
                                                "csrf_token": token})

    def logout(self) -> TestResponse:
        token = csrf_token(self.client.get("/dashboard/"))
        return self.client.post("/logout", data={"csrf_token": token})

    def post_form(self, page: str, action: str, data: dict[str, str]) -> TestResponse:
        """Post to ``action`` with the CSRF token of the form on ``page``."""
        token = csrf_token(self.client.get(page))
        return self.client.post(action, data={**data, "csrf_token": token})


@pytest.fixture
def alice(redis, app):
    return create_user(redis, email=ALICE, password=ALICE_PASSWORD)


@pytest.fixture
def dashboard(client: FlaskClient, alice) -> DashboardActions:
    return DashboardActions(client)
