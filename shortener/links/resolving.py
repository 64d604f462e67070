"""resolve_enabled_link(): the link behind a code, or why there is none to follow."""

from __future__ import annotations

from shortener.db import Client
from shortener.errors import LinkGone, LinkNotFound
from shortener.links import store
from shortener.links.models import Campaign, Link


def resolve_enabled_link(r: Client, code: str, *, now: float) -> tuple[Link, Campaign]:
    """The link and its campaign.

    Raises LinkNotFound for an unknown code, LinkGone for a disabled or
    expired link or an archived campaign.
    """
    link = store.get_link(r, code)
    campaign = store.get_campaign(r, link.campaign_id) if link else None
    if link is None or campaign is None:
        raise LinkNotFound(f"there is no link {code!r}", field="code")
    if not link.enabled or not campaign.active:
        raise LinkGone(f"link {code!r} has been disabled", field="code")
    if link.is_expired(now):
        raise LinkGone(f"link {code!r} has expired", field="code")
    return link, campaign
