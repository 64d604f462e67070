"""What an API key may do: its scopes, and the campaigns it is limited to.

Checked once for the whole blueprint, by auth.py as soon as it has found
the key, so that no view can forget it. Each operation needs one scope (OPERATION_SCOPES,
also written into the OpenAPI document); an operation missing from the
table needs ``admin``, so a new endpoint is closed until it is given a scope.

- A key without scopes (made without ``--scopes``) has full access, as keys
  had before scopes existed; a read-only one has every ``:read`` scope.
- ``admin`` grants every scope.
- A key limited to campaigns gets 404 for any other campaign, and for links,
  advocates and clicks outside them, as if they did not exist.
"""

from __future__ import annotations

import contextlib
from typing import Any

from flask import g, request

from shortener.api.apikeys import Caller
from shortener.db import get_redis
from shortener.errors import CampaignNotFound, InvalidInput, LinkNotFound, NotFound, ShortenerError

SCOPES = ("campaigns:read", "campaigns:write", "links:write", "conversions:write",
          "stats:read", "advocates:read", "webhooks:write", "admin")
READ_SCOPES = frozenset(scope for scope in SCOPES if scope.endswith(":read"))
ADMIN = "admin"

# Endpoint to the scope it needs. advocates:read guards personal data (names,
# contacts); figures, raw clicks included, are stats:read.
OPERATION_SCOPES = {
    "api.campaign_create": "campaigns:write",
    "api.campaign_change": "campaigns:write",
    "api.campaign_list": "campaigns:read",
    "api.campaign_read": "campaigns:read",
    "api.link_list": "campaigns:read",
    "api.link_read": "campaigns:read",
    "api.link_create": "links:write",
    "api.link_create_many": "links:write",
    "api.link_change": "links:write",
    "api.advocate_upsert": "links:write",
    "api.advocate_read": "advocates:read",
    "api.advocate_list": "advocates:read",
    "api.advocate_erase": "admin",
    "api.campaign_stats": "stats:read",
    "api.advocate_stats": "stats:read",
    "api.link_stats": "stats:read",
    "api.campaign_kpis": "stats:read",
    "api.click_export": "stats:read",
    "api.conversion_report": "conversions:write",
    "api.conversion_list": "stats:read",
    "api.conversion_change": "conversions:write",
    "api.webhook_create": "webhooks:write",
    "api.webhook_list": "webhooks:write",
    "api.webhook_read": "webhooks:write",
    "api.webhook_delete": "webhooks:write",
    "api.webhook_deliveries": "webhooks:write",
    "api.webhook_retry": "webhooks:write",
    "api.reward_list": "stats:read",
    "api.reward_change": "conversions:write",
    "api.survey_answer_report": "conversions:write",
    "api.survey_token_rotate": "campaigns:write",
}
PUBLIC_ENDPOINTS = frozenset({"api.openapi_document", "api.docs_page"})


class MissingScope(ShortenerError):
    status = 403
    code = "missing-scope"


class AdvocateOutOfScope(NotFound):
    code = "advocate-not-found"


def validate_scopes(values: list[str]) -> list[str]:
    """The scopes, checked and de-duplicated; InvalidInput names an unknown one."""
    cleaned = sorted({value.strip() for value in values if value.strip()})
    unknown = [value for value in cleaned if value not in SCOPES]
    if unknown:
        raise InvalidInput(f"unknown scope {unknown[0]!r}; scopes are {', '.join(SCOPES)}",
                           field="scopes")
    if not cleaned:
        raise InvalidInput("give at least one scope", field="scopes")
    return cleaned


def effective_scopes(caller: Caller) -> frozenset[str]:
    if caller.scopes is None:
        return READ_SCOPES if caller.read_only else frozenset(SCOPES)
    if ADMIN in caller.scopes:
        return frozenset(SCOPES)
    return caller.scopes


def required_scope(endpoint: str | None) -> str:
    return OPERATION_SCOPES.get(endpoint or "", ADMIN)


def sees_campaign(campaign_id: str) -> bool:
    """Whether the calling key may see this campaign (every key may, unless limited)."""
    caller: Caller | None = g.get("api_caller")
    return caller is None or not caller.campaigns or campaign_id in caller.campaigns


def visible_campaigns() -> frozenset[str] | None:
    """The campaigns a campaign-limited key sees; None for a key that sees every one."""
    caller: Caller | None = g.get("api_caller")
    if caller is None or not caller.campaigns:
        return None
    return frozenset(caller.campaigns)


def require_scope(caller: Caller) -> None:
    """403 naming the missing scope; 404 for what lies outside the key's campaigns.

    auth.py calls it once it has found the key, before any view runs.
    """
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    needed = required_scope(request.endpoint)
    if needed not in effective_scopes(caller):
        raise MissingScope(f"this API key lacks the scope {needed!r}", field="Authorization")
    if caller.campaigns:
        _require_campaigns_in_scope(caller)


def _require_campaigns_in_scope(caller: Caller) -> None:
    from shortener.config import get_settings
    from shortener.links import store
    from shortener.links.destination import verify_click_id

    r = get_redis()
    args: dict[str, Any] = request.view_args or {}
    named = [args.get("campaign_id"), request.args.get("campaign")]
    body = request.get_json(silent=True) if request.is_json else None
    if isinstance(body, dict):
        named.append(body.get("campaign"))
        if isinstance(body.get("click_id"), str):
            # A malformed click id is the view's to report.
            key = get_settings().secrets["click_id_key"].encode()
            with contextlib.suppress(InvalidInput):
                named.append(_campaign_of_link(r, verify_click_id(body["click_id"], key)))
    if args.get("code"):
        named.append(_campaign_of_link(r, args["code"]))
    if args.get("conversion_id"):
        # A conversion id starts with its campaign's id.
        named.append(str(args["conversion_id"]).partition(".")[0])
    for campaign_id in named:
        if isinstance(campaign_id, str) and campaign_id not in caller.campaigns:
            raise CampaignNotFound(f"campaign {campaign_id!r} does not exist",
                                   field="campaign")
    if request.endpoint == "api.link_list" and request.args.get("campaign") is None:
        raise InvalidInput("a key limited to campaigns lists links by campaign",
                           field="campaign")
    if request.endpoint == "api.advocate_list" and request.args.get("campaign") is None:
        raise InvalidInput("a key limited to campaigns lists advocates by campaign",
                           field="campaign")
    if request.endpoint == "api.campaign_create":
        raise MissingScope("a key limited to campaigns cannot create campaigns",
                           field="Authorization")
    external_id = args.get("external_id")
    if external_id is not None:
        campaigns = {link.campaign_id for link in store.get_links(
            r, store.list_link_codes(r, advocate=external_id))}
        # Figures and personal data of an advocate who also recommends for other
        # campaigns span those campaigns: only a key that sees all of them reads them.
        # A new advocate (no links yet) may be created, to mint their link next.
        unseen = not campaigns and request.endpoint != "api.advocate_upsert"
        if unseen or not campaigns <= caller.campaigns:
            raise AdvocateOutOfScope(f"advocate {external_id!r} does not exist",
                                     field="external_id")


def _campaign_of_link(r: Any, code: str) -> str:
    from shortener.links import store

    link = store.get_link(r, code)
    if link is None:
        raise LinkNotFound(f"link {code!r} does not exist", field="code")
    return link.campaign_id
