"""How the classifier weighs its signals, and that hostile input never breaks it."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from shortener.classify import (
    CHANNELS,
    DARK_CHANNELS,
    KINDS,
    LINK_CHANNELS,
    MAX_USER_AGENT_LENGTH,
    Classification,
    classify,
    is_dark,
    normalize_channel,
)

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
INSTAGRAM = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 16_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 Instagram 261.0.0.21.111"
)


def test_it_prefers_the_channel_tag() -> None:
    result = classify(IPHONE, "https://www.google.com/", {"utm_source": "x"}, channel_tag="wa")
    assert (result.channel, result.signal, result.dark) == ("whatsapp", "channel_tag", True)


def test_utm_beats_the_referrer() -> None:
    result = classify(IPHONE, "https://www.google.com/", {"utm_medium": "email"})
    assert (result.channel, result.signal) == ("email", "utm")


def test_an_in_app_browser_of_a_public_network_is_not_dark() -> None:
    result = classify(INSTAGRAM)
    assert (result.channel, result.dark, result.signal) == ("instagram", False, "in_app_browser")


def test_an_empty_user_agent_is_not_a_browser() -> None:
    for user_agent in (None, "", "   "):
        result = classify(user_agent, "https://www.google.com/")
        assert (result.kind, result.signal, result.dark) == ("crawler", "empty_user_agent", None)


def test_a_preview_fetch_keeps_its_network() -> None:
    result = classify("TelegramBot (like TwitterBot)")
    assert (result.kind, result.channel, result.dark) == ("preview_bot", "telegram", None)


def test_imessage_is_told_from_facebook_and_x() -> None:
    user_agent = (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like Gecko) "
        "Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0"
    )
    assert classify(user_agent).channel == "imessage"


def test_scanners_and_crawlers_have_no_channel() -> None:
    assert classify("Microsoft Office Existence Discovery").kind == "scanner"
    crawler = classify("curl/8.4.0", "https://www.google.com/", channel_tag="wa")
    assert (crawler.kind, crawler.channel) == ("crawler", None)


def test_recent_preview_is_less_sure_than_a_referrer() -> None:
    previewed = classify(IPHONE, recent_preview="whatsapp")
    referred = classify(IPHONE, "https://web.whatsapp.com/")
    assert previewed.channel == referred.channel == "whatsapp"
    assert previewed.signal == "recent_preview"
    assert previewed.confidence < referred.confidence


def test_no_referrer_is_direct_and_least_sure() -> None:
    result = classify(IPHONE)
    assert (result.channel, result.dark, result.signal) == ("direct", True, "no_referrer")
    assert result.confidence < classify(IPHONE, recent_preview="telegram").confidence


def test_country_domains_and_unseen_subdomains_match() -> None:
    assert classify(IPHONE, "https://www.google.com.au/search").channel == "search"
    assert classify(IPHONE, "https://news.google.co.jp/").channel == "search"
    assert classify(IPHONE, "https://mail.yahoo.co.jp/").channel == "email"
    assert classify(IPHONE, "https://some.new.sub.linkedin.com/").channel == "linkedin"
    assert classify(IPHONE, "https://google.example.com/").channel == "referral"


def test_an_unlisted_android_app_is_a_referral() -> None:
    result = classify(IPHONE, "android-app://com.example.reader/")
    assert (result.channel, result.signal) == ("referral", "android_app_referrer")


def test_malformed_referrers_count_as_none() -> None:
    for referrer in ("http://[::1", "android-app://", "://", "not a url", "javascript:alert(1)"):
        assert classify(IPHONE, referrer).channel == "direct"


def test_normalize_channel_accepts_aliases_and_hosts() -> None:
    assert normalize_channel("WA") == "whatsapp"
    assert normalize_channel("e-mail") == "email"
    assert normalize_channel("x") == "twitter"
    assert normalize_channel("sms") == "direct"
    assert normalize_channel("m.facebook.com") == "facebook"
    assert normalize_channel("carrier pigeon") is None
    assert normalize_channel(None) is None


def test_to_dict_keeps_the_field_order() -> None:
    fields = [field.name for field in dataclasses.fields(Classification)]
    assert fields == ["kind", "channel", "dark", "signal", "confidence", "device", "os", "browser",
                      "country", "network"]
    assert list(classify(IPHONE).to_dict()) == fields


def test_device_os_and_browser_come_from_the_user_agent() -> None:
    result = classify(IPHONE)
    assert (result.device, result.os, result.browser) == ("mobile", "iOS", "Mobile Safari")
    assert classify("Twitterbot/1.0").device == "bot"


def assert_valid(result: Classification) -> None:
    assert result.kind in KINDS
    assert result.channel is None or result.channel in CHANNELS
    assert 0.0 <= result.confidence <= 1.0
    if result.kind == "human":
        assert result.channel is not None
        assert result.dark == is_dark(result.channel) == (result.channel in DARK_CHANNELS)
    else:
        assert result.dark is None
    assert len(result.os) <= 32 and len(result.browser) <= 32


hostile_text = st.one_of(
    st.none(),
    st.text(),
    st.binary().map(lambda raw: raw.decode("utf-8", errors="replace")),
    st.binary().map(lambda raw: raw.decode("latin-1")),
    st.sampled_from(["http://[::1", "android-app://", "://", "\r\n\x00", "https://" + "a." * 900]),
)


@settings(max_examples=300, deadline=None)
@given(
    hostile_text, hostile_text, st.dictionaries(st.text(), st.text()), hostile_text, hostile_text
)
def test_any_input_classifies_without_raising(
    user_agent: str | None,
    referrer: str | None,
    query: dict[str, str],
    channel_tag: str | None,
    recent_preview: str | None,
) -> None:
    assert_valid(classify(user_agent, referrer, query, channel_tag, recent_preview))


@settings(max_examples=50, deadline=None)
@given(st.sampled_from(["utm_source", "utm_medium"]), hostile_text)
def test_any_utm_value_classifies_without_raising(key: str, value: str | None) -> None:
    assert_valid(classify(IPHONE, query={key: value or ""}))


def test_a_100_kb_user_agent_returns() -> None:
    huge = IPHONE + " FBAN/" * 20_000 + "x" * 100_000
    result = classify(huge, "https://" + "x" * 100_000)
    assert_valid(result)
    assert MAX_USER_AGENT_LENGTH <= 1024


def _corpus_user_agents() -> list[tuple[str, str]]:
    import csv
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "data" / "classification_corpus.csv"
    with path.open(newline="", encoding="utf-8") as rows:
        return [(row["user_agent"], row["kind"]) for row in csv.DictReader(rows)]


def test_the_plain_browser_shortcut_never_hides_a_bot() -> None:
    from shortener.classify.user_agent import is_known_bot, is_plain_browser

    plain = [(ua, kind) for ua, kind in _corpus_user_agents() if is_plain_browser(ua)]
    assert len(plain) >= 20, "the shortcut should cover ordinary browsers"
    assert [ua for ua, kind in plain if kind != "human"] == []
    assert [ua for ua, _ in plain if is_known_bot(ua)] == []


def test_user_agent_families_match_the_user_agents_library() -> None:
    from user_agents import parse

    from shortener.classify.user_agent import parse_user_agent

    # The fast backend knows a few more bots as "Spider" devices; nothing else differs.
    for ua, _ in _corpus_user_agents():
        fast, reference = parse_user_agent(ua), parse(ua)
        assert (fast.browser, fast.os) == (reference.browser, reference.os), ua
        if fast.device.family != "Spider":
            assert fast.device == reference.device, ua
            assert (fast.is_mobile, fast.is_tablet, fast.is_pc, fast.is_bot) == \
                (reference.is_mobile, reference.is_tablet, reference.is_pc, reference.is_bot), ua


def test_the_code_channel_is_dark_but_no_tag_names_it():
    assert is_dark("code")
    assert "code" in CHANNELS and "code" not in LINK_CHANNELS
    assert normalize_channel("code") is None
    assert normalize_channel("Code") is None
