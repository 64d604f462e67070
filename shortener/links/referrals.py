"""Referral chains: who recruited whom, and each campaign's recruited advocates.

A campaign's recruited advocates are those of its advocates (with a link in
it) whose ``referred_by`` is an advocate of the campaign too. The set is kept
when it can change, so the KPIs read its size instead of every advocate:
when an advocate gets a first link in a campaign (they may be recruited, and
may have recruited members already), and when an advocate's ``referred_by``
changes. Each advocate keeps the set of advocates it referred, for the first
case.
"""

from __future__ import annotations

from collections.abc import Mapping

from shortener.db import Client
from shortener.links import store
from shortener.links.models import Advocate


def record_joined_campaign_many(r: Client, campaign_id: str, external_ids: list[str], *,
                                known: Mapping[str, Advocate] | None = None) -> None:
    """Many advocates' first links in a campaign (already indexed), in a few round trips.

    ``known``: records of some of them, just written by the caller, not read again.
    """
    if not external_ids:
        return
    known = known or {}
    advocates = {ident: known[ident] for ident in external_ids if ident in known}
    advocates |= store.get_advocate_map(r, [ident for ident in external_ids
                                            if ident not in known])
    referrals = store.list_referrals_of(r, external_ids)
    candidates = {ident for found in referrals.values() for ident in found}
    candidates |= {advocate.referred_by for advocate in advocates.values()
                   if advocate.referred_by}
    members = store.campaign_members(r, campaign_id, sorted(candidates))
    recruited = {ident for found in referrals.values() for ident in found if ident in members}
    recruited |= {ident for ident, advocate in advocates.items()
                  if advocate.referred_by in members}
    store.set_recruited(r, campaign_id, add=sorted(recruited))


def record_referrer_changed(r: Client, external_id: str, *, old: str | None,
                            new: str | None) -> None:
    """The advocate's ``referred_by`` went from ``old`` to ``new`` (either may be None)."""
    if old == new:
        return
    store.move_referral(r, external_id, old=old, new=new)
    links = store.get_links(r, store.list_link_codes(r, advocate=external_id))
    pipe = r.pipeline(transaction=False)
    for campaign_id in sorted({link.campaign_id for link in links}):
        if new and store.campaign_members(r, campaign_id, [new]):
            store.set_recruited(r, campaign_id, add=[external_id], pipe=pipe)
        else:
            store.set_recruited(r, campaign_id, remove=[external_id], pipe=pipe)
    pipe.execute()
