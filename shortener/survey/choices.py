"""The answers to "how did you hear about us?", and how they meet the channel taxonomy.

A customer says how the recommendation reached them, in words a customer
uses: a friend via WhatsApp, via another messenger, by e-mail or in
person; a social network; a search engine; something else. Measurement
speaks the taxonomy's channels (shortener.classify.CHANNELS). To set the
two side by side, both fold into the same groups (GROUPS): each answer
belongs to one group, and so does each channel a click comes by (CHANNEL_GROUPS;
classify.LINK_CHANNELS: a referral code brings conversions, not clicks).

Deliberate choices:
- "In person" has no measured channel: a recommendation across a table
  never makes a click. It is the part measurement cannot see by nature.
- ``direct`` (a click with no referrer) folds into "other messenger": a
  referrer-less click comes, above all, from an app that sends none
  (shortener/classify/rules.py); SMS and iMessage among them.
- ``referral`` (a link on another web site) folds into "other", as the
  survey offers no "a web site" answer.
"""

from __future__ import annotations

# The answers, in the order the widget offers them.
HEARD_VIA = (
    "friend_whatsapp",
    "friend_messenger",
    "friend_email",
    "friend_in_person",
    "social",
    "search",
    "other",
)
# Answers that name a friend: the recommendations a referral programme is about.
FRIEND_ANSWERS = frozenset({"friend_whatsapp", "friend_messenger", "friend_email",
                            "friend_in_person"})
# Groups shared by answers and measured channels; an answer is its own group.
GROUPS = HEARD_VIA
CHANNEL_GROUPS: dict[str, str] = {
    "whatsapp": "friend_whatsapp",
    "telegram": "friend_messenger",
    "messenger": "friend_messenger",
    "signal": "friend_messenger",
    "imessage": "friend_messenger",
    "wechat": "friend_messenger",
    "line": "friend_messenger",
    "slack": "friend_messenger",
    "discord": "friend_messenger",
    "snapchat": "friend_messenger",
    "direct": "friend_messenger",
    "email": "friend_email",
    "facebook": "social",
    "instagram": "social",
    "linkedin": "social",
    "twitter": "social",
    "tiktok": "social",
    "social_other": "social",
    "search": "search",
    "referral": "other",
}

# Free text a customer types ("who recommended us? (name or code)"): capped here,
# in the API schema, the widget's input and the frame page's form alike.
MAX_TEXT_LENGTH = 200
# What may be typed as a code; longer input is text, not a code.
MAX_CODE_LENGTH = 32


def group_of_channel(channel: str) -> str:
    """The group a measured channel falls into ("other" for one without a group)."""
    return CHANNEL_GROUPS.get(channel, "other")


def is_heard_via(value: object) -> bool:
    return isinstance(value, str) and value in HEARD_VIA
