"""Create and change campaigns; the API, dashboard and CLI all call these."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from typing import Any

from shortener.db import Client
from shortener.errors import CampaignNotFound, InvalidInput
from shortener.fraud.rules import clean_rules, rules_of
from shortener.links import rules, store
from shortener.links.destination import validate_destination, validate_utm
from shortener.links.models import Campaign
from shortener.links.rules import (
    MAX_ALLOWED_HOSTS,
    MAX_FRIEND_INCENTIVE_LENGTH,
    MAX_NAME_LENGTH,
    MAX_REWARD_NAME_LENGTH,
    MAX_REWARD_TIERS,
    MAX_TIER_CONVERSIONS,
)

STATUSES = ("active", "archived")
EDITABLE_FIELDS = (
    "name", "destination", "utm", "allowed_hosts", "cost", "value_per_click",
    "currency", "channel_utm", "reward_goal", "status", "rewards", "friend_incentive",
    "code_prefix",
    "fraud_rules",
)


def _text(value: object, field: str, max_length: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{field} must be a non-empty string", field=field)
    if len(value) > max_length or not value.isprintable():
        raise InvalidInput(
            f"{field} must be at most {max_length} printable characters", field=field
        )
    return value.strip()


def _hosts(value: object) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list | tuple) or len(value) > MAX_ALLOWED_HOSTS:
        raise InvalidInput(
            f"allowed_hosts must be a list of at most {MAX_ALLOWED_HOSTS} host names",
            field="allowed_hosts",
        )
    hosts = []
    for host in value:
        bare = host[2:] if isinstance(host, str) and host.startswith("*.") else host
        if not rules.matches(rules.HOST_NAME, bare) or len(host) > rules.MAX_HOST_LENGTH:
            raise InvalidInput(f"allowed_hosts has an invalid host {host!r}",
                               field="allowed_hosts")
        hosts.append(host.lower())
    return hosts


def _tiers(value: object) -> list[dict[str, Any]]:
    """Reward tiers, each a name and the accepted conversions that earn it, in order."""
    if value is None:
        return []
    if not isinstance(value, list | tuple) or len(value) > MAX_REWARD_TIERS:
        raise InvalidInput(f"rewards must be a list of at most {MAX_REWARD_TIERS} tiers",
                           field="rewards")
    tiers: list[dict[str, Any]] = []
    for index, tier in enumerate(value):
        if not isinstance(tier, Mapping) or set(tier) != {"name", "conversions"}:
            raise InvalidInput("each reward tier is {\"name\": ..., \"conversions\": n}",
                               field=f"rewards.{index}")
        name = _text(tier["name"], f"rewards.{index}.name", MAX_REWARD_NAME_LENGTH)
        count = tier["conversions"]
        if isinstance(count, bool) or not isinstance(count, int) \
                or not 1 <= count <= MAX_TIER_CONVERSIONS:
            raise InvalidInput(f"conversions must be a whole number from 1 to "
                               f"{MAX_TIER_CONVERSIONS}", field=f"rewards.{index}.conversions")
        if any(earlier["conversions"] == count for earlier in tiers):
            raise InvalidInput("two tiers need the same number of conversions",
                               field=f"rewards.{index}.conversions")
        tiers.append({"name": name, "conversions": count})
    return sorted(tiers, key=lambda tier: tier["conversions"])


def parse_tiers(text: str) -> list[dict[str, object]]:
    """Tiers from "conversions, name" lines (dashboard form, CLI); raise InvalidInput naming
    ``rewards``. Checked further by the campaign's own rules when saved."""
    tiers: list[dict[str, object]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        count, separator, name = line.replace(":", ",", 1).partition(",")
        if not separator or not count.strip().isdigit() or not name.strip():
            raise InvalidInput(f"line {number}: write the conversions, a comma and the "
                               "reward, e.g. \"3, Free month\"", field="rewards")
        tiers.append({"name": name.strip(), "conversions": int(count)})
    return tiers


def _clean(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Validate the editable fields present in ``fields``; raise InvalidInput naming one."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        name = sorted(unknown)[0]
        raise InvalidInput(f"{name} is not a campaign field", field=name)
    cleaned: dict[str, Any] = {}
    if "name" in fields:
        cleaned["name"] = _text(fields["name"], "name", MAX_NAME_LENGTH)
    if "allowed_hosts" in fields:
        cleaned["allowed_hosts"] = _hosts(fields["allowed_hosts"])
    if "utm" in fields:
        cleaned["utm"] = validate_utm(fields["utm"])
    for name in ("cost", "value_per_click"):
        if name in fields:
            cleaned[name] = rules.amount(fields[name], field=name)
    if "currency" in fields:
        currency = fields["currency"]
        if not rules.matches(rules.CURRENCY, currency):
            raise InvalidInput("currency must be a three-letter ISO 4217 code", field="currency")
        cleaned["currency"] = currency.upper()
    if "channel_utm" in fields:
        if not isinstance(fields["channel_utm"], bool):
            raise InvalidInput("channel_utm must be true or false", field="channel_utm")
        cleaned["channel_utm"] = fields["channel_utm"]
    if "reward_goal" in fields:
        goal = fields["reward_goal"]
        cleaned["reward_goal"] = None if goal is None else rules.whole_number(
            goal, field="reward_goal", minimum=1, maximum=rules.MAX_REWARD_GOAL)
    if "rewards" in fields:
        cleaned["rewards"] = _tiers(fields["rewards"])
    if "friend_incentive" in fields:
        text = fields["friend_incentive"]
        cleaned["friend_incentive"] = None if text is None or text == "" else \
            _text(text, "friend_incentive", MAX_FRIEND_INCENTIVE_LENGTH)
    if "code_prefix" in fields:
        prefix = fields["code_prefix"]
        if prefix is not None and prefix != "" and not rules.matches(rules.CODE_PREFIX, prefix):
            raise InvalidInput(f"code_prefix must be 1 to {rules.MAX_CODE_PREFIX_LENGTH} "
                               "letters or digits", field="code_prefix")
        cleaned["code_prefix"] = prefix.upper() if prefix else None
    if fields.get("fraud_rules") is not None:
        # Null, as the API document allows, changes nothing. Only the rules sent:
        # create lays them over the defaults, update over the campaign's.
        cleaned["fraud_rules"] = clean_rules(fields["fraud_rules"])
    if "status" in fields:
        if fields["status"] not in STATUSES:
            raise InvalidInput(f"status must be one of {', '.join(STATUSES)}", field="status")
        cleaned["status"] = fields["status"]
    return cleaned


def create_campaign(r: Client, *, name: str, destination: str, now: float | None = None,
                    **fields: Any) -> Campaign:
    """Validate and save a new campaign; raise InvalidInput naming the first bad field."""
    cleaned = _clean({"name": name, **fields})
    cleaned["fraud_rules"] = rules_of(cleaned.get("fraud_rules"))
    cleaned["destination"] = validate_destination(
        destination, allowed_hosts=cleaned.get("allowed_hosts", ())
    )
    campaign = Campaign(
        id=store.next_campaign_id(r), created_at=now or time.time(), **cleaned
    )
    store.save_campaign(r, campaign)
    return campaign


def get_campaign(r: Client, campaign_id: str) -> Campaign:
    """The campaign; raise CampaignNotFound if there is none."""
    campaign = store.get_campaign(r, campaign_id) if campaign_id else None
    if campaign is None:
        raise CampaignNotFound(f"campaign {campaign_id!r} does not exist", field="campaign")
    return campaign


def update_campaign(r: Client, campaign_id: str, changes: Mapping[str, Any]) -> Campaign:
    """Apply validated changes; the destination is checked against the allowed hosts."""
    campaign = get_campaign(r, campaign_id)
    cleaned = _clean({name: value for name, value in changes.items() if name != "destination"})
    if "fraud_rules" in cleaned:
        cleaned["fraud_rules"] = {**rules_of(campaign.fraud_rules), **cleaned["fraud_rules"]}
    updated = dataclasses.replace(campaign, **cleaned)
    if "destination" in changes or "allowed_hosts" in cleaned:
        destination = changes.get("destination", updated.destination)
        updated = dataclasses.replace(updated, destination=validate_destination(
            destination, allowed_hosts=updated.allowed_hosts))
    store.save_campaign(r, updated)
    return updated
