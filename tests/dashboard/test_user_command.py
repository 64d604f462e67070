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


def test_the_first_user_is_an_admin_and_later_ones_viewers(runner, redis) -> None:
    first = json.loads(runner.invoke(main, ["user", "create", "--email", "a@shop.example"]).stdout)
    second = json.loads(runner.invoke(main, ["user", "create", "--email", "b@shop.example"]).stdout)
    chosen = runner.invoke(main, ["user", "create", "--email", "c@shop.example", "--role",
                                  "editor"])
    assert (first["role"], second["role"], json.loads(chosen.stdout)["role"]) == (
        "admin", "viewer", "editor")
    assert runner.invoke(main, ["user", "create", "--email", "d@shop.example", "--role",
                                "owner"]).exit_code == 2


def test_users_are_listed_set_reset_and_deleted(runner, redis) -> None:
    from shortener.accounts.users import get_user

    runner.invoke(main, ["user", "create", "--email", "a@shop.example"])
    runner.invoke(main, ["user", "create", "--email", "b@shop.example"])
    lines = runner.invoke(main, ["user", "list"]).stdout.splitlines()
    assert [json.loads(line)["email"] for line in lines] == ["a@shop.example", "b@shop.example"]
    assert all("password_hash" not in line for line in lines)
    table = runner.invoke(main, ["user", "list", "--format", "table"]).stdout.splitlines()
    assert table[0].split() == ["email", "role", "must_change_password", "created_at"]
    assert table[2].split()[:2] == ["b@shop.example", "viewer"]

    set_role = runner.invoke(main, ["user", "set-role", "--email", "b@shop.example",
                                    "--role", "editor"])
    assert json.loads(set_role.stdout)["role"] == "editor"
    assert get_user(redis, "b@shop.example").role == "editor"

    reset = runner.invoke(main, ["user", "reset-password", "--email", "b@shop.example",
                                 "--password-stdin"], input="one time password 12\n")
    assert reset.exit_code == 0, reset.output
    assert "password" not in json.loads(reset.stdout)
    assert authenticate(redis, "b@shop.example", "one time password 12") is not None
    assert get_user(redis, "b@shop.example").must_change_password
    printed = json.loads(runner.invoke(main, ["user", "reset-password", "--email",
                                              "b@shop.example"]).stdout)
    assert authenticate(redis, "b@shop.example", printed["password"]) is not None

    assert runner.invoke(main, ["user", "delete", "--email", "b@shop.example"]).exit_code == 0
    assert get_user(redis, "b@shop.example") is None
    missing = runner.invoke(main, ["user", "delete", "--email", "b@shop.example"])
    assert missing.exit_code == 1 and "there is no user with e-mail" in missing.output
