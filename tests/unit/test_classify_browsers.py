"""People's browsers that bot lists or the browser shape took for machines, and the
machines that must stay machines next to them."""

from __future__ import annotations

import json

import pytest

from shortener.classify import classify
from shortener.classify.bot_lists import DATA_FILE
from shortener.classify.data.generate import NARROWED


def _kind(user_agent: str) -> str:
    return classify(user_agent).kind


@pytest.mark.parametrize("user_agent", [
    # Sogou's and Tencent's mobile browsers (isbot's "sogou" and "url").
    "Mozilla/5.0 (Linux; Android 12; M2102J20SG Build/SKQ1.211006.001; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/99.0.4844.88 Mobile Safari/537.36 "
    "SogouMobileBrowser/5.30.2",
    "Mozilla/5.0 (Linux; U; Android 9; zh-cn; MI 8 Build/PKQ1.180729.001) "
    "AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 MQQBrowser/9.1 QQ-URL-Manager Mobile Safari/537.36",
    # Add-ons and plug-ins that append a token to the browser's agent.
    "Mozilla/5.0 (Windows NT 6.1; rv:10.0) Gecko/20100101 Firefox/10.0 FirePHP/0.7.1",
    "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1; Trident/4.0; chromeframe/11.0.696.57)",
    # Fluid, a site-specific browser; Notion's desktop window.
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_7_2) AppleWebKit/534.51.22 (KHTML, like Gecko) "
    "Fluid/1.3 Safari/534.51.22",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Notion/3.1.0 "
    "Chrome/120.0.6099.291 Electron/28.2.1 Safari/537.36",
])
def test_list_patterns_narrowed_at_generation_leave_these_browsers(user_agent: str) -> None:
    assert _kind(user_agent) == "human"


@pytest.mark.parametrize("user_agent", [
    "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)",
    "Sogou Pic Spider/3.0(+http://www.sogou.com/docs/help/webmasters.htm#07)",
    "Notion/1.0 (https://notion.so; team@makenotion.com)",
    "urlresolver/1.0",
])
def test_the_bots_those_patterns_were_written_for_stay_bots(user_agent: str) -> None:
    assert _kind(user_agent) != "human"


def test_every_narrowed_pattern_is_recorded_with_its_reason() -> None:
    tables = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    recorded = {(row["source"], row["pattern"]): row for row in tables["dropped"]}
    for key, (replacement, reason) in NARROWED.items():
        assert recorded[key]["reason"] == reason
        kept = tables["isbot" if key[0] == "isbot" else "crawler_user_agents"]
        assert key[1] not in kept
        assert replacement is None or replacement in kept


@pytest.mark.parametrize("user_agent", [
    "Lynx/2.9.2 libwww-FM/2.14 SSL-MM/1.4.1 GNUTLS/3.7.9",
    "Links (2.30; Linux 6.6.0 x86_64; GNU C 13.2; text)",
    "ELinks/0.13.5 (textmode; Linux 6.1.0 x86_64; 120x40-2)",
    "w3m/0.5.3+git20230121",
    "Dillo/3.0.5",
    "NetSurf/3.11 (Linux)",
    "Mozilla/5.0 (Plan9) NetSurf/3.11",
    "iCab/4.9 (Macintosh; U; PPC Mac OS X)",
    "NCSA_Mosaic/2.7b5 (X11;Linux 2.6.7 i686) libwww/2.12 modified",
    "IBrowse/2.5.6 (Amiga; AmigaOS 3.2; Build 25.100 68K)",
    "AmigaVoyager/3.4.4 (AmigaOS/MC680x0)",
    "Mozilla/3.0 (compatible; NetPositive/2.2.2; BeOS)",
    "Mozilla/5.0 (compatible; Konqueror/4.0; Microsoft Windows) KHTML/4.0.80 (like Gecko)",
    "Midori/0.4 (X11; Linux x86_64; U; en-us) WebKit/535.1+",
    "Sleipnir/2.9.8",
])
def test_text_and_niche_browsers_named_by_their_product_are_people(user_agent: str) -> None:
    assert _kind(user_agent) == "human"


@pytest.mark.parametrize("user_agent", [
    "Lynx/2.8.9rel.1 crawler", "w3m/0.5.3 (+http://example.com/bot.html)", "Links spider",
])
def test_a_named_browser_with_a_bot_word_is_not_a_person(user_agent: str) -> None:
    assert _kind(user_agent) != "human"


@pytest.mark.parametrize("user_agent", [
    # Tizen's browser never closes its platform parentheses.
    "Mozilla/5.0 (Linux; U; Tizen/2.0 like Android; en-gb; AppleWebKit/537.3 (KHTML, like Gecko) "
    "Tizen Browser/2.0 Mobile",
    # Netscape 2 to 4: language and encryption strength, no engine.
    "Mozilla/4.76 [en] (X11; U; Linux 2.4.2-2 i686)",
    "Mozilla/3.01 [de] (Win95; I)",
    "Mozilla/4.7 (Macintosh; I; PPC)",
    # Opera 5 to 8 disguised as Mozilla.
    "Mozilla/5.0 (Windows NT 5.1; U; en) Opera 8.50",
    # A browser that puts its own name first.
    "QwantMobile/3.0 (Android 9; Mobile; rv:68.0) Gecko/68.0 Firefox/68.0 QwantBrowser/68.0",
    # An app's name before its web view's agent.
    "Job Search/30.1 Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230805.001; wv) "
    "AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0.0.0 Mobile Safari/537.36",
])
def test_browser_forms_the_shape_did_not_accept(user_agent: str) -> None:
    assert _kind(user_agent) == "human"


@pytest.mark.parametrize("user_agent", [
    "Mozilla/4.0 (compatible; Win32; libwww)",
    "MyCrawler/1.0 (Linux; Android 10) AppleWebKit/537.36 (KHTML, like Gecko) crawler",
    "Mozilla/4.0",
])
def test_the_wider_shape_still_turns_machines_away(user_agent: str) -> None:
    assert _kind(user_agent) != "human"


@pytest.mark.parametrize(("user_agent", "channel"), [
    ("Mozilla/5.0 (Linux; Android 12; SM-A515F Build/SP1A.210812.016; wv) AppleWebKit/537.36 "
     "(KHTML, like Gecko) Version/4.0 Chrome/110.0.5481.153 Mobile Safari/537.36 Viber/19.3.0.0",
     "social_other"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "QtWebEngine/5.15.2 Chrome/83.0.4103.122 Safari/537.36 Viber", "social_other"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Teams/1.6.00.4472 Chrome/98.0.4758.141 Electron/17.4.1 Safari/537.36", "social_other"),
    ("Mozilla/5.0 (Linux; Android 11; M2010J19SG Build/RKQ1.201004.002; wv) AppleWebKit/537.36 "
     "(KHTML, like Gecko) Version/4.0 Chrome/89.0.4389.72 UWS/3.22.2.9999 Mobile Safari/537.36 "
     "AlipayDefined(nt:WIFI,ws:393|0|2.75) AliApp(AP/10.2.60.9000) AlipayClient/10.2.60.9000",
     "direct"),
])
def test_in_app_browsers_of_viber_teams_desktop_and_alipay(user_agent: str, channel: str) -> None:
    result = classify(user_agent)
    assert (result.kind, result.channel) == ("human", channel)


def test_viber_s_preview_fetch_stays_a_preview() -> None:
    assert classify("Viber/12.8.0.1 CFNetwork/1121.2.2 Darwin/19.3.0").kind == "preview_bot"
