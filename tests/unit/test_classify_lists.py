"""The generated bot lists and the browser shape that decides who counts as a person."""

from __future__ import annotations

import json

import pytest

from shortener.classify.bot_lists import DATA_FILE, load_bot_lists, required_words
from shortener.classify.user_agent import is_browser_shaped, without_handset


def test_every_list_records_its_package_and_version() -> None:
    tables = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    assert set(tables["sources"]) == {"isbot", "crawler_user_agents", "matomo"}
    for source in tables["sources"].values():
        assert source["version"] and source["package"].split(":")[0] in ("npm", "pypi")
    assert len(tables["isbot"]) > 100 and len(tables["crawler_user_agents"]) > 1000
    assert len(tables["matomo_bots"]) > 500


@pytest.mark.parametrize(("pattern", "words"), [
    (r"Googlebot\/", ("googlebot",)),
    (r"(360Spider(?:-Image|-Video)?)", ("360spider",)),
    (r"(?:perlclient|libwww-perl)(?:/?(\d+))?", ("perlclient", "libwww")),
    (r"(?<!lib)http", ("http",)),
    (r"abc?d", ()),
    (r"^[\w]+x", ()),
    (r"foo|b", ()),
])
def test_required_words_are_words_every_match_contains(pattern: str,
                                                       words: tuple[str, ...]) -> None:
    assert required_words(pattern) == words


def test_the_lists_name_bots_and_leave_browsers() -> None:
    lists = load_bot_lists()
    assert lists.find("Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)")
    assert lists.find("python-requests/2.32.3")
    assert lists.find("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) "
                      "Chrome/124.0 Mobile Safari/537.36 (compatible; Googlebot/2.1; "
                      "+http://www.google.com/bot.html)")
    assert lists.find("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
                      "like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0") is None


@pytest.mark.parametrize("user_agent", [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko",
    "Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1; Trident/4.0)",
    "Opera/9.80 (J2ME/MIDP; Opera Mini/9.80 (S60; SymbOS; Opera Mobi/23.348; U; en) Presto/2.5.25",
    "Mozilla/5.0 (PlayStation 4 1.000) AppleWebKit/536.26 (KHTML, like Gecko)",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Mobile/15E148",
])
def test_browsers_of_every_era_are_browser_shaped(user_agent: str) -> None:
    assert is_browser_shaped(user_agent)


@pytest.mark.parametrize("user_agent", [
    "node", "Deno/1.40.0", "Bun/1.1.0", "axios/1.7.2", "Mozilla/5.0",
    "Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.22621.2506",
    "Mozilla/5.0 (compatible; SomeNewCrawler/1.0)", "Dalvik/2.1.0 (Linux; U; Android 14)",
    "Java-http-client/21.0.2", "Anthropic/Python 0.40.0", "okhttp/4.12.0",
])
def test_runtimes_libraries_and_placeholders_are_not(user_agent: str) -> None:
    assert not is_browser_shaped(user_agent)


# From ua-parser-js's browser and OS fixtures (test/data/ua/): browsers that
# send their agent in lower case, name a distribution before the platform, or
# say an older Mozilla version (Netscape with its language tag, early MSIE).
@pytest.mark.parametrize("user_agent", [
    "mozilla/5.0 (windows nt 10.0; win64; x64) applewebkit/537.36 (khtml, like gecko) "
    "chrome/112.0.0.0 safari/537.36 quarkpc/1.5.5.75",
    "Mozilla/5.0 Slackware/13.37 (X11; U; Linux x86_64; en-US) AppleWebKit/535.1 (KHTML, like "
    "Gecko) Chrome/13.0.782.41",
    "Mozilla/5.0 ArchLinux (X11; Linux x86_64) AppleWebKit/535.1 (KHTML, like Gecko) "
    "Chrome/13.0.782.41 Safari/535.1",
    "Mozilla/1.22 (compatible; MSIE 2.0; Windows 95)",
    "Mozilla/3.0 (compatible; MSIE 3.0; Windows NT 5.0)",
    "Mozilla/3.0(WILLCOM;KYOCERA/WX331K/2;1.0.8.13.000000/0.1/C100) Opera 7.2 EX",
    "UCWEB/2.0 (MIDP-2.0; U; zh-CN; HTC EVO 3D X515m) U2/1.0.0 UCBrowser/10.4.0.558 U2/1.0.0 "
    "Mobile",
    "Mozilla/5.0 (S60V3; U; en-in; NokiaN73)/UC Browser8.4.0.159/28/351/UCWEB Mobile",
    "HbbTV/1.4.1 (+DRM;Panasonic;SmartTV2018mid;3.024;4301-0003 0002-0000;SmartTV2018;)",
])
def test_lower_case_distribution_named_and_older_mozilla_forms_are_browser_shaped(
        user_agent: str) -> None:
    assert is_browser_shaped(user_agent)


def test_a_lower_case_in_app_browser_is_the_app_s() -> None:
    from shortener.classify import classify

    result = classify("mozilla/5.0 (windows nt 6.1; wow64) applewebkit/537.36 (khtml, like gecko) "
                      "chrome/81.0.4044.138 safari/537.36 nettype/wifi "
                      "micromessenger/7.0.20.1781(0x6700143b) windowswechat")
    assert (result.kind, result.channel) == ("human", "wechat")


def test_the_lists_read_an_android_agent_without_its_handset_name() -> None:
    agent = ("Mozilla/5.0 (Linux; Android 8.1.0; XBot Junior Build/O11019) AppleWebKit/537.36 "
             "(KHTML, like Gecko) Chrome/87.0.4280.101 Mobile Safari/537.36")
    assert "XBot" not in without_handset(agent)
    assert "Chrome/87" in without_handset(agent)


def test_the_lists_read_other_platforms_without_their_tokens_versions() -> None:
    # bowser's fixtures (test/acceptance/useragentstrings.yml): isbot's "Name/1.0;"
    # rule matched the system token of webOS and Bada phones.
    webos = ("Mozilla/5.0 (webOS/1.0; U; en-US) AppleWebKit/525.27.1 (KHTML, like Gecko) "
             "Version/1.0 Safari/525.27.1 Pre/1.0")
    assert without_handset(webos).startswith("Mozilla/5.0 (webOS; U; en-US) AppleWebKit/525.27.1")
    assert load_bot_lists().find(without_handset(webos)) is None
    # A bot's address in the parentheses is kept whole.
    bot = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; +http://example.com/bot) AppleWebKit/537.36"
    assert "example.com/bot" in without_handset(bot)

