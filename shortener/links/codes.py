"""Codes: a link's short code (hashids over a Redis counter, custom aliases and
their rules), and an advocate's referral code in a campaign.

A referral code is read aloud, printed or typed at checkout: a prefix (the
campaign's ``code_prefix``, else the first letters of the advocate's name),
a dash, then random characters from rules.REFERRAL_CODE_ALPHABET, which has
no look-alikes. What a customer types is read through
canonical_referral_code(): case, dashes and spaces do not matter, and O, I
and L read as 0, 1 and 1 (Crockford's rule), so "anna 7k2p" and "ANNA-7K2P"
are one code, and a prefix such as "OLIVER" still matches when typed with
zeros. Uniqueness within the campaign is claimed with SET NX on the
canonical form (links/store.py).
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Mapping, Sequence
from functools import lru_cache

from hashids import Hashids, _reorder

from shortener.db import Client
from shortener.errors import InvalidAlias
from shortener.links import rules, store
from shortener.links.models import Advocate, Campaign
from shortener.links.rules import MAX_ALIAS_LENGTH, MIN_ALIAS_LENGTH

ALIAS_PATTERN = re.compile(rules.ALIAS_CHARACTERS)
# Anything a code or alias can be; the redirect drops other paths before Redis.
CODE_PATTERN = re.compile(rules.CODE)

# First path segments the app serves itself, and words that would mislead.
RESERVED_WORDS = frozenset({
    "api", "s", "static", "healthz", "readyz", "metrics", "login", "logout",
    "dashboard", "admin", "docs", "favicon.ico", "robots.txt", "assets",
    "account", "settings", "help", "about", "www",
})


class _CodeEncoder:
    """Hashids' code for one number, exactly as Hashids(salt, min_length, alphabet)
    .encode(number) spells it, about five times faster (bulk minting spells
    thousands): each number's alphabet is one of a few dozen shuffles, which
    hashids redoes on every call and this keeps. Codes minted before must keep
    their spelling, so the steps are hashids 1.3's own (tests/unit/test_codes.py
    holds the two to the same codes).
    """

    def __init__(self, salt: str, min_length: int, alphabet: str) -> None:
        reference = Hashids(salt=salt, min_length=min_length, alphabet=alphabet)
        # Hashids keeps the alphabet it derived (separators and guards taken out).
        self.salt: str = reference._salt
        self.min_length: int = reference._min_length
        self.alphabet: str = reference._alphabet
        self.guards: str = reference._guards
        self._shuffles: dict[str, str] = {}
        self._padding: dict[str, list[str]] = {}

    def _shuffled(self, lottery: str) -> str:
        found = self._shuffles.get(lottery)
        if found is None:
            found = self._shuffles[lottery] = _reorder(
                self.alphabet, (lottery + self.salt + self.alphabet)[:len(self.alphabet)])
        return found

    def _paddings(self, alphabet: str) -> list[str]:
        """The alphabets _ensure_length pads with, one more per round."""
        found = self._padding.setdefault(alphabet, [])
        if not found:
            found.append(_reorder(alphabet, alphabet))
        return found

    def encode(self, number: int) -> str:
        values_hash = number % 100
        encoded = lottery = self.alphabet[values_hash % len(self.alphabet)]
        alphabet = self._shuffled(lottery)
        size = len(alphabet)
        hashed = ""
        while True:
            hashed = alphabet[number % size] + hashed
            number //= size
            if not number:
                break
        encoded += hashed
        if len(encoded) >= self.min_length:
            return encoded
        # hashids' _ensure_length, its alphabets taken from the kept ones.
        guards = self.guards
        encoded = guards[(values_hash + ord(encoded[0])) % len(guards)] + encoded
        if len(encoded) < self.min_length:
            encoded += guards[(values_hash + ord(encoded[2])) % len(guards)]
        split_at = size // 2
        paddings = self._paddings(alphabet)
        round_number = 0
        while len(encoded) < self.min_length:
            if round_number == len(paddings):
                paddings.append(_reorder(paddings[-1], paddings[-1]))
            padding = paddings[round_number]
            round_number += 1
            encoded = padding[split_at:] + encoded + padding[:split_at]
            excess = len(encoded) - self.min_length
            if excess > 0:
                encoded = encoded[excess // 2:excess // 2 + self.min_length]
        return encoded


@lru_cache(maxsize=8)
def _encoder(salt: str, min_length: int, alphabet: str) -> _CodeEncoder:
    return _CodeEncoder(salt, min_length, alphabet)


def encode_code(number: int, *, salt: str, min_length: int, alphabet: str) -> str:
    """The short code of a link number (a whole number, 0 or more)."""
    return _encoder(salt, min_length, alphabet).encode(number)


def is_code_shaped(text: str) -> bool:
    return CODE_PATTERN.fullmatch(text) is not None


def validate_alias(alias: str) -> str:
    """Return the alias if it may be used; raise InvalidAlias naming the problem."""
    if not isinstance(alias, str):
        raise InvalidAlias("alias must be a string", field="alias")
    if not MIN_ALIAS_LENGTH <= len(alias) <= MAX_ALIAS_LENGTH:
        raise InvalidAlias(
            f"alias must be {MIN_ALIAS_LENGTH} to {MAX_ALIAS_LENGTH} characters long",
            field="alias",
        )
    if not ALIAS_PATTERN.fullmatch(alias):
        raise InvalidAlias(
            "alias may hold letters, digits, '-' and '_', and must start with a letter or digit",
            field="alias",
        )
    if alias.lower() in RESERVED_WORDS:
        raise InvalidAlias(f"alias {alias!r} is reserved", field="alias")
    return alias


def is_short_link_path(path: str) -> bool:
    """True for a path the redirect serves: one segment, code-shaped, not reserved.

    Decided from the path alone, before Flask matches a route, so that work
    the redirect never needs (a session, for one) can be skipped early.
    """
    code = path[1:]
    return (path.startswith("/") and is_code_shaped(code)
            and code.lower() not in RESERVED_WORDS)


# Referral codes -------------------------------------------------------------------

# Random characters after a prefix, and in a code without one; a campaign whose
# codes all share its prefix has 30**4 = 810,000 before codes grow longer.
REFERRAL_RANDOM_LENGTH = 4
UNPREFIXED_RANDOM_LENGTH = 6
NAME_PREFIX_LENGTH = 6
# Collisions at one length before the random part grows by a character.
ATTEMPTS_PER_LENGTH = 4
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = str.maketrans("", "", " -_.\t")
_CANONICAL = re.compile(r"[0-9A-Z]+")


def _unaccented_upper(text: str) -> str:
    """Accents dropped ("Zoë" -> "ZOE"); other letters stay as they are."""
    if text.isascii():
        return text.upper()  # what follows would give the same, slower (bulk import)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).upper()


def _canonical(text: str) -> str | None:
    canonical = _unaccented_upper(text).translate(_SEPARATORS).translate(_LOOK_ALIKES)
    return canonical if canonical.isascii() and _CANONICAL.fullmatch(canonical) else None


def canonical_referral_code(text: object) -> str | None:
    """The form codes are stored and matched in, or None for what cannot be a code
    (or is longer than a customer may type)."""
    if not isinstance(text, str) or len(text) > rules.MAX_REFERRAL_CODE_LENGTH:
        return None
    return _canonical(text)


def name_prefix(name: str | None) -> str | None:
    """The first letters of the first word of a name ("Anna Maria" -> "ANNA"), or None
    when it has fewer than two ASCII letters."""
    if not name or not name.split():
        return None
    letters = "".join(char for char in _unaccented_upper(name.split()[0]) if "A" <= char <= "Z")
    return letters[:NAME_PREFIX_LENGTH] if len(letters) >= 2 else None


def referral_prefix(campaign: Campaign, advocate: Advocate | None) -> str | None:
    """The campaign's code_prefix where set, else the advocate's name's, else None."""
    if campaign.code_prefix:
        return campaign.code_prefix.upper()
    return name_prefix(advocate.name if advocate else None)


def _random_characters(count: int) -> str:
    """``count`` characters of the alphabet, each uniform: one draw below 30**count
    written in base 30 (one draw, not one per character: bulk import draws thousands)."""
    alphabet = rules.REFERRAL_CODE_ALPHABET
    number = secrets.randbelow(len(alphabet) ** count)
    chars = []
    for _ in range(count):
        number, digit = divmod(number, len(alphabet))
        chars.append(alphabet[digit])
    return "".join(chars)


def new_referral_code(prefix: str | None, *, extra: int = 0) -> str:
    """A fresh random code as shown: "ANNA-7K2P", or "7K2-P4X" without a prefix."""
    if prefix:
        return prefix + "-" + _random_characters(REFERRAL_RANDOM_LENGTH + extra)
    chars = _random_characters(UNPREFIXED_RANDOM_LENGTH + extra)
    return chars[:3] + "-" + chars[3:]


def advocate_for_code(db: Client, campaign_id: str, code: str) -> str | None:
    """The external id of the advocate whose referral code in the campaign ``code`` is,
    typed in any case, with or without dashes and spaces, O for 0 and I or L for 1;
    None when it is no code of the campaign."""
    canonical = canonical_referral_code(code)
    if canonical is None:
        return None
    return store.find_referral_code(db, campaign_id, canonical)


def get_referral_code(r: Client, campaign_id: str, external_id: str) -> str | None:
    """The advocate's referral code in the campaign as shown, or None."""
    return store.get_referral_codes(r, campaign_id, [external_id])[0]


def get_referral_codes(r: Client, campaign_id: str,
                       external_ids: Sequence[str]) -> dict[str, str]:
    """The referral codes the advocates have in the campaign, by external id."""
    found = store.get_referral_codes(r, campaign_id, external_ids)
    return {ident: code for ident, code in zip(external_ids, found, strict=True) if code}


def get_codes_of_advocates(r: Client, external_ids: Sequence[str]
                           ) -> dict[str, dict[str, str]]:
    """Every campaign's referral code of each advocate: {external id: {campaign id: code}}."""
    campaign_ids = store.list_campaign_ids(r)
    table = store.get_referral_code_table(r, campaign_ids, external_ids)
    found: dict[str, dict[str, str]] = {ident: {} for ident in external_ids}
    for campaign_id, row in zip(campaign_ids, table, strict=True):
        for ident, code in zip(external_ids, row, strict=True):
            if code:
                found[ident][campaign_id] = code
    return found


def ensure_referral_codes(r: Client, campaign: Campaign, advocates: Sequence[Advocate], *,
                          codes: Mapping[str, str] | None = None) -> dict[str, str]:
    """Give each advocate without one a referral code in the campaign; returns every
    advocate's code by external id.

    A code is claimed with SET NX and then given with HSETNX: a collision
    draws again (longer after a few tries); an advocate given a code by
    another process at the same moment keeps that one, and this call frees its
    own claim. ``codes``: the advocates' codes as the caller just read them (by
    external id; an advocate missing has none), so they are not read again.
    """
    ids = [advocate.external_id for advocate in advocates]
    found = dict(codes) if codes is not None else get_referral_codes(r, campaign.id, ids)
    waiting = {advocate.external_id: referral_prefix(campaign, advocate)
               for advocate in advocates if advocate.external_id not in found}
    attempt = 0
    while waiting:
        extra = attempt // ATTEMPTS_PER_LENGTH
        drawn = {ident: new_referral_code(prefix, extra=extra)
                 for ident, prefix in waiting.items()}
        # Drawn codes are always canonical-able: prefix and alphabet are letters and digits.
        canonical = {ident: _canonical(code) or code for ident, code in drawn.items()}
        claimed = store.claim_referral_codes(
            r, campaign.id, [(canonical[ident], ident) for ident in drawn])
        won = [ident for ident, done in zip(drawn, claimed, strict=True) if done]
        given = store.give_referral_codes(r, campaign.id, [(ident, drawn[ident]) for ident in won])
        lost = [ident for ident, done in zip(won, given, strict=True) if not done]
        store.release_referral_codes(r, campaign.id, [canonical[ident] for ident in lost])
        for ident, done in zip(won, given, strict=True):
            if done:
                found[ident] = drawn[ident]
            waiting.pop(ident)
        if lost:
            found.update(get_referral_codes(r, campaign.id, lost))
        attempt += 1
    return found


def ensure_referral_code(r: Client, campaign: Campaign, advocate: Advocate) -> str:
    """The advocate's referral code in the campaign, given now if they had none."""
    return ensure_referral_codes(r, campaign, [advocate])[advocate.external_id]


def drop_referral_codes(r: Client, external_id: str, campaign_ids: Sequence[str]) -> None:
    """Take the advocate's codes away (erasure: a code may hold the first letters of
    their name); the codes stop working and are free again."""
    for campaign_id in campaign_ids:
        code = store.drop_referral_code(r, campaign_id, external_id)
        canonical = canonical_referral_code(code) if code else None
        if canonical and store.find_referral_code(r, campaign_id, canonical) == external_id:
            store.release_referral_codes(r, campaign_id, [canonical])
