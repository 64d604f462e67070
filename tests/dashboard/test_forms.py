"""Creating campaigns and minting links from the dashboard."""

from __future__ import annotations

from shortener.links import store


def test_a_campaign_is_created_from_the_form(dashboard, client, redis) -> None:
    dashboard.login()
    response = dashboard.post_form("/dashboard/campaigns/new", "/dashboard/campaigns/new", {
        "name": "Summer", "destination": "https://shop.example/summer", "currency": "EUR",
        "utm_source": "referral", "reward_goal": "5", "cost": "250",
    })
    assert response.status_code == 302
    campaign = store.get_campaigns(redis, store.list_campaign_ids(redis))[0]
    assert (campaign.name, campaign.reward_goal, campaign.cost, campaign.utm) == \
        ("Summer", 5, 250.0, {"utm_source": "referral"})


def test_a_bad_destination_is_named_on_the_form(dashboard, client, redis) -> None:
    dashboard.login()
    response = dashboard.post_form("/dashboard/campaigns/new", "/dashboard/campaigns/new", {
        "name": "Summer", "destination": "javascript:alert(1)", "currency": "EUR"})
    assert response.status_code == 422
    assert store.list_campaign_ids(redis) == []


def test_a_forged_form_is_refused(dashboard, client, redis) -> None:
    dashboard.login()
    response = client.post("/dashboard/campaigns/new", data={
        "name": "Forged", "destination": "https://shop.example/", "currency": "EUR"})
    assert response.status_code == 400
    assert "did not come from this site" in response.get_data(as_text=True)
    assert store.list_campaign_ids(redis) == []


def test_links_are_minted_for_a_pasted_list(dashboard, client, redis, make_campaign) -> None:
    campaign = make_campaign()
    page = f"/dashboard/campaigns/{campaign.id}"
    dashboard.login()
    response = dashboard.post_form(page, f"{page}/links", {
        "advocates": "cust-1\ncust-2, cust-3\ncust-1\nbad{id}", "channel": ""})
    assert response.status_code == 303
    links = store.get_links(redis, store.list_link_codes(redis, campaign_id=campaign.id))
    assert sorted(link.advocate for link in links) == ["cust-1", "cust-2", "cust-3"]
    followed = client.get(page).get_data(as_text=True)
    assert "Minted 3 new links" in followed
    assert "bad{id}" in followed


def test_minting_again_returns_the_same_link(dashboard, client, redis, make_campaign) -> None:
    campaign = make_campaign()
    page = f"/dashboard/campaigns/{campaign.id}"
    dashboard.login()
    for _ in range(2):
        dashboard.post_form(page, f"{page}/links", {"advocates": "cust-1",
                                                    "channel": "whatsapp"})
    assert len(store.list_link_codes(redis, campaign_id=campaign.id)) == 1
    assert "1 already existed" in client.get(page).get_data(as_text=True)


def test_a_forged_mint_form_mints_nothing(dashboard, client, redis, make_campaign) -> None:
    campaign = make_campaign()
    dashboard.login()
    client.post(f"/dashboard/campaigns/{campaign.id}/links", data={"advocates": "cust-1"})
    assert store.list_link_codes(redis, campaign_id=campaign.id) == []
