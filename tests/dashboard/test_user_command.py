"""`shortener user create`: a marketer account from the command line."""

from __future__ import annotations

import json

from shortener.accounts.users import authenticate
from shortener.cli import main


def test_it_generates_a_password_and_prints_it_once(runner, redis) -> None:
    result = runner.invoke(main, ["user", "create", "--email", "Ana@Shop.example"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed["email"] == "ana@shop.example"
    assert len(printed["password"]) >= 20
    assert authenticate(redis, "ana@shop.example", printed["password"]) is not None
    assert printed["password"] not in "".join(str(redis.get(key)) for key in redis.keys("*")
                                             if redis.type(key) == "string")


def test_it_reads_the_password_from_standard_input(runner, redis) -> None:
    result = runner.invoke(main, ["user", "create", "--email", "ana@shop.example",
                                  "--password-stdin"], input="a long enough secret\n")
    assert result.exit_code == 0, result.output
    assert "password" not in json.loads(result.output)
    assert authenticate(redis, "ana@shop.example", "a long enough secret") is not None


def test_a_short_password_is_refused(runner, redis) -> None:
    result = runner.invoke(main, ["user", "create", "--email", "ana@shop.example",
                                  "--password-stdin"], input="short\n")
    assert result.exit_code == 1
    assert "password must be 12 to 1024 characters" in result.output


def test_an_existing_account_is_not_overwritten(runner, redis) -> None:
    runner.invoke(main, ["user", "create", "--email", "ana@shop.example"])
    result = runner.invoke(main, ["user", "create", "--email", "ana@shop.example"])
    assert result.exit_code == 1
    assert "already exists" in result.output
