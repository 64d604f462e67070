"""The survey widget's pages and public endpoint: /survey/widget.js, the frame, the answers.

Over HTTP through the app: the token, one answer per order, problem JSON naming
the field, CORS for the script only from the campaign's hosts, framing by
them, the rate limit, no cookie and no address kept.
"""

from __future__ import annotations

import dataclasses
import re
import threading

import pytest

from shortener import create_app
from shortener.survey.choices import HEARD_VIA, MAX_TEXT_LENGTH
from shortener.survey.store import ensure_survey_tokens

SHOP = "https://shop.example"


@pytest.fixture
def shop(make_campaign, redis):
    """A campaign limited to the shop's hosts, and its survey token."""
    campaign = make_campaign(allowed_hosts=["shop.example", "*.shop.example"])
    return campaign, ensure_survey_tokens(redis, [campaign.id])[campaign.id]


@pytest.fixture
def anywhere(make_campaign, redis):
    """A campaign without allowed hosts: its survey may be embedded anywhere."""
    campaign = make_campaign()
    return campaign, ensure_survey_tokens(redis, [campaign.id])[campaign.id]


def post(client, campaign_id, body, *, origin=SHOP, **headers):
    if origin:
        headers["Origin"] = origin
    return client.post(f"/survey/{campaign_id}/answers", json=body, headers=headers)


def assert_problem(response, status, field, code=None):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.json["field"] == field
    if code:
        assert response.json["code"] == code


def counts(redis, campaign_id):
    from shortener.analytics.survey import get_self_reported

    return get_self_reported(redis, campaign_id)


# The script ------------------------------------------------------------------


def test_the_script_carries_every_language_and_loads_nothing_else(client):
    response = client.get("/survey/widget.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    body = response.get_data(as_text=True)
    assert "Wie haben Sie von uns erfahren?" in body and "How did you hear about us?" in body
    assert all(f'"{value}"' in body for value in HEARD_VIA)
    assert "/*SURVEY_DATA*/null" not in body
    # No address of any other site: the script talks to the service it came from.
    assert not re.search(r"https?://", body)
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"


# The frame ---------------------------------------------------------------------


def test_the_frame_is_an_accessible_form_in_the_shops_language(client, shop):
    campaign, token = shop
    response = client.get(f"/survey/{campaign.id}/frame?token={token}&order=A-17&lang=de-AT")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="de">' in page
    assert "<legend>Wie haben Sie von uns erfahren?</legend>" in page
    for value in HEARD_VIA:
        assert f'id="heard-via-{value}"' in page and f'for="heard-via-{value}"' in page
    assert '<label for="survey-referrer">' in page
    assert f'maxlength="{MAX_TEXT_LENGTH}"' in page
    assert 'name="order_id" value="A-17"' in page
    assert "<script" not in page
    assert "Set-Cookie" not in response.headers


def test_the_frame_may_be_framed_by_the_campaigns_hosts_only(client, shop):
    campaign, token = shop
    response = client.get(f"/survey/{campaign.id}/frame?token={token}&order=1")
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors shop.example:* *.shop.example:*;" in policy
    assert "script-src 'self'" in policy and "form-action 'self'" in policy
    assert "X-Frame-Options" not in response.headers


def test_a_campaign_without_hosts_may_be_framed_anywhere(client, anywhere):
    campaign, token = anywhere
    response = client.get(f"/survey/{campaign.id}/frame?token={token}&order=1&lang=xx")
    assert "frame-ancestors *;" in response.headers["Content-Security-Policy"]
    assert '<html lang="en">' in response.get_data(as_text=True)


def test_other_pages_still_refuse_framing(client):
    response = client.get("/login")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_the_frame_with_a_wrong_token_says_so(client, shop):
    campaign, _ = shop
    response = client.get(f"/survey/{campaign.id}/frame?token=wrong&order=1")
    assert response.status_code == 403
    assert "survey token" in response.get_data(as_text=True)
    assert client.get("/survey/999/frame?token=x&order=1").status_code == 404
    assert client.get("/survey/abc/frame?token=x&order=1").status_code == 404


def test_the_frames_form_posts_and_thanks_in_the_shops_language(client, shop, redis):
    campaign, token = shop
    form = {"token": token, "order_id": "A-17", "heard_via": "friend_in_person",
            "referrer": "Oma Erna", "lang": "de"}
    response = client.post(f"/survey/{campaign.id}/answers", data=form,
                           headers={"Origin": "https://go.example"})
    assert response.status_code == 201
    assert "Vielen Dank für Ihre Antwort!" in response.get_data(as_text=True)
    assert "frame-ancestors shop.example:*" in response.headers["Content-Security-Policy"]
    again = client.post(f"/survey/{campaign.id}/answers", data=form)
    assert again.status_code == 200
    assert "liegt uns schon vor" in again.get_data(as_text=True)
    assert counts(redis, campaign.id)["friend_in_person"] == 1


def test_the_frames_form_without_a_choice_asks_again(client, shop, redis):
    campaign, token = shop
    response = client.post(f"/survey/{campaign.id}/answers", data={
        "token": token, "order_id": "A-17", "referrer": "Oma Erna", "lang": "de"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'role="alert">Bitte wählen Sie eine Antwort.' in page
    assert 'value="Oma Erna"' in page and 'name="order_id" value="A-17"' in page
    assert sum(counts(redis, campaign.id).values()) == 0


# The endpoint ----------------------------------------------------------------------


def test_an_answer_is_stored_once_per_order(client, shop, redis):
    campaign, token = shop
    body = {"token": token, "order_id": "A-17", "heard_via": "friend_whatsapp",
            "referrer": "Anna", "lang": "en"}
    first = post(client, campaign.id, body)
    assert first.status_code == 201
    assert first.json == {"order_id": "A-17", "heard_via": "friend_whatsapp", "created": True}
    assert first.headers["Access-Control-Allow-Origin"] == SHOP
    second = post(client, campaign.id, {**body, "heard_via": "search"})
    assert_problem(second, 409, "order_id", "survey-answered")
    assert second.headers["Access-Control-Allow-Origin"] == SHOP
    assert counts(redis, campaign.id)["friend_whatsapp"] == 1
    assert counts(redis, campaign.id)["search"] == 0
    from shortener.survey.store import get_answer

    stored = get_answer(redis, campaign.id, "A-17")
    assert (stored.text, stored.source, stored.advocate) == ("Anna", "widget", None)


def test_answers_sent_at_once_for_one_order_count_once(settings, shop, redis):
    campaign, token = shop
    app = create_app(dataclasses.replace(settings, survey_rate_limit="off"))
    statuses: list[int] = []
    barrier = threading.Barrier(8)

    def send(number: int) -> None:
        client = app.test_client()
        barrier.wait()
        statuses.append(post(client, campaign.id, {
            "token": token, "order_id": "A-17", "heard_via": HEARD_VIA[number % 7]}).status_code)

    threads = [threading.Thread(target=send, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    app.extensions["click_writer"].close()
    assert sorted(statuses) == [201] + [409] * 7
    assert sum(counts(redis, campaign.id).values()) == 1


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        ({"token": "wrong"}, "token", 403),
        ({"token": None}, "token", 403),
        ({"heard_via": "telepathy"}, "heard_via", 422),
        ({"heard_via": None}, "heard_via", 422),
        ({"order_id": ""}, "order_id", 422),
        ({"order_id": "x" * 129}, "order_id", 422),
        ({"order_id": ["A-17"]}, "order_id", 422),
        ({"order_id": "ORDER_ID"}, "order_id", 422),  # the snippet pasted unfilled
        ({"referrer": "x" * (MAX_TEXT_LENGTH + 1)}, "referrer", 422),
        ({"referrer": "tab\there"}, "referrer", 422),
        ({"ip": "203.0.113.77"}, "ip", 422),
    ],
)
def test_bad_input_gets_a_problem_naming_the_field(client, shop, redis, body, field, status):
    campaign, token = shop
    full = {"token": token, "order_id": "A-17", "heard_via": "search", **body}
    response = post(client, campaign.id, full)
    assert_problem(response, status, field)
    assert response.headers["Access-Control-Allow-Origin"] == SHOP
    assert sum(counts(redis, campaign.id).values()) == 0


def test_a_body_that_is_no_object_is_refused(client, shop):
    campaign, _ = shop
    response = client.post(f"/survey/{campaign.id}/answers", data="[1]",
                           content_type="application/json", headers={"Origin": SHOP})
    assert_problem(response, 422, None)
    big = client.post(f"/survey/{campaign.id}/answers", data="{" + " " * 5000 + "}",
                      content_type="application/json", headers={"Origin": SHOP})
    assert_problem(big, 413, None)


def test_an_unknown_campaign_is_404(client):
    assert_problem(post(client, "999", {"token": "x", "order_id": "1", "heard_via": "search"}),
                   404, "campaign")
    assert_problem(post(client, "nope", {"token": "x"}), 404, "campaign")


def test_a_page_on_another_site_may_not_post(client, shop, redis):
    campaign, token = shop
    body = {"token": token, "order_id": "A-17", "heard_via": "search"}
    refused = post(client, campaign.id, body, origin="https://evil.example")
    assert_problem(refused, 403, "Origin", "origin-not-allowed")
    assert "Access-Control-Allow-Origin" not in refused.headers
    for origin in ("https://www.shop.example", "http://shop.example:8080", None):
        response = post(client, campaign.id, {**body, "order_id": f"o-{origin}"}, origin=origin)
        assert response.status_code == 201, origin
    assert counts(redis, campaign.id)["search"] == 3


@pytest.mark.parametrize("origin", ["http://[::1", "https://[shop.example]", "::::"])
def test_an_origin_that_is_no_url_is_refused_not_an_error(client, shop, redis, origin):
    campaign, token = shop
    body = {"token": token, "order_id": "A-18", "heard_via": "search"}
    assert_problem(post(client, campaign.id, body, origin=origin), 403, "Origin",
                   "origin-not-allowed")
    preflight = client.options(f"/survey/{campaign.id}/answers",
                               headers={"Origin": origin, "Access-Control-Request-Method": "POST"})
    assert preflight.status_code < 500 and "Access-Control-Allow-Origin" not in preflight.headers
    assert counts(redis, campaign.id).get("search", 0) == 0


def test_the_preflight_allows_the_campaigns_hosts(client, shop):
    campaign, _ = shop
    path = f"/survey/{campaign.id}/answers"
    allowed = client.options(path, headers={"Origin": SHOP,
                                            "Access-Control-Request-Method": "POST",
                                            "Access-Control-Request-Headers": "content-type"})
    assert allowed.status_code == 204
    assert allowed.headers["Access-Control-Allow-Origin"] == SHOP
    assert allowed.headers["Access-Control-Allow-Methods"] == "POST"
    assert allowed.headers["Access-Control-Allow-Headers"] == "Content-Type"
    assert "Origin" in allowed.headers["Vary"]
    refused = client.options(path, headers={"Origin": "https://evil.example",
                                            "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in refused.headers


def test_cors_is_for_the_answers_endpoint_only(client, shop):
    campaign, token = shop
    frame = client.get(f"/survey/{campaign.id}/frame?token={token}&order=1",
                       headers={"Origin": SHOP})
    assert "Access-Control-Allow-Origin" not in frame.headers
    api = client.get("/api/v1/openapi.json", headers={"Origin": SHOP})
    assert "Access-Control-Allow-Origin" not in api.headers


def test_a_campaign_without_hosts_takes_answers_from_any_site(client, anywhere):
    campaign, token = anywhere
    response = post(client, campaign.id, {"token": token, "order_id": "1",
                                          "heard_via": "social"}, origin="https://any.example")
    assert response.status_code == 201
    assert response.headers["Access-Control-Allow-Origin"] == "https://any.example"


def test_the_rate_limit_answers_429_with_a_problem(settings, shop, redis):
    campaign, token = shop
    app = create_app(dataclasses.replace(settings, survey_rate_limit="2/minute"))
    try:
        client = app.test_client()
        statuses = [post(client, campaign.id, {"token": token, "order_id": f"o-{number}",
                                               "heard_via": "search"}).status_code
                    for number in range(3)]
        assert statuses == [201, 201, 429]
        limited = post(client, campaign.id, {"token": token, "order_id": "o-9",
                                             "heard_via": "search"})
        assert_problem(limited, 429, None)
        assert int(limited.headers["Retry-After"]) > 0
        assert limited.headers["Access-Control-Allow-Origin"] == SHOP
        # Another client address has its own allowance.
        other = client.post(f"/survey/{campaign.id}/answers", json={
            "token": token, "order_id": "o-10", "heard_via": "search"},
            environ_base={"REMOTE_ADDR": "198.51.100.9"})
        assert other.status_code == 201
        assert counts(redis, campaign.id)["search"] == 3
    finally:
        app.extensions["click_writer"].close()


def test_no_address_and_no_cookie_are_kept(client, shop, redis_server):
    campaign, token = shop
    response = client.post(f"/survey/{campaign.id}/answers", json={
        "token": token, "order_id": "A-17", "heard_via": "search", "referrer": "Anna"},
        environ_base={"REMOTE_ADDR": "203.0.113.77"},
        headers={"User-Agent": "Mozilla/5.0 (Linux; Android 14) Chrome/120 Mobile"})
    assert response.status_code == 201
    assert "Set-Cookie" not in response.headers
    raw = redis_server.client(decode_responses=False)
    dump = []
    for key in raw.scan_iter():
        dump.append(key)
        kind = raw.type(key)
        if kind == b"string":
            dump.append(raw.get(key) or b"")
        elif kind == b"hash":
            dump.extend(k + b"=" + v for k, v in raw.hgetall(key).items())
        elif kind == b"zset":
            dump.extend(raw.zrange(key, 0, -1))
    text = b"\n".join(dump).decode("latin-1")
    assert "203.0.113.77" not in text
    assert "Android" not in text


def test_a_referral_code_typed_into_the_widget_is_recognised(client, shop, redis, make_link):
    from shortener.analytics.survey import get_order_conversion
    from shortener.links.codes import get_referral_code
    from shortener.survey.store import get_answer

    campaign, token = shop
    make_link(campaign, advocate="anna")
    typed = get_referral_code(redis, campaign.id, "anna").lower().replace("-", " ")
    response = post(client, campaign.id, {"token": token, "order_id": "A-17",
                                          "heard_via": "friend_in_person", "referrer": typed})
    assert response.status_code == 201
    stored = get_answer(redis, campaign.id, "A-17")
    assert (stored.advocate, stored.text, stored.attributed) == ("anna", None, True)
    conversion = get_order_conversion(redis, campaign.id, "A-17")
    assert (conversion.advocate, conversion.channel, conversion.value) == ("anna", "code", 0)
