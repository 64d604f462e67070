from __future__ import annotations

from pathlib import Path

import pytest

from shortener.config import ConfigError, Settings, documented_variables


def test_defaults_need_no_environment():
    settings = Settings.from_env({})
    assert settings.redis_url == ""
    assert settings.data_dir == Path("var")


def test_it_reads_each_variable():
    settings = Settings.from_env({
        "DATA_DIR": "/srv/data", "CODE_MIN_LENGTH": "7", "PUBLIC_URL": "https://go.example/",
        "REDIS_URL": "redis+cluster://10.0.0.1:7000", "REDIRECT_RATE_LIMIT": "off",
    })
    assert settings.data_dir == Path("/srv/data")
    assert settings.code_min_length == 7
    assert settings.public_url == "https://go.example"
    assert settings.redis_url.startswith("redis+cluster://")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CODE_MIN_LENGTH", "zero"),
        ("CODE_MIN_LENGTH", "0"),
        ("PUBLIC_URL", "ftp://x"),
        ("REDIS_URL", "mysql://db"),
        ("SECURE_COOKIES", "maybe"),
        ("CODE_ALPHABET", "abc"),
        ("REDIRECT_RATE_LIMIT", "lots"),
        ("LOG_LEVEL", "chatty"),
    ],
)
def test_a_bad_value_names_the_variable(name, value):
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: value})


def test_the_readme_documents_every_variable():
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    missing = [name for name, _ in documented_variables() if f"`{name}`" not in readme]
    assert missing == []


@pytest.mark.parametrize(("environ", "expected"), [
    ({}, "http://127.0.0.1:8000"),
    ({"PORT": "9000"}, "http://127.0.0.1:9000"),
    ({"HOST": "0.0.0.0", "PORT": "9000"}, "http://127.0.0.1:9000"),
    ({"HOST": "10.0.0.7"}, "http://10.0.0.7:8000"),
    ({"HOST": "::1", "PORT": "9001"}, "http://[::1]:9001"),
    ({"PORT": "9000", "PUBLIC_URL": "https://go.example"}, "https://go.example"),
])
def test_public_url_follows_the_address_served(environ, expected):
    assert Settings.from_env(environ).public_url == expected


def test_only_a_given_public_url_counts_as_explicit():
    assert not Settings.from_env({"PORT": "9000"}).public_url_explicit
    assert Settings.from_env({"PUBLIC_URL": "https://go.example"}).public_url_explicit


@pytest.mark.parametrize(("name", "value"), [("PORT", "abc"), ("PORT", "70000"),
                                             ("HOST", "a b")])
def test_a_bad_address_names_the_variable(name, value):
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: value})


def test_a_derived_public_url_stays_derived_through_replace():
    import dataclasses

    derived = Settings.from_env({"PORT": "9000"})
    assert not dataclasses.replace(derived, secrets={"a": "b"}).public_url_explicit
    given = Settings.from_env({"PUBLIC_URL": "https://go.example"})
    assert dataclasses.replace(given, secrets={"a": "b"}).public_url_explicit
