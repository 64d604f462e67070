"""`shortener webhook`: subscribe, list, show, see deliveries, retry and delete from the shell."""

from __future__ import annotations

import csv
import io
import json

import pytest

from shortener.cli import main
from shortener.links.minting import mint_link
from shortener.webhooks import store
from shortener.webhooks.delivery import deliver_next
from tests.webhooks.receiver import receiving

ALLOW_PRIVATE = {"WEBHOOK_ALLOW_PRIVATE": "true"}


def run(runner, *args, env=None):
    return runner.invoke(main, list(args), env=env or ALLOW_PRIVATE)


def lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


@pytest.fixture
def receiver():
    with receiving() as running:
        yield running


def test_from_subscribing_to_retrying_a_delivery(runner, redis, app_settings, make_campaign,
                                                 receiver):
    spring, autumn = make_campaign(name="Spring"), make_campaign(name="Autumn")
    made = run(runner, "webhook", "create", "--url", receiver.url, "--events",
               "link.created, advocate.created", "--campaign", spring.id)
    assert made.exit_code == 0, made.output
    created = json.loads(made.stdout)
    assert created["secret"].startswith("whsec_")
    assert created["campaigns"] == [spring.id]
    assert "not shown again" in made.stderr
    for campaign in (spring, autumn):
        mint_link(redis, app_settings, campaign_id=campaign.id, advocate=f"ann-{campaign.id}")

    shown = json.loads(run(runner, "webhook", "show", created["id"]).stdout)
    assert "secret" not in shown and shown["pending"] == 2
    listed = lines(run(runner, "webhook", "list").stdout)
    assert [(item["id"], item["pending"]) for item in listed] == [(created["id"], 2)]
    table = run(runner, "webhook", "list", "--format", "table").stdout
    assert table.splitlines()[0].split() == ["id", "url", "events", "campaigns", "pending",
                                             "created_at"]

    webhook = store.get_webhook(redis, created["id"])
    assert deliver_next(redis, webhook, "test", allow_private=True) == "delivered"
    deliveries = lines(run(runner, "webhook", "deliveries", created["id"]).stdout)
    assert [(item["type"], item["status"]) for item in deliveries] == \
        [("link.created", "pending"), ("advocate.created", "delivered")]
    assert deliveries[1]["last_response_code"] == 200 and deliveries[1]["attempts"] == 1
    delivered = lines(run(runner, "webhook", "deliveries", created["id"], "--status",
                          "delivered").stdout)
    assert [item["id"] for item in delivered] == [deliveries[1]["id"]]

    retried = run(runner, "webhook", "retry", created["id"], deliveries[1]["id"])
    assert retried.exit_code == 0, retried.output
    again = json.loads(retried.stdout)
    assert (again["status"], again["retry_of"]) == ("pending", deliveries[1]["id"])
    assert json.loads(run(runner, "webhook", "show", created["id"]).stdout)["pending"] == 2

    assert run(runner, "webhook", "delete", created["id"]).exit_code == 0
    assert lines(run(runner, "webhook", "list").stdout) == []
    assert [event["data"]["campaign"] for event in receiver.events()] == [spring.id]


def test_deliveries_are_read_page_by_page_up_to_the_limit(runner, redis, app_settings,
                                                          make_campaign):
    campaign = make_campaign()
    created = json.loads(run(runner, "webhook", "create", "--url", "http://127.0.0.1:9/x",
                             "--events", "link.created").stdout)
    for number in range(7):
        mint_link(redis, app_settings, campaign_id=campaign.id, advocate=f"a-{number}")
    every = lines(run(runner, "webhook", "deliveries", created["id"]).stdout)
    some = lines(run(runner, "webhook", "deliveries", created["id"], "--limit", "3").stdout)
    assert len(every) == 7 and some == every[:3]


def test_the_csv_list_leaves_an_empty_list_empty(runner, redis):
    created = json.loads(run(runner, "webhook", "create", "--url", "http://127.0.0.1:9/x",
                             "--events", "link.created").stdout)
    rows = list(csv.DictReader(io.StringIO(run(runner, "webhook", "list", "--format",
                                               "csv").stdout)))
    assert [row["id"] for row in rows] == [created["id"]]
    # Every campaign: no campaign listed, an empty cell (not the table's "-", defused).
    assert rows[0]["campaigns"] == ""


@pytest.mark.parametrize("args, message", [
    (["create", "--url", "http://127.0.0.1:9/x", "--events", "order.paid"], "events"),
    (["create", "--url", "ftp://hooks.example/x", "--events", "click"], "url"),
    (["create", "--url", "http://127.0.0.1:9/x", "--events", "click", "--campaign", "404"],
     "campaign"),
    (["show", "wh_0000000000000000"], "does not exist"),
    (["delete", "wh_0000000000000000"], "does not exist"),
    (["deliveries", "wh_0000000000000000"], "does not exist"),
    (["retry", "wh_0000000000000000", "1-0"], "does not exist"),
])
def test_bad_input_ends_with_one_line_naming_the_problem(runner, redis, args, message):
    result = run(runner, "webhook", *args)
    assert result.exit_code == 1
    assert message in result.stderr and "Traceback" not in result.output


def test_a_private_target_is_refused_unless_allowed(runner, redis):
    result = run(runner, "webhook", "create", "--url", "http://127.0.0.1:9/x", "--events",
                 "click", env={"WEBHOOK_ALLOW_PRIVATE": "false"})
    assert result.exit_code == 1
    assert "private" in result.stderr
