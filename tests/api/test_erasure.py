"""Erasure: after DELETE /advocates/{id}/personal-data nothing identifies the person.

Not in Redis key names or values, not in the click stream, the click
listing or its CSV export, nor the conversion listing; counts stay the same, under an opaque id. The
append-only files on disk are checked in tests/storage/test_erasure_on_disk.py.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import BROWSER_UA

pytestmark = pytest.mark.cluster

EXTERNAL_ID = "ana.lopez@mail.example"
NAME = "Ana Lopez-Ferrer"
CONTACT = "+34 600 111 222"
PERSONAL = (EXTERNAL_ID, NAME, CONTACT)


def every_value(redis_server: Any) -> dict[str, bytes]:
    """Every key of the server (all cluster primaries) with its value as bytes, by type."""
    r = redis_server.client(decode_responses=False)
    found: dict[str, bytes] = {}
    for key in r.scan_iter(count=1000):
        kind = r.type(key).decode()
        if kind == "string":
            value = r.get(key) or b""
        elif kind == "hash":
            value = b"\n".join(b"%s=%s" % pair for pair in r.hgetall(key).items())
        elif kind == "zset":
            value = b"\n".join(member for member, _ in r.zrange(key, 0, -1, withscores=True))
        elif kind == "set":
            value = b"\n".join(r.smembers(key))
        elif kind == "list":
            value = b"\n".join(r.lrange(key, 0, -1))
        elif kind == "stream":
            value = b"\n".join(b"%s=%s" % pair for _, fields in r.xrange(key)
                               for pair in fields.items())
        else:
            raise AssertionError(f"{key!r} has a type this scan does not read: {kind}")
        found[key.decode()] = value
    return found


def leaks(text: str | bytes) -> list[str]:
    data = text.encode() if isinstance(text, str) else text
    return [needle for needle in PERSONAL if needle.encode() in data]


@pytest.fixture
def recorded(api, client, campaign) -> dict[str, Any]:
    """Ana with name and contact, two links clicked, a conversion, and Ben whom she recruited."""
    assert api.put(f"/advocates/{EXTERNAL_ID}",
                   json={"name": NAME, "contact": CONTACT}).status_code == 201
    assert api.put("/advocates/ben", json={"referred_by": EXTERNAL_ID}).status_code == 201
    links = [api.post("/links", json={"campaign": campaign["id"], "advocate": advocate,
                                      "channel": channel}).json
             for advocate, channel in ((EXTERNAL_ID, None), (EXTERNAL_ID, "whatsapp"),
                                       ("ben", None))]
    click_ids = []
    for link, times in zip(links, (3, 2, 1), strict=True):
        for _ in range(times):
            response = client.get(f"/{link['code']}",
                                  headers={"User-Agent": BROWSER_UA,
                                           "Referer": "https://web.whatsapp.com/"})
            assert response.status_code == 302
            query = parse_qs(urlsplit(response.headers["Location"]).query)
            assert query["utm_content"] in ([EXTERNAL_ID], ["ben"])
            click_ids.append(query["sclid"][0])
    assert api.post("/conversions", json={"click_id": click_ids[0], "order_id": "o-1",
                                          "value": 40}).status_code == 201
    assert api.post("/conversions", json={"campaign": campaign["id"], "advocate": EXTERNAL_ID,
                                          "order_id": "o-2", "value": 10}).status_code == 201
    return {"links": links, "campaign": campaign}


def figures(api, campaign_id: str, codes: list[str]) -> dict[str, Any]:
    return {
        "campaign": api.get(f"/campaigns/{campaign_id}/stats").json,
        "kpis": api.get(f"/campaigns/{campaign_id}/kpis").json,
        "links": [api.get(f"/links/{code}/stats").json for code in codes],
    }


def test_personal_data_is_there_before_erasure(api, recorded, redis_server):
    # The scan below must be able to see what erasure has to remove.
    assert leaks(b"\n".join([*map(str.encode, every_value(redis_server)),
                             *every_value(redis_server).values()])) == list(PERSONAL)


def test_erasure_leaves_nothing_that_identifies_the_person(api, client, recorded,
                                                          redis_server):
    campaign_id = recorded["campaign"]["id"]
    codes = [link["code"] for link in recorded["links"]]
    before = figures(api, campaign_id, codes)
    ana_before = api.get(f"/advocates/{EXTERNAL_ID}/stats").json

    response = api.delete(f"/advocates/{EXTERNAL_ID}/personal-data")
    assert response.status_code == 200
    erased = response.json
    assert erased["name"] is None and erased["contact"] is None and erased["erased_at"]
    assert erased["external_id"].startswith("erased-")

    stored = every_value(redis_server)
    assert [key for key in stored if leaks(key)] == []
    assert {key: leaks(value) for key, value in stored.items() if leaks(value)} == {}

    listing = api.get(f"/clicks?campaign={campaign_id}&limit=100").json
    assert len(listing["items"]) == 6
    assert leaks(str(listing)) == []
    export = api.get(f"/clicks?campaign={campaign_id}", headers={"Accept": "text/csv"})
    assert export.status_code == 200 and export.data.count(b"\n") == 7
    assert leaks(export.data) == []
    assert {item["advocate"] for item in listing["items"]} == {erased["external_id"], "ben"}
    conversions = api.get(f"/conversions?campaign={campaign_id}").json
    assert len(conversions["items"]) == 2 and leaks(str(conversions)) == []
    assert {item["advocate"] for item in conversions["items"]} == {erased["external_id"]}

    assert figures(api, campaign_id, codes) == before
    ana_after = api.get(f"/advocates/{erased['external_id']}/stats").json
    assert {**ana_after, "advocate": None} == {**ana_before, "advocate": None}
    assert api.get(f"/advocates/{EXTERNAL_ID}").status_code == 404
    assert api.get("/advocates/ben").json["referred_by"] == erased["external_id"]

    # Her links keep working and counting, now under the opaque id.
    response = client.get(f"/{codes[0]}", headers={"User-Agent": BROWSER_UA})
    assert parse_qs(urlsplit(response.headers["Location"]).query)["utm_content"] == \
        [erased["external_id"]]
    assert api.get(f"/links/{codes[0]}/stats").json["clicks"] == 4
    assert [key for key in every_value(redis_server) if leaks(key)] == []


def test_minting_again_for_the_erased_advocate_is_idempotent_under_the_new_id(api, recorded):
    campaign_id = recorded["campaign"]["id"]
    erased = api.delete(f"/advocates/{EXTERNAL_ID}/personal-data").json
    again = api.post("/links", json={"campaign": campaign_id, "advocate": erased["external_id"],
                                     "channel": "whatsapp"})
    assert again.status_code == 200
    assert again.json["code"] == recorded["links"][1]["code"]


def test_the_persistence_rewrite_reaches_every_server(redis):
    from shortener.db import _servers

    servers = _servers(redis)
    assert len({server.connection_pool.connection_kwargs.get("port") for server in servers}) \
        == len(servers)
    assert len(servers) in (1, 3)


def test_clicks_resolved_before_the_erasure_land_under_the_new_id(settings, redis_server,
                                                                   make_campaign):
    """A process that cached the link before the erasure still sends the old id for a
    while (LINK_CACHE_SECONDS); the erasure waits for those clicks and moves them too."""
    import dataclasses
    import threading
    import time

    from shortener import create_app
    from shortener.links import store
    from shortener.links.advocates import erase_personal_data, upsert_advocate
    from shortener.links.minting import mint_link

    app = create_app(dataclasses.replace(settings, link_cache_seconds=5))
    try:
        r = app.extensions["redis"]
        upsert_advocate(r, EXTERNAL_ID, name=NAME, contact=CONTACT)
        code = mint_link(r, app.extensions["settings"], campaign_id=make_campaign().id,
                         advocate=EXTERNAL_ID).link.code
        client = app.test_client()
        assert client.get(f"/{code}", headers={"User-Agent": BROWSER_UA}).status_code == 302
        erasure = threading.Thread(target=erase_personal_data, args=(r, EXTERNAL_ID),
                                   kwargs={"settle_seconds":
                                           app.extensions["settings"].link_settle_seconds})
        erasure.start()
        while store.get_link(r, code).advocate == EXTERNAL_ID:
            time.sleep(0.01)
        # The link has its new id in Redis; this process still has the old copy.
        late = client.get(f"/{code}", headers={"User-Agent": BROWSER_UA})
        assert parse_qs(urlsplit(late.headers["Location"]).query)["utm_content"] == \
            [EXTERNAL_ID]
        assert erasure.is_alive()  # the click came while the erasure waited for such clicks
        erasure.join()

        stored = every_value(redis_server)
        assert [key for key in stored if leaks(key)] == []
        assert {key: leaks(value) for key, value in stored.items() if leaks(value)} == {}
        erased = store.get_link(r, code).advocate
        assert store.get_advocate(r, erased) is not None
        from shortener.analytics.queries import get_advocate_stats
        assert get_advocate_stats(r, erased).clicks == 2
    finally:
        app.extensions["click_writer"].close()
