"""The advocate share page over HTTP: found by token, unknown tokens refused."""

from __future__ import annotations

from shortener.links.advocates import get_advocate, upsert_advocate


def test_an_unknown_token_gets_a_not_found_page(client) -> None:
    response = client.get("/s/no-such-token")
    assert response.status_code == 404
    assert "there is no share page at this address" in response.get_data(as_text=True)


def test_the_share_page_does_not_leak_its_token_as_referrer(client, redis, make_link) -> None:
    make_link(advocate="cust-1")
    response = client.get(f"/s/{get_advocate(redis, 'cust-1').share_token}")
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_an_advocate_without_a_link_gets_a_friendly_page(client, redis) -> None:
    advocate, _ = upsert_advocate(redis, "cust-9")
    response = client.get(f"/s/{advocate.share_token}")
    assert response.status_code == 200
    assert "You have no link to share yet" in response.get_data(as_text=True)
