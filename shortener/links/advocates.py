"""Advocates: upsert by external id, read, and erase personal data."""

from __future__ import annotations

import dataclasses
import re
import secrets
import time

from shortener.db import Client, rewrite_persistence
from shortener.errors import AdvocateNotFound, InvalidInput
from shortener.fraud import store as fraud_store
from shortener.links import rules, store
from shortener.links.codes import drop_referral_codes
from shortener.links.models import Advocate
from shortener.links.referrals import record_referrer_changed
from shortener.links.rules import MAX_EXTERNAL_ID_LENGTH, MAX_PERSONAL_FIELD_LENGTH
from shortener.rewards import store as rewards_store
from shortener.survey.erasure import erase_advocate_answers
from shortener.webhooks import events
from shortener.webhooks import store as webhooks_store

EXTERNAL_ID_PATTERN = re.compile(rules.EXTERNAL_ID)
_UNSET = object()
# What an erased advocate is called from then on: random, so it leads back to no one.
ERASED_ID_PREFIX = "erased-"


def validate_external_id(value: object, *, field: str = "advocate") -> str:
    if not isinstance(value, str) or not EXTERNAL_ID_PATTERN.fullmatch(value):
        raise InvalidInput(
            f"{field} must be 1 to {MAX_EXTERNAL_ID_LENGTH} characters: letters, digits "
            "and . _ @ + : - (starting with a letter or digit)",
            field=field,
        )
    return value


def _personal(value: object, field: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > MAX_PERSONAL_FIELD_LENGTH \
            or not value.isprintable():
        raise InvalidInput(
            f"{field} must be at most {MAX_PERSONAL_FIELD_LENGTH} printable characters",
            field=field,
        )
    return value.strip()


def clean_personal(value: object, field: str) -> str | None:
    """A name or contact as stored: None for empty; raises InvalidInput naming the field."""
    return _personal(value, field)


def get_advocate(r: Client, external_id: str) -> Advocate:
    advocate = store.get_advocate(r, external_id)
    if advocate is None:
        raise AdvocateNotFound(f"advocate {external_id!r} does not exist", field="advocate")
    return advocate


def ensure_advocate(r: Client, external_id: str, *, now: float | None = None,
                    campaign_id: str | None = None) -> Advocate:
    """The advocate with this external id, created bare if there is none yet.

    ``campaign_id``: the campaign whose link brings a new advocate in, named
    in the ``advocate.created`` event.
    """
    validate_external_id(external_id)
    existing = store.get_advocate(r, external_id)
    if existing is not None:
        return existing
    fresh = Advocate(external_id=external_id, share_token=secrets.token_urlsafe(16),
                     created_at=now or time.time())
    pipe = r.pipeline(transaction=False)
    if store.claim_advocate(r, fresh, pipe=pipe):
        events.enqueue(r, "advocate.created",
                       events.advocate_data(fresh, campaign=campaign_id), pipe=pipe)
        pipe.execute()
        return fresh
    return get_advocate(r, external_id)


def ensure_advocates(r: Client, external_ids: list[str], *, now: float | None = None,
                     campaign_id: str | None = None) -> dict[str, Advocate]:
    """ensure_advocate() for many valid external ids, in a few round trips.

    Returns the records of the advocates it created; the others existed.
    Each is claimed with SET NX straight away (no read first): the claim
    fails for an advocate that exists, and leaves it as it is. ``campaign_id``
    is the campaign whose links bring them in, named in ``advocate.created``.
    """
    missing = [Advocate(external_id=external_id, share_token=secrets.token_urlsafe(16),
                        created_at=now or time.time())
               for external_id in external_ids]
    claimed = store.claim_advocates(r, missing)
    fresh = [advocate for advocate, done in zip(missing, claimed, strict=True) if done]
    if fresh:
        pipe = r.pipeline(transaction=False)
        events.enqueue_many(r, "advocate.created",
                            (events.advocate_data(advocate, campaign=campaign_id)
                             for advocate in fresh), pipe=pipe,
                            now=now)
        pipe.execute()
    return {advocate.external_id: advocate for advocate in fresh}


def upsert_advocate(
    r: Client,
    external_id: str,
    *,
    name: object = _UNSET,
    contact: object = _UNSET,
    referred_by: object = _UNSET,
    campaign_id: str | None = None,
) -> tuple[Advocate, bool]:
    """Create or update an advocate; only the fields given change. Returns (advocate, created).

    ``campaign_id``: the campaign a new advocate is created for (the import's),
    named in the ``advocate.created`` event.
    """
    validate_external_id(external_id, field="external_id")
    changes: dict[str, object] = {}
    if name is not _UNSET:
        changes["name"] = _personal(name, "name")
    if contact is not _UNSET:
        changes["contact"] = _personal(contact, "contact")
    if referred_by is not _UNSET and referred_by is not None:
        referred_by = validate_external_id(referred_by, field="referred_by")
        if referred_by == external_id:
            raise InvalidInput("referred_by cannot be the advocate itself", field="referred_by")
        if store.get_advocate(r, referred_by) is None:
            raise InvalidInput(f"referred_by {referred_by!r} is not a known advocate",
                               field="referred_by")
        changes["referred_by"] = referred_by
    elif referred_by is None:
        changes["referred_by"] = None
    created = store.get_advocate(r, external_id) is None
    advocate = ensure_advocate(r, external_id, campaign_id=campaign_id)
    if changes:
        before = advocate.referred_by
        # changes holds validated values of each field's type, collected as object.
        advocate = dataclasses.replace(advocate, **changes)  # type: ignore[arg-type]
        store.save_advocate(r, advocate)
        if advocate.referred_by != before:
            record_referrer_changed(r, external_id, old=before, new=advocate.referred_by)
    return advocate, created


def erase_personal_data(r: Client, external_id: str, *, now: float | None = None,
                        settle_seconds: float = 0.0) -> Advocate:
    """Erase what identifies the advocate; every count stays, under an opaque id.

    Name and contact are dropped, and the external id (often an e-mail
    address or a customer number) is replaced wherever it is stored, key
    names included, by a random ``erased-…`` id; then Redis rewrites its
    append-only file, so the old values leave the disk too. Returns the
    erased record; raises AdvocateNotFound.

    settle_seconds: how long clicks resolved before the links changed may
    still arrive with the old id (Settings.link_settle_seconds); the rest
    of the erasure waits for them.
    """
    advocate = get_advocate(r, external_id)
    new_id = store.begin_erasure(r, external_id, ERASED_ID_PREFIX + secrets.token_hex(8))
    erased = dataclasses.replace(advocate, external_id=new_id, name=None, contact=None,
                                 erased_at=now or time.time())
    store.rename_links(r, external_id, erased.external_id)
    # A referral code may start with the first letters of the name: it goes.
    drop_referral_codes(r, external_id, store.list_campaign_ids(r))
    if settle_seconds:
        time.sleep(settle_seconds)
    store.erase_advocate(r, advocate, erased)
    # Rewards and webhook events name the advocate too.
    rewards_store.rename_advocate(r, external_id, erased.external_id)
    webhooks_store.rename_advocate(r, external_id, erased.external_id)
    # Fraud evidence (visitor hashes of the share page and of the links' clicks) goes.
    fraud_store.erase_evidence(r, [external_id, erased.external_id],
                               store.list_link_codes(r, advocate=erased.external_id))
    # Survey answers too: their code, their orders, and texts that name them, in any campaign.
    erase_advocate_answers(r, store.list_campaign_ids(r), old=external_id,
                           new=erased.external_id,
                           personal=(advocate.name, advocate.contact, external_id))
    rewrite_persistence(r)
    return erased
