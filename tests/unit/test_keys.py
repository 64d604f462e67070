"""Guards on the key scheme: one module spells keys, grouped keys share a slot."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from redis.crc import key_slot

from shortener import keys

BUILDERS = [
    function for name, function in inspect.getmembers(keys, inspect.isfunction)
    if not name.startswith("_") and function.__module__ == keys.__name__
]


def _call(function):
    arity = len(inspect.signature(function).parameters)
    return function(*["x1", "20260101"][:arity])


@pytest.mark.parametrize("function", BUILDERS, ids=lambda f: f.__name__)
def test_every_key_has_the_prefix_and_a_hash_tag(function):
    built = _call(function)
    for key in built if isinstance(built, list) else [built]:
        assert key.startswith("sh:{")
        assert "}" in key


@pytest.mark.parametrize("function", BUILDERS, ids=lambda f: f.__name__)
def test_every_builder_says_what_it_holds(function):
    assert function.__doc__ and ";" in function.__doc__, "docstring names type; lifetime"


@pytest.mark.parametrize(
    "group",
    [
        [keys.link, keys.link_totals, keys.link_quota, keys.link_preview],
        [keys.campaign, keys.campaign_links, keys.campaign_link_index, keys.campaign_totals,
         keys.campaign_clicks],
        [keys.advocate, keys.advocate_links, keys.advocate_totals, keys.advocate_referrals],
        [keys.campaign, keys.campaign_recruited, keys.campaign_advocates],
    ],
)
def test_keys_of_one_record_share_a_slot(group):
    assert len({key_slot(function("x1").encode()) for function in group}) == 1


@pytest.mark.parametrize(
    ("totals", "day", "visitors"),
    [
        (keys.link_totals, keys.link_day, keys.link_visitors),
        (keys.link_totals, keys.link_month, keys.link_visitors),
        (keys.campaign_totals, keys.campaign_day, keys.campaign_visitors),
        (keys.advocate_totals, keys.advocate_day, keys.advocate_visitors),
        (keys.advocate_totals, keys.advocate_month, keys.advocate_visitors),
    ],
)
def test_counters_of_every_day_share_the_slot_of_their_totals(totals, day, visitors):
    slots = {key_slot(totals("42").encode())}
    for when in ("20260101", "20261231"):
        slots.add(key_slot(day("42", when).encode()))
        slots.add(key_slot(visitors("42", when).encode()))
    assert len(slots) == 1


def test_no_other_module_spells_a_key():
    package = Path(keys.__file__).parent
    offenders = [
        str(path.relative_to(package.parent))
        for path in package.rglob("*.py")
        if path != Path(keys.__file__) and '"sh:' in path.read_text()
    ]
    assert offenders == []


def test_advocate_keys_all_share_the_advocates_slot():
    assert len({key_slot(key.encode()) for key in keys.advocate_keys("cust-1")}) == 1
