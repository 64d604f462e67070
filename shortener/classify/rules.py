"""The classifier's rules, as data: user-agent patterns, Android app ids, referrer hosts.

What lives here: every vendor-specific fact the classifier knows, one row each,
with the public page that documents it. What does not: control flow. The code
in `user_agent.py` and `referrer.py` walks these tables and never names a vendor.

Each table is ordered; the first matching row wins, so more specific rows come
first (iMessage's fetcher, which also says "facebookexternalhit" and
"Twitterbot", sits above Facebook's and X's). Patterns are Python regular
expressions matched with `re.search`, case-sensitive unless they open with `(?i)`.

Deliberate choices, documented in docs/classification.md:
- Messengers and networks outside the taxonomy (Viber, Skype/Teams, Mastodon,
  Bluesky, Pinterest, KakaoTalk, Reddit...) map to `social_other` for human
  clicks and to no channel (None) for their preview fetchers.
- An "sms" tag maps to `direct`: an SMS click arrives with no referrer, and
  `direct` is the taxonomy's dark bucket for private sharing with no named app.
- Proofpoint's and Mimecast's link checkers send ordinary browser user agents,
  so there is no row for them here; a human click that went through their
  rewriting redirectors is recognised by referrer host as `email` instead.

To add a row, append it to the right table with its source and add a
sourced case to tests/data/classification_corpus.csv.
"""

# Source URLs are cited whole, so some rows run past the line length.
# ruff: noqa: E501

from __future__ import annotations

from typing import NamedTuple


class AgentRule(NamedTuple):
    """A user-agent pattern and what a match means."""

    name: str
    pattern: str
    channel: str | None
    source: str


class AppRule(NamedTuple):
    """An Android package id seen in `android-app://` referrers."""

    app_id: str
    channel: str
    source: str


class HostRule(NamedTuple):
    """A referrer host suffix; a trailing `.*` stands for any top-level domain."""

    host: str
    channel: str
    source: str


CRAWLER_DETECT = "https://github.com/JayBizzle/Crawler-Detect/blob/master/tests/data/user_agent/crawlers.txt"
CRAWLER_USER_AGENTS = "https://github.com/monperrus/crawler-user-agents/blob/master/crawler-user-agents.json"
DD_BOTS = "https://github.com/matomo-org/device-detector/blob/master/regexes/bots.yml"
DD_APPS = "https://github.com/matomo-org/device-detector/blob/master/regexes/client/mobile_apps.yml"
DD_HINTS = "https://github.com/matomo-org/device-detector/blob/master/regexes/client/hints/apps.yml"
MATOMO_SEARCH = "https://github.com/matomo-org/searchengine-and-social-list/blob/master/SearchEngines.yml"
MATOMO_SOCIAL = "https://github.com/matomo-org/searchengine-and-social-list/blob/master/Socials.yml"
REFERER_PARSER = "https://github.com/snowplow-referer-parser/referer-parser/blob/master/resources/referers.yml"
PLAY = "https://play.google.com/store/apps/details?id="

# Fetches a messenger or network makes to draw a link preview. Checked first.
PREVIEW_FETCHERS: tuple[AgentRule, ...] = (
    # Apple's LinkPresentation (iMessage, Mail, Notes) joins both bot names in one UA.
    AgentRule("imessage", r"facebookexternalhit/\S+ Facebot Twitterbot", "imessage",
              "https://developer.apple.com/library/archive/technotes/tn2444/_index.html"),
    AgentRule("whatsapp", r"^WhatsApp(?:/|$)", "whatsapp", CRAWLER_DETECT),
    AgentRule("telegram", r"TelegramBot", "telegram", CRAWLER_DETECT),
    AgentRule("slack", r"Slackbot|Slack-ImgProxy", "slack", "https://api.slack.com/robots"),
    AgentRule("discord", r"Discordbot", "discord", CRAWLER_USER_AGENTS),
    AgentRule("facebook", r"facebookexternalhit|facebookcatalog|\bFacebot\b|meta-externalagent",
              "facebook", "https://developers.facebook.com/docs/sharing/webmasters/web-crawlers"),
    AgentRule("twitter", r"Twitterbot", "twitter",
              "https://developer.x.com/en/docs/x-for-websites/cards/guides/getting-started"),
    AgentRule("linkedin", r"LinkedInBot", "linkedin", CRAWLER_USER_AGENTS),
    AgentRule("snapchat", r"Snap URL Preview", "snapchat", "https://developers.snap.com/robots"),
    AgentRule("line", r"(?i)\bline-poker\b|Linespider", "line", DD_BOTS),
    AgentRule("wechat", r"(?i)WeChatShareExtension", "wechat", DD_BOTS),
    AgentRule("skype", r"SkypeUriPreview|MicrosoftPreview|Teams.*Preview", None, CRAWLER_USER_AGENTS),
    AgentRule("viber", r"(?i)^Viber|ViberUrlDownloader", None, CRAWLER_USER_AGENTS),
    AgentRule("mastodon", r"\bMastodon/|\bPleroma\b|\bMisskey/|\bAkkoma\b", None, CRAWLER_USER_AGENTS),
    AgentRule("bluesky", r"Bluesky Cardyb|BlueskyPreviewBot", None, CRAWLER_USER_AGENTS),
    AgentRule("pinterest", r"^Pinterest/|Pinterestbot", None, "https://www.pinterest.com/bot.html"),
    AgentRule("reddit", r"redditbot", None, CRAWLER_USER_AGENTS),
    AgentRule("vk", r"vkShare", None, "https://vk.com/dev/Share"),
    AgentRule("tumblr", r"^Tumblr/", None, CRAWLER_USER_AGENTS),
    AgentRule("embedly", r"Embedly|Iframely", None, CRAWLER_USER_AGENTS),
    AgentRule("bing_preview", r"BingPreview", None, CRAWLER_USER_AGENTS),
    AgentRule("google", r"Google-PageRenderer|Google-InspectionTool|GoogleOther|Google-Read-Aloud",
              None, "https://developers.google.com/search/docs/crawling-indexing/overview-google-crawlers"),
    AgentRule("kakaotalk", r"kakaotalk-scrap", None, CRAWLER_USER_AGENTS),
)

# Fetches made on an e-mail recipient's behalf: link checkers, image proxies,
# and Office clients checking a link before opening it. Checked second.
EMAIL_SCANNERS: tuple[AgentRule, ...] = (
    AgentRule("gmail_image_proxy", r"GoogleImageProxy", None,
              "https://developers.google.com/search/docs/crawling-indexing/google-user-triggered-fetchers"),
    AgentRule("google_safety", r"Google-Safety", None, CRAWLER_DETECT),
    AgentRule("yahoo_mail_proxy", r"YahooMailProxy", None,
              "https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html"),
    AgentRule("barracuda", r"(?i)Barracuda", None, CRAWLER_DETECT),
    AgentRule("office_discovery", r"Microsoft Office Existence Discovery|Microsoft Office Protocol Discovery",
              None, CRAWLER_DETECT),
    AgentRule("office_client", r"\bms-office\b|\bMSOffice \d|^Microsoft Office\b|Microsoft Outlook \d",
              None, "https://github.com/matomo-org/device-detector/blob/master/regexes/client/pim.yml"),
    AgentRule("office_preview", r"\bOffice(?:Web|Mobile)?LinkPreview|Microsoft-WebDAV|\bOneNote/\d",
              None, CRAWLER_DETECT),
    AgentRule("safe_links", r"(?i)safelinks|Microsoft URL Control", None,
              "https://learn.microsoft.com/en-us/defender-office-365/safe-links-about"),
    AgentRule("proofpoint", r"(?i)proofpoint", None, CRAWLER_USER_AGENTS),
    AgentRule("mimecast", r"(?i)mimecast", None, CRAWLER_USER_AGENTS),
    AgentRule("trend_micro", r"(?i)Trend ?Micro|TMUFE", None, CRAWLER_DETECT),
    AgentRule("symantec", r"(?i)Symantec|Messagelabs", None, CRAWLER_DETECT),
)

# Tools and headless browsers that announce themselves; the bot library knows
# most of them, these rows keep the common ones cheap and certain.
AUTOMATION: tuple[AgentRule, ...] = (
    AgentRule("http_library",
              r"(?i)^(?:curl|Wget|python-requests|python-urllib|Python/|aiohttp|httpx|Go-http-client"
              r"|okhttp|axios|node-fetch|undici|Java/|Apache-HttpClient|libwww-perl|Ruby|Faraday"
              r"|Guzzle|HTTPie|PostmanRuntime|Scrapy|Dart/|reqwest|http\.rb|RestSharp)",
              None, CRAWLER_DETECT),
    AgentRule("headless_browser", r"HeadlessChrome|PhantomJS|SlimerJS|\bHeadless\b|Lighthouse",
              None, CRAWLER_DETECT),
)

# In-app browsers: a person inside an app's built-in web view. Only matched on
# user agents that start like a browser's ("Mozilla/"), so an app's own API
# traffic is not taken for a person. Messenger precedes Facebook (both say FBAN).
IN_APP_BROWSERS: tuple[AgentRule, ...] = (
    AgentRule("messenger", r"FBAN/Messenger|FB_IAB/MESSENGER|FB_IAB/Orca|FBAN/Orca|FB_IAB/MLITE",
              "messenger", DD_APPS),
    AgentRule("instagram", r"\bInstagram \d", "instagram", DD_APPS),
    AgentRule("facebook", r"FBAN/|FBAV/|FB_IAB/|\bFBIOS\b|\bFB4A\b", "facebook", DD_APPS),
    AgentRule("telegram", r"Telegram-Android/|\bTelegram/\d", "telegram",
              "https://github.com/DrKLO/Telegram"),
    AgentRule("linkedin", r"LinkedInApp", "linkedin", DD_APPS),
    AgentRule("twitter", r"TwitterAndroid|Twitter for iP(?:hone|ad)|\bTwitter/\d", "twitter", DD_APPS),
    AgentRule("tiktok", r"musical_ly|BytedanceWebview|\btrill_\d|\bTikTok \d|ByteLocale", "tiktok",
              DD_APPS),
    AgentRule("snapchat", r"Snapchat/?\d", "snapchat", DD_APPS),
    AgentRule("wechat", r"MicroMessenger/", "wechat", DD_APPS),
    AgentRule("line", r"\bLine/\d", "line", DD_APPS),
    AgentRule("whatsapp", r"\bWhatsApp/\d", "whatsapp", DD_APPS),
    AgentRule("slack", r"\bSlack(?:_SSB)?/\d", "slack", DD_APPS),
    AgentRule("discord", r"\bdiscord/\d", "discord", DD_APPS),
    AgentRule("pinterest", r"\[Pinterest/|Pinterest for (?:Android|iOS)", "social_other", DD_APPS),
    AgentRule("kakaotalk", r"KAKAOTALK", "social_other", DD_APPS),
    AgentRule("reddit", r"\bReddit/Version", "social_other", DD_APPS),
    AgentRule("google_app", r"\bGSA/\d", "search", DD_APPS),
)

# `android-app://<package>/` referrers, sent by Android apps that open a link in
# Chrome. Matched on the package id exactly, or on a row ending in "." as a prefix.
ANDROID_APPS: tuple[AppRule, ...] = (
    AppRule("com.google.android.gm", "email", PLAY + "com.google.android.gm"),
    AppRule("com.microsoft.office.outlook", "email", PLAY + "com.microsoft.office.outlook"),
    AppRule("com.yahoo.mobile.client.android.mail", "email",
            PLAY + "com.yahoo.mobile.client.android.mail"),
    AppRule("ch.protonmail.android", "email", PLAY + "ch.protonmail.android"),
    AppRule("com.samsung.android.email.provider", "email",
            PLAY + "com.samsung.android.email.provider"),
    AppRule("me.bluemail.mail", "email", PLAY + "me.bluemail.mail"),
    AppRule("com.fsck.k9", "email", PLAY + "com.fsck.k9"),
    AppRule("de.gmx.mobile.android.mail", "email", PLAY + "de.gmx.mobile.android.mail"),
    AppRule("de.web.mobile.android.mail", "email", PLAY + "de.web.mobile.android.mail"),
    AppRule("ru.mail.mailapp", "email", PLAY + "ru.mail.mailapp"),
    AppRule("com.whatsapp", "whatsapp", PLAY + "com.whatsapp"),
    AppRule("com.whatsapp.w4b", "whatsapp", PLAY + "com.whatsapp.w4b"),
    AppRule("org.telegram.", "telegram", PLAY + "org.telegram.messenger"),
    AppRule("org.thunderdog.challegram", "telegram", PLAY + "org.thunderdog.challegram"),
    AppRule("org.thoughtcrime.securesms", "signal", PLAY + "org.thoughtcrime.securesms"),
    AppRule("com.facebook.orca", "messenger", PLAY + "com.facebook.orca"),
    AppRule("com.facebook.mlite", "messenger", PLAY + "com.facebook.mlite"),
    AppRule("com.facebook.katana", "facebook", PLAY + "com.facebook.katana"),
    AppRule("com.facebook.lite", "facebook", PLAY + "com.facebook.lite"),
    AppRule("com.instagram.android", "instagram", PLAY + "com.instagram.android"),
    AppRule("com.linkedin.android", "linkedin", PLAY + "com.linkedin.android"),
    AppRule("com.twitter.android", "twitter", PLAY + "com.twitter.android"),
    AppRule("com.zhiliaoapp.musically", "tiktok", PLAY + "com.zhiliaoapp.musically"),
    AppRule("com.ss.android.ugc.trill", "tiktok", PLAY + "com.ss.android.ugc.trill"),
    AppRule("com.snapchat.android", "snapchat", PLAY + "com.snapchat.android"),
    AppRule("com.tencent.mm", "wechat", PLAY + "com.tencent.mm"),
    AppRule("jp.naver.line.android", "line", PLAY + "jp.naver.line.android"),
    AppRule("com.slack", "slack", PLAY + "com.Slack"),
    AppRule("com.discord", "discord", PLAY + "com.discord"),
    AppRule("com.google.android.googlequicksearchbox", "search",
            PLAY + "com.google.android.googlequicksearchbox"),
    AppRule("com.google.android.apps.searchlite", "search",
            PLAY + "com.google.android.apps.searchlite"),
    AppRule("com.microsoft.bing", "search", PLAY + "com.microsoft.bing"),
    AppRule("com.duckduckgo.mobile.android", "search", PLAY + "com.duckduckgo.mobile.android"),
    AppRule("ru.yandex.searchplugin", "search", PLAY + "ru.yandex.searchplugin"),
    AppRule("com.reddit.frontpage", "social_other", PLAY + "com.reddit.frontpage"),
    AppRule("com.pinterest", "social_other", PLAY + "com.pinterest"),
    AppRule("com.kakao.talk", "social_other", PLAY + "com.kakao.talk"),
    AppRule("com.viber.voip", "social_other", PLAY + "com.viber.voip"),
    AppRule("com.google.android.youtube", "social_other", PLAY + "com.google.android.youtube"),
    AppRule("com.vkontakte.android", "social_other", PLAY + "com.vkontakte.android"),
    AppRule("com.tumblr", "social_other", PLAY + "com.tumblr"),
    AppRule("org.joinmastodon.android", "social_other", PLAY + "org.joinmastodon.android"),
    AppRule("xyz.blueskyweb.app", "social_other", PLAY + "xyz.blueskyweb.app"),
    AppRule("com.instagram.barcelona", "social_other", PLAY + "com.instagram.barcelona"),
)

# Referrer hosts. The longest matching suffix wins, so "mail.google.*" (e-mail)
# beats "google.*" (search). Any host not listed is `referral`.
REFERRER_HOSTS: tuple[HostRule, ...] = (
    # Webmail, and the redirectors of e-mail link protection.
    HostRule("mail.google.com", "email", REFERER_PARSER),
    HostRule("inbox.google.com", "email", REFERER_PARSER),
    HostRule("outlook.live.com", "email", REFERER_PARSER),
    HostRule("outlook.office.com", "email", REFERER_PARSER),
    HostRule("outlook.office365.com", "email", REFERER_PARSER),
    HostRule("outlook.com", "email", REFERER_PARSER),
    HostRule("hotmail.com", "email", REFERER_PARSER),
    HostRule("mail.live.com", "email", REFERER_PARSER),
    HostRule("mail.yahoo.*", "email", REFERER_PARSER),
    HostRule("mail.aol.com", "email", REFERER_PARSER),
    HostRule("mail.proton.me", "email", "https://proton.me/support/protonmail-web-app"),
    HostRule("mail.protonmail.com", "email", REFERER_PARSER),
    HostRule("mail.yandex.*", "email", REFERER_PARSER),
    HostRule("e.mail.ru", "email", REFERER_PARSER),
    HostRule("mail.zoho.*", "email", REFERER_PARSER),
    HostRule("web.de", "email", REFERER_PARSER),
    HostRule("gmx.*", "email", REFERER_PARSER),
    HostRule("icloud.com", "email", REFERER_PARSER),
    HostRule("fastmail.com", "email", REFERER_PARSER),
    HostRule("app.tuta.com", "email", "https://tuta.com/support"),
    HostRule("mail.tutanota.com", "email", REFERER_PARSER),
    HostRule("safelinks.protection.outlook.com", "email",
             "https://learn.microsoft.com/en-us/defender-office-365/safe-links-about"),
    HostRule("urldefense.proofpoint.com", "email",
             "https://help.proofpoint.com/Proofpoint_Essentials/Email_Security/Administrator_Topics/Other_Features/Troubleshooting_issues_with_URL_Defense"),
    HostRule("urldefense.com", "email",
             "https://help.proofpoint.com/Proofpoint_Essentials/Email_Security/Administrator_Topics/Other_Features/Troubleshooting_issues_with_URL_Defense"),
    HostRule("mimecast.com", "email", "https://community.mimecast.com/s/article/email-security-cloud-gateway-url-protect"),
    # Messengers' web clients.
    HostRule("web.whatsapp.com", "whatsapp", MATOMO_SOCIAL),
    HostRule("whatsapp.com", "whatsapp", MATOMO_SOCIAL),
    HostRule("wa.me", "whatsapp", "https://faq.whatsapp.com/5913398998672934"),
    HostRule("web.telegram.org", "telegram", MATOMO_SOCIAL),
    HostRule("telegram.org", "telegram", MATOMO_SOCIAL),
    HostRule("t.me", "telegram", "https://core.telegram.org/api/links"),
    HostRule("lm.facebook.com", "messenger", REFERER_PARSER),
    HostRule("messenger.com", "messenger", MATOMO_SOCIAL),
    HostRule("slack.com", "slack", MATOMO_SOCIAL),
    HostRule("discord.com", "discord", MATOMO_SOCIAL),
    HostRule("discordapp.com", "discord", MATOMO_SOCIAL),
    HostRule("wx.qq.com", "wechat", MATOMO_SOCIAL),
    HostRule("weixin.qq.com", "wechat", MATOMO_SOCIAL),
    HostRule("line.me", "line", MATOMO_SOCIAL),
    HostRule("snapchat.com", "snapchat", MATOMO_SOCIAL),
    # Public social networks.
    HostRule("facebook.com", "facebook", MATOMO_SOCIAL),
    HostRule("fb.com", "facebook", MATOMO_SOCIAL),
    HostRule("fb.me", "facebook", MATOMO_SOCIAL),
    HostRule("instagram.com", "instagram", MATOMO_SOCIAL),
    HostRule("linkedin.com", "linkedin", MATOMO_SOCIAL),
    HostRule("lnkd.in", "linkedin", MATOMO_SOCIAL),
    HostRule("twitter.com", "twitter", MATOMO_SOCIAL),
    HostRule("t.co", "twitter", MATOMO_SOCIAL),
    HostRule("x.com", "twitter", "https://help.x.com/en/using-x/url-shortener"),
    HostRule("tiktok.com", "tiktok", MATOMO_SOCIAL),
    HostRule("reddit.com", "social_other", MATOMO_SOCIAL),
    HostRule("redd.it", "social_other", MATOMO_SOCIAL),
    HostRule("pinterest.*", "social_other", MATOMO_SOCIAL),
    HostRule("pin.it", "social_other", MATOMO_SOCIAL),
    HostRule("youtube.com", "social_other", MATOMO_SOCIAL),
    HostRule("vk.com", "social_other", MATOMO_SOCIAL),
    HostRule("ok.ru", "social_other", MATOMO_SOCIAL),
    HostRule("tumblr.com", "social_other", MATOMO_SOCIAL),
    HostRule("quora.com", "social_other", MATOMO_SOCIAL),
    HostRule("news.ycombinator.com", "social_other", MATOMO_SOCIAL),
    HostRule("threads.net", "social_other", "https://www.threads.com"),
    HostRule("threads.com", "social_other", "https://www.threads.com"),
    HostRule("bsky.app", "social_other", "https://bsky.social/about"),
    HostRule("mastodon.social", "social_other", MATOMO_SOCIAL),
    HostRule("weibo.com", "social_other", MATOMO_SOCIAL),
    HostRule("xing.com", "social_other", MATOMO_SOCIAL),
    HostRule("twitch.tv", "social_other", MATOMO_SOCIAL),
    HostRule("flipboard.com", "social_other", MATOMO_SOCIAL),
    HostRule("kakao.com", "social_other", MATOMO_SOCIAL),
    # Search engines.
    HostRule("google.*", "search", MATOMO_SEARCH),
    HostRule("bing.*", "search", MATOMO_SEARCH),
    HostRule("search.yahoo.*", "search", MATOMO_SEARCH),
    HostRule("duckduckgo.com", "search", MATOMO_SEARCH),
    HostRule("yandex.*", "search", MATOMO_SEARCH),
    HostRule("ya.ru", "search", MATOMO_SEARCH),
    HostRule("baidu.*", "search", MATOMO_SEARCH),
    HostRule("ecosia.org", "search", MATOMO_SEARCH),
    HostRule("startpage.com", "search", MATOMO_SEARCH),
    HostRule("qwant.com", "search", MATOMO_SEARCH),
    HostRule("search.naver.com", "search", MATOMO_SEARCH),
    HostRule("search.brave.com", "search", MATOMO_SEARCH),
    HostRule("ask.com", "search", MATOMO_SEARCH),
    HostRule("seznam.cz", "search", MATOMO_SEARCH),
    HostRule("sogou.com", "search", MATOMO_SEARCH),
    HostRule("so.com", "search", MATOMO_SEARCH),
    HostRule("sm.cn", "search", MATOMO_SEARCH),
    HostRule("petalsearch.com", "search", MATOMO_SEARCH),
    HostRule("kagi.com", "search", "https://help.kagi.com/kagi/"),
    HostRule("search.aol.com", "search", MATOMO_SEARCH),
    HostRule("mojeek.com", "search", MATOMO_SEARCH),
)

# Second-level labels under which country domains register names
# ("google.co.uk", "yahoo.com.br"); used to find the brand in a host.
SECOND_LEVEL_LABELS = frozenset({
    "co", "com", "net", "org", "gov", "edu", "ac", "ne", "or", "go", "gob", "gv", "mil", "nic",
})

# Tags and utm values that name a channel under another word. Keys are lower case.
CHANNEL_ALIASES: dict[str, str] = {
    "wa": "whatsapp", "whats_app": "whatsapp", "whatsapp_business": "whatsapp",
    "tg": "telegram", "tme": "telegram",
    "fb": "facebook", "meta": "facebook",
    "fbm": "messenger", "fb_messenger": "messenger", "facebook_messenger": "messenger",
    "msgr": "messenger",
    "ig": "instagram", "insta": "instagram",
    "li": "linkedin", "lnkd": "linkedin",
    "x": "twitter", "tw": "twitter", "x_twitter": "twitter",
    "tt": "tiktok", "douyin": "tiktok",
    "snap": "snapchat", "sc": "snapchat",
    "wx": "wechat", "weixin": "wechat",
    "line_me": "line",
    "dc": "discord",
    "sig": "signal",
    "imsg": "imessage", "apple_messages": "imessage", "messages": "imessage",
    "mail": "email", "e-mail": "email", "e_mail": "email", "newsletter": "email",
    "gmail": "email", "outlook": "email",
    "sms": "direct", "mms": "direct", "text": "direct", "copy": "direct", "copy_link": "direct",
    "qr": "direct", "qr_code": "direct",
    "google": "search", "bing": "search", "organic": "search", "seo": "search",
    "reddit": "social_other", "pinterest": "social_other", "youtube": "social_other",
    "threads": "social_other", "bluesky": "social_other", "mastodon": "social_other",
    "social": "social_other",
    "referral": "referral",
}
