"""The advocate share page over HTTP: found by token, unknown tokens refused."""

from __future__ import annotations

from shortener.links.advocates import get_advocate, upsert_advocate
from shortener.links.codes import get_referral_code


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


def test_the_share_page_offers_the_advocates_code(client, redis, make_campaign, make_link) -> None:
    campaign = make_campaign()
    upsert_advocate(redis, "cust-2", name="Anna")
    make_link(campaign, advocate="cust-2")
    page = client.get(f"/s/{get_advocate(redis, 'cust-2').share_token}").get_data(as_text=True)
    code = get_referral_code(redis, campaign.id, "cust-2")
    assert "Or give your friends your code" in page
    assert f"<code>{code}</code>" in page
