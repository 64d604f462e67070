from __future__ import annotations

import pytest

from shortener.errors import InvalidAlias
from shortener.links.codes import encode_code, is_code_shaped, validate_alias


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
