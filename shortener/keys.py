"""Every Redis key the service uses, and nothing else.

One shape: ``sh:{<tag>}:<what>[:<qualifier>]``, days as ``YYYYMMDD`` in UTC.
The part in braces is the Redis Cluster hash tag: keys that one operation
touches together (a Lua script, a multi-key PFCOUNT) share it, so they live
in one slot. A link's record, its counters and its preview signal share
``{l:<code>}``; a campaign's share ``{c:<id>}``; an advocate's ``{a:<id>}``.
No other module spells a key.
"""

from __future__ import annotations

PREFIX = "sh"


def _key(tag: str, what: str, *qualifiers: str) -> str:
    return ":".join((f"{PREFIX}:{{{tag}}}", what, *qualifiers))


# Instance -------------------------------------------------------------------


def secrets() -> str:
    """Hash, secret name to value (hashids salt, visitor, session and click id keys); forever."""
    return _key("instance", "secrets")


def visitor_salt(day: str) -> str:
    """String, the random salt of one UTC day's visitor hashes; 2 days."""
    return _key("instance", "salt", day)


def link_counter() -> str:
    """String, the counter that hashids turns into short codes; forever."""
    return _key("seq", "links")


def campaign_counter() -> str:
    """String, the counter that numbers campaigns; forever."""
    return _key("seq", "campaigns")


def campaigns() -> str:
    """Sorted set, campaign id scored by creation time; forever."""
    return _key("idx", "campaigns")


def advocates() -> str:
    """Sorted set, advocate external id scored by creation time; forever."""
    return _key("idx", "advocates")


# Campaign -------------------------------------------------------------------


def campaign(campaign_id: str) -> str:
    """String, the campaign as JSON; forever."""
    return _key(f"c:{campaign_id}", "campaign")


def campaign_links(campaign_id: str) -> str:
    """Sorted set, link code scored by creation time; forever."""
    return _key(f"c:{campaign_id}", "links")


def campaign_link_index(campaign_id: str) -> str:
    """Hash, "<advocate>\\t<channel>" to link code: makes minting idempotent; forever."""
    return _key(f"c:{campaign_id}", "mint")


def campaign_totals(campaign_id: str) -> str:
    """Hash, counter name to count over all time (see clicks.counters); forever."""
    return _key(f"c:{campaign_id}", "totals")


def campaign_day(campaign_id: str, day: str) -> str:
    """Hash, counter name to count for one UTC day; 400 days."""
    return _key(f"c:{campaign_id}", "day", day)


def campaign_visitors(campaign_id: str, day: str) -> str:
    """HyperLogLog, visitor hashes of one UTC day, counted into the day's "visitors"; 3 days."""
    return _key(f"c:{campaign_id}", "visitors", day)


def campaign_clicks(campaign_id: str) -> str:
    """Stream, raw click events; capped by STREAM_MAXLEN and the retention window."""
    return _key(f"c:{campaign_id}", "clicks")


def campaign_batches(campaign_id: str) -> str:
    """Hash, click writer id to the sequence of its last batch applied here; forever."""
    return _key(f"c:{campaign_id}", "batches")


# Advocate -------------------------------------------------------------------


def advocate(external_id: str) -> str:
    """String, the advocate as JSON; forever, personal fields erasable."""
    return _key(f"a:{external_id}", "advocate")


def advocate_links(external_id: str) -> str:
    """Sorted set, link code scored by creation time; forever."""
    return _key(f"a:{external_id}", "links")


def advocate_totals(external_id: str) -> str:
    """Hash, counter name to count over all time; forever."""
    return _key(f"a:{external_id}", "totals")


def advocate_day(external_id: str, day: str) -> str:
    """Hash, counter name to count for one UTC day (schema 1, folded into advocate_month
    by the migration); 400 days."""
    return _key(f"a:{external_id}", "day", day)


def advocate_visitors(external_id: str, day: str) -> str:
    """HyperLogLog, visitor hashes of one UTC day, counted into the month hash; 3 days."""
    return _key(f"a:{external_id}", "visitors", day)


def advocate_batches(external_id: str) -> str:
    """Hash, click writer id to the sequence of its last batch applied here; forever."""
    return _key(f"a:{external_id}", "batches")


# Link -----------------------------------------------------------------------


def link(code: str) -> str:
    """String, the link as JSON; forever. SET NX on it claims a code."""
    return _key(f"l:{code}", "link")


def link_totals(code: str) -> str:
    """Hash, counter name to count over all time; forever."""
    return _key(f"l:{code}", "totals")


def link_day(code: str, day: str) -> str:
    """Hash, counter name to count for one UTC day (schema 1, folded into link_month by
    the migration); 400 days."""
    return _key(f"l:{code}", "day", day)


def link_visitors(code: str, day: str) -> str:
    """HyperLogLog, visitor hashes of one UTC day, counted into the month hash; 3 days."""
    return _key(f"l:{code}", "visitors", day)


def link_quota(code: str) -> str:
    """String, human clicks granted against the link's max clicks; forever."""
    return _key(f"l:{code}", "quota")


def link_batches(code: str) -> str:
    """Hash, click writer id to the sequence of its last batch applied here; forever."""
    return _key(f"l:{code}", "batches")


def link_preview(code: str) -> str:
    """String, channel of the latest preview fetch; PREVIEW_WINDOW_SECONDS."""
    return _key(f"l:{code}", "preview")


def share_token(token: str) -> str:
    """String, the external id of the advocate whose share page this token opens; forever."""
    return _key(f"t:{token}", "share")


def campaign_advocates(campaign_id: str) -> str:
    """Sorted set, external ids of advocates with a link in the campaign, by first link; forever."""
    return _key(f"c:{campaign_id}", "advocates")


def campaign_leaderboard(campaign_id: str) -> str:
    """Sorted set, advocate external id scored by human clicks; forever."""
    return _key(f"c:{campaign_id}", "leaderboard")


def campaign_conversion_board(campaign_id: str) -> str:
    """Sorted set, advocate external id scored by conversions; forever."""
    return _key(f"c:{campaign_id}", "converters")


def campaign_orders(campaign_id: str) -> str:
    """Hash, external order id to the conversion as JSON: makes reporting idempotent; forever."""
    return _key(f"c:{campaign_id}", "orders")


def campaign_converted_clicks(campaign_id: str) -> str:
    """Hash, click id to the order it booked: a click converts once; forever."""
    return _key(f"c:{campaign_id}", "converted")


def campaign_conversions(campaign_id: str) -> str:
    """Sorted set, external order id scored by the conversion's time in ms; forever."""
    return _key(f"c:{campaign_id}", "conversions")


# API keys -------------------------------------------------------------------


def api_keys() -> str:
    """Hash, API key id to the key's record as JSON (name, prefix, digest, flags); forever."""
    return _key("apikeys", "records")


def api_key_digests() -> str:
    """Hash, SHA-256 of a live API key to its id and read-only flag as JSON; forever."""
    return _key("apikeys", "digests")


# Marketer accounts ------------------------------------------------------------


def user(email: str) -> str:
    """String, the marketer account as JSON (email, password hash, created_at); forever."""
    return _key(f"u:{email}", "user")


def users() -> str:
    """Sorted set, marketer e-mail addresses scored by creation time; forever."""
    return _key("idx", "users")


# Erasure ----------------------------------------------------------------------


def advocate_prefix(external_id: str) -> str:
    """The start of every key named by the advocate's external id; a prefix, not a key.

    Erasure moves every key with this prefix under the advocate's opaque id
    (the rest of the name kept). Every per-advocate key must carry the
    ``{a:<id>}`` tag, so that it starts with this prefix, or erasure leaves it behind.
    """
    return f"{PREFIX}:{{a:{external_id}}}:"


def advocate_erasure(external_id: str) -> str:
    """String, the opaque id an erasure in progress gives the advocate; until it ends."""
    return _key(f"a:{external_id}", "erasure")


def advocate_scratch(external_id: str) -> str:
    """Any type, a scratch copy in the advocate's slot while two keys merge; seconds."""
    return _key(f"a:{external_id}", "scratch")


def campaign_clicks_rewrite(campaign_id: str) -> str:
    """Stream, campaign_clicks being rewritten by an erasure; renamed over it when done."""
    return _key(f"c:{campaign_id}", "clicks", "rewrite")


def user_sessions(email: str) -> str:
    """Hash, SHA-256 of each live dashboard session id to its sign-in time; pruned at sign-in."""
    return _key(f"u:{email}", "sessions")


# Counters folded by month, and figures kept on write ---------------------------
# Links and advocates keep one hash per month with day-qualified fields
# ("07cwhatsapp", see counters.day_field), not one hash per day: a programme
# spreads few clicks over many advocates and days, and a key costs more than
# its fields.
# Visitor HyperLogLogs only deduplicate while their day's salt is live; the
# day's count goes into a "visitors" field, so they live a few days only.


def link_month(code: str, month: str) -> str:
    """Hash, a day's counter spelled short ("07n", counters.day_field) to count, for each
    UTC day of one month (YYYYMM); 431 days."""
    return _key(f"l:{code}", "month", month)


def advocate_month(external_id: str, month: str) -> str:
    """Hash, a day's counter spelled short ("07n", counters.day_field) to count, for each
    UTC day of one month (YYYYMM); 431 days."""
    return _key(f"a:{external_id}", "month", month)


def campaign_recruited(campaign_id: str) -> str:
    """Set, the campaign's advocates whose referred_by is an advocate of it; forever."""
    return _key(f"c:{campaign_id}", "recruited")


def advocate_referrals(external_id: str) -> str:
    """Set, external ids of the advocates whose referred_by is this advocate; forever."""
    return _key(f"a:{external_id}", "referrals")


def schema_version() -> str:
    """String, the version of the key layout the data is in (see shortener.migrations); forever."""
    return _key("instance", "schema")


def migration_lock() -> str:
    """String, held by the one process upgrading the data; MIGRATION_LOCK_SECONDS."""
    return _key("instance", "migrating")


def legacy_day_pattern(kind: str) -> str:
    """Pattern for SCAN, the per-day hashes of links ("l") or advocates ("a") before
    schema 2; matches keys that the migration folds into month hashes."""
    return f"{PREFIX}:{{{kind}:*}}:day:*"


def month_pattern(kind: str) -> str:
    """Pattern for SCAN, the month hashes of links ("l") or advocates ("a"); matches
    keys whose fields the schema 4 migration spells short."""
    return f"{PREFIX}:{{{kind}:*}}:month:*"


def advocate_keys(external_id: str) -> list[str]:
    """List of the advocate's keys that carry no date (record, links, totals, batches,
    referrals); month hashes and visitor HyperLogLogs match advocate_pattern()."""
    return [advocate(external_id), advocate_links(external_id),
            advocate_totals(external_id), advocate_batches(external_id),
            advocate_referrals(external_id)]


def advocate_pattern(external_id: str) -> str:
    """Pattern for SCAN, every key in the advocate's hash tag; matches, holds nothing."""
    return f"{PREFIX}:{{a:{external_id}}}:*"


# Programme (every campaign together) ------------------------------------------


def programme_day(day: str) -> str:
    """Hash, every campaign's counters of one UTC day summed, plus each campaign's
    headline figures as "campaign:<id>:<name>" (see clicks.counters); 400 days."""
    return _key("p", "day", day)


def programme_visitors(campaign_id: str, day: str) -> str:
    """HyperLogLog, one campaign's visitor hashes of one UTC day, counted into the
    programme day; 3 days."""
    return _key("p", "visitors", campaign_id, day)


def programme_batches() -> str:
    """Hash, click writer id to the sequence of its last batch applied to the programme
    keys; forever."""
    return _key("p", "batches")


def programme_day_pattern() -> str:
    """Pattern for SCAN, every programme day hash; matches, holds nothing."""
    return f"{PREFIX}:{{p}}:day:*"


# Webhooks ---------------------------------------------------------------------


def webhooks() -> str:
    """Hash, webhook id to the subscription as JSON (url, events, secret); forever."""
    return _key("webhooks", "subscriptions")


def webhook_version() -> str:
    """String, a counter raised on every subscription change, so caches know to reload; forever."""
    return _key("webhooks", "version")


def webhook_queue(webhook_id: str) -> str:
    """Stream, events waiting for delivery, oldest first; capped by WEBHOOK_MAX_PENDING."""
    return _key(f"w:{webhook_id}", "queue")


def webhook_head(webhook_id: str) -> str:
    """String, JSON attempt state of the delivery at the head of the queue; until delivered."""
    return _key(f"w:{webhook_id}", "head")


def webhook_log(webhook_id: str) -> str:
    """List, finished deliveries as JSON, newest first; the last few hundred."""
    return _key(f"w:{webhook_id}", "log")


def webhook_lease(webhook_id: str) -> str:
    """String, token of the process delivering this subscription's events; seconds."""
    return _key(f"w:{webhook_id}", "lease")


def webhook_queue_rewrite(webhook_id: str) -> str:
    """Stream, webhook_queue being rewritten by an erasure; renamed over it when done."""
    return _key(f"w:{webhook_id}", "queue", "rewrite")


def webhook_batches(webhook_id: str) -> str:
    """Hash, click writer id to the sequence of its last batch queued here; forever."""
    return _key(f"w:{webhook_id}", "batches")


# Rewards ----------------------------------------------------------------------
# One hash tag for all of them: a grant writes the record and its indexes in
# one script, and rewards are few (one per advocate and tier).


def reward_records() -> str:
    """Hash, reward id to the reward as JSON; forever."""
    return _key("rewards", "records")


def reward_claims() -> str:
    """Hash, "<campaign>\\t<advocate>\\t<tier conversions>" to reward id: grants once; forever."""
    return _key("rewards", "claims")


def reward_index() -> str:
    """Sorted set, every reward id scored by creation time; forever."""
    return _key("rewards", "index")


def reward_campaign_index(campaign_id: str) -> str:
    """Sorted set, a campaign's reward ids scored by creation time; forever."""
    return _key("rewards", "campaign", campaign_id)


# The running service -----------------------------------------------------------


def service() -> str:
    """Hash, what the serving process announced at start (public URL, address, data
    folder, host and pid); until it stops."""
    return _key("instance", "service")


# Fraud review -------------------------------------------------------------------
# Evidence about visitors is named by the keyed daily visitor hash only (never
# an address) and lives FRAUD_EVIDENCE_SECONDS: a visitor hash means nothing once
# its day's salt is gone. Erasure deletes the advocate's (see fraud.store).


def advocate_share_visits(external_id: str, day: str) -> str:
    """Hash, visitor hash to the time of its first visit to the advocate's share page that
    UTC day; 2 days."""
    return _key(f"a:{external_id}", "sharevisits", day)


def link_click_visitors(code: str, day: str) -> str:
    """Hash, click id token to "<visitor hash> <time> <channel>" of the link's human clicks
    that UTC day; 2 days."""
    return _key(f"l:{code}", "clickvisitors", day)


def link_visitor_hours(code: str, day: str) -> str:
    """Hash, "<visitor hash>:<HH>" to the human clicks one visitor made on the link in that
    UTC hour; 2 days."""
    return _key(f"l:{code}", "visitorhours", day)


def campaign_converting_visitors(campaign_id: str, day: str) -> str:
    """Hash, visitor hash to the conversions of the campaign booked through that visitor's
    clicks of that UTC day; 2 days."""
    return _key(f"c:{campaign_id}", "convertingvisitors", day)


def campaign_review(campaign_id: str) -> str:
    """Sorted set, order ids of the campaign's conversions held for review, scored by time
    in ms; until reviewed."""
    return _key(f"c:{campaign_id}", "review")


# Catalogue changes ------------------------------------------------------------


def catalogue_changes() -> str:
    """Stream, one entry per write to link or campaign records (fields ``n``, the
    entry's number; ``links`` and ``campaigns``, the codes and ids written,
    space-separated); the last CATALOGUE_CHANGES_KEPT entries (links.store).
    Every process drops its cached copies of what an entry names."""
    return _key("catalogue", "changes")


# Referral codes and shares ------------------------------------------------------
# A campaign's codes share its hash tag: a code is claimed (SET NX on its key)
# and then given to the advocate (HSETNX on the campaign's hash) in one slot.


def campaign_referral_code(campaign_id: str, canonical: str) -> str:
    """String, the external id of the advocate whose referral code reads ``canonical``
    (see links.codes.canonical_referral_code); SET NX claims the code; forever."""
    return _key(f"c:{campaign_id}", "refcode", canonical)


def campaign_referral_codes(campaign_id: str) -> str:
    """Hash, advocate external id to their referral code in the campaign as shown; forever."""
    return _key(f"c:{campaign_id}", "refcodes")


def campaign_shares(campaign_id: str, day: str) -> str:
    """Hash, channel to share-button taps on the share page for one UTC day; 400 days."""
    return _key(f"c:{campaign_id}", "shares", day)


def campaign_share_totals(campaign_id: str) -> str:
    """Hash, channel to share-button taps over all time; forever."""
    return _key(f"c:{campaign_id}", "shares")


# Survey ("how did you hear about us?") ----------------------------------------
# A campaign's survey keys share its {c:<id>} tag: recording an answer checks
# the order, stores it and counts it in one script.


def survey_token(campaign_id: str) -> str:
    """String, the campaign's survey token that the widget sends; forever, replaced on
    rotation."""
    return _key(f"c:{campaign_id}", "survey", "token")


def survey_answers(campaign_id: str) -> str:
    """Hash, external order id to the survey answer as JSON: one answer per order;
    forever, free text dropped after the retention window."""
    return _key(f"c:{campaign_id}", "survey", "answers")


def survey_texts(campaign_id: str) -> str:
    """Sorted set, order ids of answers that hold free text, scored by the answer's time
    in ms; until the text is dropped (retention) or erased."""
    return _key(f"c:{campaign_id}", "survey", "texts")


def survey_totals(campaign_id: str) -> str:
    """Hash, answer (heard_via) to the number of answers over all time; forever."""
    return _key(f"c:{campaign_id}", "survey", "totals")


def survey_days(campaign_id: str) -> str:
    """Hash, "<YYYYMMDD>:<heard_via>" to the answers given on that UTC day: one key, so a
    range of any length is one read; forever (seven fields a day at most)."""
    return _key(f"c:{campaign_id}", "survey", "days")


def survey_measured(campaign_id: str) -> str:
    """Hash, "all" and "<YYYYMMDD>" (the answer's UTC day) to the friend answers whose
    order a click or a referral code brought (survey.tally); forever."""
    return _key(f"c:{campaign_id}", "survey", "measured")


def survey_measured_orders(campaign_id: str) -> str:
    """Set, order ids counted in survey_measured, so each order counts once; forever."""
    return _key(f"c:{campaign_id}", "survey", "measured", "orders")
