"""Links and advocates serialise as asdict() would, without its deep copy."""

from __future__ import annotations

import json
from dataclasses import asdict

from shortener.links.models import Advocate, Link

LINK = Link(code="kX3pA", campaign_id="1", advocate="cust-1", channel="whatsapp",
            destination="https://shop.example/a", utm={"utm_source": "x"}, expires_at=2e9,
            max_clicks=5, enabled=False, alias=True, created_at=1.5)
ADVOCATE = Advocate(external_id="cust-1", name="Ann", contact="ann@example.org",
                    referred_by="cust-0", share_token="t0k", created_at=1.5, erased_at=2.5)


def test_a_link_serialises_as_asdict_gives_it():
    assert list(LINK.to_dict().items()) == list(asdict(LINK).items())
    assert LINK.to_json() == json.dumps(asdict(LINK), separators=(",", ":"))
    assert Link.from_json(LINK.to_json()) == LINK


def test_a_links_dict_is_its_own_copy():
    data = LINK.to_dict()
    data["utm"]["utm_medium"] = "changed"
    assert LINK.utm == {"utm_source": "x"}


def test_an_advocate_serialises_as_asdict_gives_it():
    assert list(ADVOCATE.to_dict().items()) == list(asdict(ADVOCATE).items())
    assert ADVOCATE.to_json() == json.dumps(asdict(ADVOCATE), separators=(",", ":"))
    assert Advocate.from_json(ADVOCATE.to_json()) == ADVOCATE
    assert "contact" not in ADVOCATE.to_dict(public=True)
