"""GET /s/<token>: an advocate's share page: their link, one-tap share buttons, a QR code
and their progress.

Each button shares the link with ``?ch=<channel>`` (the redirect's channel
tag), so a click is attributed to the channel it was shared to even when the
app that opens it sends no referrer. The copy button and the QR code carry
the untagged link: where it ends up is not known, and the classifier decides
from the referrer and user agent. SMS has no channel of its own in the
taxonomy; its button tags ``imessage``, the phone-messaging channel (on an
iPhone the Messages app sends both), and both are dark.

A tap on a button also sends a beacon (static/js/share.js) to
``POST /s/<token>/shares``: the channel and the link, counted per campaign
and day (clicks/shares.py) and nothing else. The browser sends it in the
background, so the app switch never waits; the endpoint is public (the
share page's token is its only key), sets no cookie, and is rate-limited per
client address (SHARE_RATE_LIMIT).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import segno
from flask import Blueprint, Response, current_app, render_template, request
from markupsafe import Markup

from shortener.analytics.overview import get_advocate_progress
from shortener.api.auth import count_call
from shortener.classify import LINK_CHANNELS
from shortener.clicks.shares import record_share
from shortener.clicks.visitor import Visitor
from shortener.clicks.visitor_hash import get_salt
from shortener.config import Settings, get_settings
from shortener.db import get_redis
from shortener.errors import InvalidInput, NotFound
from shortener.fraud.store import record_share_visit
from shortener.limits import client_key
from shortener.links import store
from shortener.links.codes import get_referral_code, is_code_shaped
from shortener.links.models import Advocate, Campaign, Link
from shortener.rewards.granting import next_tier
from shortener.rewards.review import advocate_rewards
from shortener.rewards.store import get_accepted_conversions

bp = Blueprint("share", __name__)

MAX_TOKEN_LENGTH = 64
CHANNEL_PARAM = "ch"
BLANK_LINE = "\n\n"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"
)


@dataclass(frozen=True)
class ShareButton:
    key: str
    label: str
    channel: str
    href: str
    url: str


def tagged_url(short_url: str, channel: str) -> str:
    return f"{short_url}?{CHANNEL_PARAM}={channel}"


def share_buttons(short_url: str, message: str) -> list[ShareButton]:
    """The one-tap buttons, each opening an app with the channel-tagged link."""

    def q(text: str) -> str:
        return quote(text, safe="")

    def button(key: str, label: str, channel: str, href_for: Any) -> ShareButton:
        url = tagged_url(short_url, channel)
        return ShareButton(key, label, channel, href_for(url), url)

    return [
        button("whatsapp", "WhatsApp", "whatsapp",
               lambda url: f"https://wa.me/?text={q(f'{message} {url}')}"),
        button("telegram", "Telegram", "telegram",
               lambda url: f"https://t.me/share/url?url={q(url)}&text={q(message)}"),
        button("messenger", "Messenger", "messenger",
               lambda url: f"fb-messenger://share/?link={q(url)}"),
        button("sms", "SMS", "imessage",
               lambda url: f"sms:?&body={q(f'{message} {url}')}"),
        button("email", "E-mail", "email",
               lambda url: f"mailto:?subject={q(message)}&body={q(message + BLANK_LINE + url)}"),
        button("linkedin", "LinkedIn", "linkedin",
               lambda url: f"https://www.linkedin.com/sharing/share-offsite/?url={q(url)}"),
        button("x", "X", "twitter",
               lambda url: f"https://x.com/intent/tweet?text={q(message)}&url={q(url)}"),
    ]


def qr_svg(url: str) -> Markup:
    """The link as an inline SVG QR code (segno), sized by CSS."""
    code = segno.make(url, error="m")
    svg = code.svg_inline(scale=1, border=2, dark="#1d2330", light="#ffffff", omitsize=True,
                          svgclass="qr-code", title="QR code of your link")
    # Safe to mark: segno writes the SVG itself from our own URL; nothing user-typed.
    return Markup(svg)


def _choose_link(links: list[Link], campaigns: dict[str, Campaign],
                 wanted: str | None) -> Link | None:
    """The link to share: in the asked-for campaign, else the newest active campaign;
    the untagged link first, since the buttons add the channel themselves."""
    usable = [link for link in links if link.enabled and link.campaign_id in campaigns]
    if wanted:
        usable = [link for link in usable if link.campaign_id == wanted] or usable
    usable.sort(key=lambda link: (campaigns[link.campaign_id].active, link.channel is None,
                                  link.created_at), reverse=True)
    return usable[0] if usable else None


def _note_visit(r: Any, external_id: str, settings: Settings) -> None:
    """Keep today's visitor hash of whoever opens the page, for the self-referral rule: a
    conversion through a click by the same visitor the same day is held for review."""
    now = time.time()
    day = time.strftime("%Y%m%d", time.gmtime(now))
    visitor = Visitor.from_request(request, key=settings.secrets["visitor_key"].encode(),
                                   salt=get_salt(r, day),
                                   trusted=current_app.extensions["trusted_networks"])
    record_share_visit(r, external_id, visitor.visitor_hash, now=now)


def _advocate_of(token: str) -> Advocate:
    """The advocate whose share page the token opens; NotFound naming ``token``."""
    if len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        raise NotFound("there is no share page at this address", field="token")
    advocate = store.get_advocate_by_share_token(get_redis(), token)
    if advocate is None:
        raise NotFound("there is no share page at this address; ask for a new link",
                       field="token")
    return advocate


@bp.get("/s/<token>")
def page(token: str) -> Any:
    r = get_redis()
    settings = get_settings()
    advocate = _advocate_of(token)
    _note_visit(r, advocate.external_id, settings)
    links = store.get_links(r, store.list_link_codes(r, advocate=advocate.external_id))
    campaigns = {campaign.id: campaign for campaign in
                 store.get_campaigns(r, sorted({link.campaign_id for link in links}))}
    chosen = _choose_link(links, campaigns, request.args.get("campaign"))
    context: dict[str, Any] = {"advocate": advocate, "link": chosen}
    if chosen is not None:
        campaign = campaigns[chosen.campaign_id]
        short_url = settings.short_url(chosen.code)
        message = f"I recommend {campaign.name}:"
        context.update(
            campaign=campaign,
            short_url=short_url,
            buttons=share_buttons(short_url, message),
            qr=qr_svg(short_url),
            progress=get_advocate_progress(r, campaign, advocate.external_id),
            other_campaigns=[item for item in campaigns.values() if item.id != campaign.id],
            referral_code=get_referral_code(r, campaign.id, advocate.external_id),
        )
        if campaign.rewards:
            reached = get_accepted_conversions(r, campaign.id, advocate.external_id)
            context.update(rewards_earned=advocate_rewards(r, campaign.id, advocate.external_id),
                           next_reward=next_tier(campaign, reached))
    response = Response(render_template("share/page.html", share_token=token, **context))
    # The token in this page's address must not leak to the apps the buttons open.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/s/<token>/shares")
def record_share_tap(token: str) -> Response:
    """Count a tap on one of the share page's buttons: form fields ``channel`` (a channel
    of the taxonomy) and ``link`` (the code of the advocate's link it shared).

    Answers 204; an unknown token 404, a bad channel or link 422 naming it, too
    many taps from one address 429. Nothing about the person tapping is kept.
    """
    count_call(get_settings().share_rate_limit, "share-taps", client_key())
    advocate = _advocate_of(token)
    channel = request.form.get("channel", "")
    if channel not in LINK_CHANNELS:
        raise InvalidInput("channel must be a channel of the taxonomy, e.g. whatsapp",
                           field="channel")
    code = request.form.get("link", "")
    link = store.get_link(get_redis(), code) if is_code_shaped(code) else None
    if link is None or link.advocate != advocate.external_id:
        raise InvalidInput("link must be the code of a link on this share page", field="link")
    record_share(get_redis(), link.campaign_id, channel)
    response = Response(status=204)
    response.headers["Cache-Control"] = "no-store"
    return response
