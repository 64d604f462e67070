"""One rule, one place: the API schemas, the dashboard form and the CLI agree with the domain.

Each rule is tried at its limit and one past it through every adapter that
checks it; a limit or pattern copied into an adapter and later changed on
one side fails here. A scan also fails when a pattern of links/rules.py is
spelled again anywhere else.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError
from wtforms.validators import Length, NumberRange, Regexp

from shortener.api import schemas
from shortener.cli import link_mint
from shortener.dashboard.forms import CampaignForm
from shortener.errors import InvalidInput
from shortener.links import rules
from shortener.links.advocates import validate_external_id
from shortener.links.campaigns import _clean
from shortener.links.codes import validate_alias
from shortener.links.destination import validate_destination, validate_utm
from shortener.links.minting import _max_clicks

SHORTENER = Path(__file__).resolve().parents[2] / "shortener"
LONG_URL = "https://shop.example/" + "a" * (rules.MAX_DESTINATION_LENGTH - 21)
ID = "a" * rules.MAX_EXTERNAL_ID_LENGTH
ALIAS = "a" * rules.MAX_ALIAS_LENGTH


def _domain_accepts(check, value) -> bool:
    try:
        check(value)
    except InvalidInput:
        return False
    return True


def _schema_accepts(model, data) -> bool:
    try:
        model.model_validate(data)
    except ValidationError:
        return False
    return True


# (what, domain check, schema model, body for a value, value at the limit, value past it)
CASES = [
    ("destination", validate_destination, schemas.CampaignCreate,
     lambda v: {"name": "n", "destination": v}, LONG_URL, LONG_URL + "a"),
    ("campaign name", lambda v: _clean({"name": v}), schemas.CampaignCreate,
     lambda v: {"name": v, "destination": "https://shop.example/"},
     "n" * rules.MAX_NAME_LENGTH, "n" * (rules.MAX_NAME_LENGTH + 1)),
    ("utm value", lambda v: validate_utm({"utm_term": v}), schemas.Utm,
     lambda v: {"utm_term": v}, "u" * rules.MAX_UTM_LENGTH, "u" * (rules.MAX_UTM_LENGTH + 1)),
    ("external id", validate_external_id, schemas.LinkCreate,
     lambda v: {"campaign": "1", "advocate": v}, ID, ID + "a"),
    ("external id start", validate_external_id, schemas.LinkCreate,
     lambda v: {"campaign": "1", "advocate": v}, "a.b@c+d:e-f_g", "-abc"),
    ("alias", validate_alias, schemas.LinkCreate,
     lambda v: {"campaign": "1", "advocate": "a", "alias": v}, ALIAS, ALIAS + "a"),
    ("short alias", validate_alias, schemas.LinkCreate,
     lambda v: {"campaign": "1", "advocate": "a", "alias": v},
     "a" * rules.MIN_ALIAS_LENGTH, "a" * (rules.MIN_ALIAS_LENGTH - 1)),
    ("max clicks", _max_clicks, schemas.LinkUpdate, lambda v: {"max_clicks": v},
     rules.MAX_CLICKS_LIMIT, rules.MAX_CLICKS_LIMIT + 1),
    ("whole max clicks", _max_clicks, schemas.LinkUpdate, lambda v: {"max_clicks": v},
     5.0, 5.5),
    ("reward goal", lambda v: _clean({"reward_goal": v}), schemas.CampaignUpdate,
     lambda v: {"reward_goal": v}, rules.MAX_REWARD_GOAL, rules.MAX_REWARD_GOAL + 1),
    ("cost", lambda v: _clean({"cost": v}), schemas.CampaignUpdate, lambda v: {"cost": v},
     rules.MAX_AMOUNT, rules.MAX_AMOUNT * 10),
    ("currency", lambda v: _clean({"currency": v}), schemas.CampaignUpdate,
     lambda v: {"currency": v}, "usd", "US1"),
    ("allowed hosts", lambda v: _clean({"allowed_hosts": v}), schemas.CampaignUpdate,
     lambda v: {"allowed_hosts": v}, ["*.shop.example"] * rules.MAX_ALLOWED_HOSTS,
     ["*.shop.example"] * (rules.MAX_ALLOWED_HOSTS + 1)),
    ("allowed host", lambda v: _clean({"allowed_hosts": [v]}), schemas.CampaignUpdate,
     lambda v: {"allowed_hosts": [v]}, "*." + "a" * 63 + ".example", "*.-a.example"),
    ("allowed host length", lambda v: _clean({"allowed_hosts": [v]}), schemas.CampaignUpdate,
     lambda v: {"allowed_hosts": [v]}, ".".join(["a" * 63] * 3 + ["b" * 61]),
     ".".join(["a" * 63] * 3 + ["b" * 62])),
]


@pytest.mark.parametrize(("what", "check", "model", "body", "at_limit", "past_limit"), CASES,
                         ids=[case[0] for case in CASES])
def test_the_domain_and_the_api_schema_draw_the_same_line(what, check, model, body, at_limit,
                                                          past_limit):
    assert _domain_accepts(check, at_limit), f"domain refuses {what} at its limit"
    assert _schema_accepts(model, body(at_limit)), f"schema refuses {what} at its limit"
    assert not _domain_accepts(check, past_limit), f"domain takes {what} past its limit"
    assert not _schema_accepts(model, body(past_limit)), f"schema takes {what} past its limit"


def _validator(form_field, kind):
    return next(v for v in form_field.kwargs["validators"] if isinstance(v, kind))


def test_the_dashboard_form_reads_the_domain_limits():
    assert _validator(CampaignForm.name, Length).max == rules.MAX_NAME_LENGTH
    assert _validator(CampaignForm.destination, Length).max == rules.MAX_DESTINATION_LENGTH
    for name in ("utm_source", "utm_medium", "utm_campaign"):
        assert _validator(getattr(CampaignForm, name), Length).max == rules.MAX_UTM_LENGTH
    for name in ("cost", "value_per_click"):
        assert _validator(getattr(CampaignForm, name), NumberRange).max == rules.MAX_AMOUNT
    assert _validator(CampaignForm.reward_goal, NumberRange).max == rules.MAX_REWARD_GOAL
    currency = _validator(CampaignForm.currency, Regexp).regex
    assert currency.match("EUR") and not currency.match("EU1")
    hosts = _validator(CampaignForm.allowed_hosts, Length).max
    assert hosts >= rules.MAX_ALLOWED_HOSTS * (rules.MAX_HOST_LENGTH + 3)


def test_the_cli_reads_the_domain_limits():
    option = next(param for param in link_mint.params if param.name == "max_clicks")
    assert option.type.max == rules.MAX_CLICKS_LIMIT


def _spelled_outside_rules(text: str) -> list[str]:
    return [path.relative_to(SHORTENER).as_posix() for path in SHORTENER.rglob("*.py")
            if path.name != "rules.py" and text in path.read_text()]


@pytest.mark.parametrize("pattern", [rules.EXTERNAL_ID, rules.ALIAS, rules.HOST_NAME,
                                     rules.ALLOWED_HOST])
def test_no_pattern_is_spelled_twice(pattern):
    assert _spelled_outside_rules(pattern) == []


def test_the_external_id_characters_are_spelled_once():
    characters = re.findall(r"\[[^\]]+\]", rules.EXTERNAL_ID)[1]
    assert characters == "[A-Za-z0-9._@+:-]"
    assert _spelled_outside_rules(characters) == []
