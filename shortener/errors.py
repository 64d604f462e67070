"""Domain exceptions that know their HTTP shape: status, stable code, field.

The domain raises them; the web, API and CLI adapters render them.
"""

from __future__ import annotations


class ShortenerError(Exception):
    status = 400
    code = "invalid-request"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(ShortenerError):
    status = 422
    code = "invalid-input"


class InvalidDestination(InvalidInput):
    code = "invalid-destination"


class InvalidAlias(InvalidInput):
    code = "invalid-alias"


class AliasTaken(ShortenerError):
    status = 409
    code = "alias-taken"


class Conflict(ShortenerError):
    status = 409
    code = "conflict"


class NotFound(ShortenerError):
    status = 404
    code = "not-found"


class CampaignNotFound(NotFound):
    code = "campaign-not-found"


class AdvocateNotFound(NotFound):
    code = "advocate-not-found"


class LinkNotFound(NotFound):
    code = "link-not-found"


class LinkGone(ShortenerError):
    """The link exists but is disabled, expired or used up."""

    status = 410
    code = "link-gone"


class InvalidClickId(InvalidInput):
    """A click id that does not verify, or cannot book a conversion."""

    code = "invalid-click-id"


class AdvocateNotInCampaign(InvalidInput):
    code = "advocate-not-in-campaign"


class ClickConverted(Conflict):
    """The click id has already booked another order."""

    code = "click-converted"


class AccountNotFound(NotFound):
    code = "account-not-found"


class UnknownReferralCode(InvalidInput):
    """A referral code that is no advocate's in the campaign."""

    code = "unknown-referral-code"
