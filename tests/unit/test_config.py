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
