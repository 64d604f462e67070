from __future__ import annotations

import pytest

from shortener.errors import InvalidAlias
from shortener.links.codes import (
    canonical_referral_code,
    encode_code,
    is_code_shaped,
    name_prefix,
    new_referral_code,
    validate_alias,
)


@pytest.mark.parametrize("alias", ["spring-sale", "abc", "A_1", "x" * 64])
def test_it_accepts_good_aliases(alias):
    assert validate_alias(alias) == alias


@pytest.mark.parametrize(
    ("alias", "problem"),
    [
        ("ab", "3 to 64"),
        ("x" * 65, "3 to 64"),
        ("-abc", "start with"),
        ("has space", "letters"),
        ("ünï", "letters"),
        ("a/b", "letters"),
        ("api", "reserved"),
        ("HEALTHZ", "reserved"),
        ("static", "reserved"),
        ("metrics", "reserved"),
    ],
)
def test_it_refuses_bad_aliases_naming_the_field(alias, problem):
    with pytest.raises(InvalidAlias) as caught:
        validate_alias(alias)
    assert caught.value.field == "alias"
    assert problem in caught.value.message


def test_codes_respect_length_and_alphabet():
    alphabet = "abcdefghijkmnopqrstuvwxyz23456789"
    codes = {encode_code(n, salt="s", min_length=6, alphabet=alphabet) for n in range(1, 500)}
    assert len(codes) == 499
    assert all(len(code) >= 6 and set(code) <= set(alphabet) for code in codes)


@pytest.mark.parametrize("text", ["", "a" * 65, "a.b", "%00", "a b", "ü"])
def test_paths_that_cannot_be_codes_are_recognised(text):
    assert not is_code_shaped(text)


@pytest.mark.parametrize(
    ("path", "served"),
    [("/kX3pA", True), ("/spring-anna", True), ("/login", False), ("/dashboard", False),
     ("/healthz", False), ("/s/token", False), ("/api/v1/links", False), ("/", False),
     ("/favicon.ico", False)],
)
def test_the_redirects_paths_are_told_apart_before_routing(path, served):
    from shortener.links.codes import is_short_link_path

    assert is_short_link_path(path) is served


@pytest.mark.parametrize(("typed", "canonical"), [
    ("ANNA-7K2P", "ANNA7K2P"), ("anna 7k2p", "ANNA7K2P"), ("Oliver-22", "011VER22"),
    ("0L1VER_22", "011VER22"), ("zoë-2345", "Z0E2345"), ("7K2-P4X", "7K2P4X"),
])
def test_a_referral_code_reads_the_same_however_it_is_typed(typed, canonical):
    assert canonical_referral_code(typed) == canonical


@pytest.mark.parametrize("typed", ["", "---", "ANNA!", "A" * 33, None, 42, "名前-2345"])
def test_what_cannot_be_a_referral_code_reads_as_none(typed):
    assert canonical_referral_code(typed) is None


@pytest.mark.parametrize(("name", "prefix"), [
    ("Anna Maria", "ANNA"), ("Élodie", "ELODIE"), ("Maximilian", "MAXIMI"), ("Jo", "JO"),
    ("X", None), ("", None), (None, None), ("李", None), ("  ", None),
])
def test_the_prefix_is_the_first_letters_of_the_first_name(name, prefix):
    assert name_prefix(name) == prefix


def test_random_characters_have_no_look_alikes():
    drawn = "".join(new_referral_code(None) for _ in range(200)).replace("-", "")
    assert not set(drawn) & set("01OILU")
    assert new_referral_code("ANNA").startswith("ANNA-")


def test_every_character_of_the_alphabet_comes_up_in_every_place():
    # 3,000 draws: a character missing from a place by chance has odds of e**-100.
    from shortener.links.rules import REFERRAL_CODE_ALPHABET

    drawn = [new_referral_code("ANNA", extra=1).removeprefix("ANNA-") for _ in range(3000)]
    assert {len(code) for code in drawn} == {5}
    for place in range(5):
        assert {code[place] for code in drawn} == set(REFERRAL_CODE_ALPHABET)


@pytest.mark.parametrize(
    ("salt", "min_length", "alphabet"),
    [("s", 6, "abcdefghijkmnopqrstuvwxyz23456789"),
     ("a salt of forty characters, as made ...", 5,
      "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"),
     ("", 12, "0123456789abcdef"),
     ("no padding", 0, "abcdefghijklmnopqrstuvwxyz")],
)
def test_codes_are_spelled_as_hashids_spells_them(salt, min_length, alphabet):
    # Links minted before keep their codes: the faster encoder must agree with hashids.
    from hashids import Hashids

    reference = Hashids(salt=salt, min_length=min_length, alphabet=alphabet)
    numbers = [*range(3000), *range(10**6, 10**6 + 1000), 2**40 + 7, 2**63 - 1]
    assert [encode_code(n, salt=salt, min_length=min_length, alphabet=alphabet)
            for n in numbers] == [reference.encode(n) for n in numbers]
