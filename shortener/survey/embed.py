"""The snippets a shop pastes into its thank-you page: a script tag, or an iframe.

Both name the campaign and carry its survey token; the order id is the one
thing the shop fills in, where ORDER_PLACEHOLDER stands (in the iframe's
address, URL-encoded). The language is an attribute the shop may change
(``data-lang`` / ``lang=``): any language of survey/languages, English
otherwise.
"""

from __future__ import annotations

from urllib.parse import quote

from markupsafe import escape

from shortener.survey.translations import texts_for

ORDER_PLACEHOLDER = "ORDER_ID"
FRAME_HEIGHT = 460


def widget_url(public_url: str) -> str:
    return f"{public_url}/survey/widget.js"


def frame_url(public_url: str, campaign_id: str, token: str, language: str) -> str:
    return (f"{public_url}/survey/{quote(campaign_id, safe='')}/frame"
            f"?token={quote(token, safe='')}&lang={quote(language, safe='')}"
            f"&order={ORDER_PLACEHOLDER}")


def script_snippet(public_url: str, campaign_id: str, token: str, language: str = "en") -> str:
    """One <script> tag; the widget appears where it stands."""
    return (f'<script src="{escape(widget_url(public_url))}" data-campaign="{escape(campaign_id)}"'
            f' data-token="{escape(token)}" data-lang="{escape(language)}"'
            f' data-order="{ORDER_PLACEHOLDER}" async></script>')


def frame_snippet(public_url: str, campaign_id: str, token: str, language: str = "en") -> str:
    """The same survey in an <iframe>, for pages that load no outside script."""
    src = escape(frame_url(public_url, campaign_id, token, language))
    title = escape(texts_for(language)["legend"])
    return (f'<iframe src="{src}" title="{title}" width="100%"'
            f' height="{FRAME_HEIGHT}" loading="lazy"></iframe>')
