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
DD_BROWSERS = "https://github.com/matomo-org/device-detector/blob/master/regexes/client/browsers.yml"
DD_HINTS = "https://github.com/matomo-org/device-detector/blob/master/regexes/client/hints/apps.yml"
MATOMO_SEARCH = "https://github.com/matomo-org/searchengine-and-social-list/blob/master/SearchEngines.yml"
MATOMO_SOCIAL = "https://github.com/matomo-org/searchengine-and-social-list/blob/master/Socials.yml"
REFERER_PARSER = "https://github.com/snowplow-referer-parser/referer-parser/blob/master/resources/referers.yml"
PLAY = "https://play.google.com/store/apps/details?id="
UAPJS_INAPP = "https://github.com/faisalman/ua-parser-js/blob/master/test/data/ua/extension/inapp.json"

# Fetches a messenger or network makes to draw a link preview. Checked first.
PREVIEW_FETCHERS: tuple[AgentRule, ...] = (
    # Apple's LinkPresentation (iMessage, Mail, Notes) joins both bot names in one UA.
    AgentRule("imessage", r"facebookexternalhit/\S+ Facebot Twitterbot", "imessage",
              "https://developer.apple.com/library/archive/technotes/tn2444/_index.html"),
    # Messengers that send Facebook's fetcher name with a token of their own sit
    # above Facebook's row: the token says whose preview it is.
    AgentRule("line", r"(?i)\bline-poker\b", "line", DD_BOTS),
    AgentRule("kakaotalk", r"(?i)kakaotalk-scrap", None, "https://devtalk.kakao.com/t/scrap/33984"),
    # Signal's client fetches its previews as "WhatsApp" or "WhatsApp/2", with nothing after.
    AgentRule("signal", r"^WhatsApp(?:/2)?$", "signal", DD_APPS),
    AgentRule("whatsapp", r"(?i)^WhatsApp(?:/|$)", "whatsapp", CRAWLER_DETECT),
    AgentRule("telegram", r"(?i)TelegramBot", "telegram", CRAWLER_DETECT),
    AgentRule("slack", r"(?i)Slackbot|Slack-ImgProxy", "slack", "https://api.slack.com/robots"),
    AgentRule("discord", r"(?i)Discordbot", "discord", CRAWLER_USER_AGENTS),
    # Only the sharing fetcher: Facebook's catalog crawler, Facebot, FacebookBot and
    # meta-externalagent (AI training) crawl for Meta and are no sign of a share.
    AgentRule("facebook", r"(?i)facebookexternalhit|facebookexternalua", "facebook",
              "https://developers.facebook.com/docs/sharing/webmasters/web-crawlers"),
    AgentRule("twitter", r"(?i)Twitterbot", "twitter",
              "https://developer.x.com/en/docs/x-for-websites/cards/guides/getting-started"),
    AgentRule("linkedin", r"(?i)LinkedInBot", "linkedin", CRAWLER_USER_AGENTS),
    AgentRule("snapchat", r"(?i)Snap URL Preview", "snapchat", "https://developers.snap.com/robots"),
    AgentRule("wechat", r"(?i)WeChatShareExtension", "wechat", DD_BOTS),
    AgentRule("skype", r"SkypeUriPreview|MicrosoftPreview|Teams.*Preview", None, CRAWLER_USER_AGENTS),
    AgentRule("viber", r"(?i)^Viber|ViberUrlDownloader", None, CRAWLER_USER_AGENTS),
    AgentRule("mastodon", r"\bMastodon/|\bPleroma\b|\bMisskey/|\bAkkoma\b", None, CRAWLER_USER_AGENTS),
    AgentRule("bluesky", r"Bluesky Cardyb|BlueskyPreviewBot", None, CRAWLER_USER_AGENTS),
    # Pinterest's preview fetcher; Pinterestbot is its crawler and is left to the bot lists.
    AgentRule("pinterest", r"^Pinterest/0\.", None, "https://www.pinterest.com/bot.html"),
    AgentRule("reddit", r"redditbot", None, CRAWLER_USER_AGENTS),
    AgentRule("vk", r"vkShare", None, "https://vk.com/dev/Share"),
    AgentRule("tumblr", r"^Tumblr/", None, CRAWLER_USER_AGENTS),
    AgentRule("embedly", r"Embedly|Iframely", None, CRAWLER_USER_AGENTS),
    AgentRule("bing_preview", r"BingPreview", None, CRAWLER_USER_AGENTS),
)

# Fetches made on an e-mail recipient's behalf: link checkers, image proxies,
# and Office clients checking a link before opening it. Checked second.
EMAIL_SCANNERS: tuple[AgentRule, ...] = (
    AgentRule("gmail_image_proxy", r"(?i)GoogleImageProxy|via ggpht\.com", None,
              "https://developers.google.com/search/docs/crawling-indexing/google-user-triggered-fetchers"),
    AgentRule("google_safety", r"(?i)Google-Safety", None, CRAWLER_DETECT),
    AgentRule("yahoo_mail_proxy", r"(?i)Yahoo! ?Mail ?Proxy|YahooMailProxy", None,
              "https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html"),
    AgentRule("barracuda", r"(?i)Barracuda", None, CRAWLER_DETECT),
    AgentRule("office_discovery", r"(?i)Microsoft Office (?:Existence|Protocol) Discovery",
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
              r"(?i)^(?:curl|Wget|python-requests|python-urllib|python-httpx|Python/|aiohttp|httpx"
              r"|Go-http-client|okhttp|axios|node-fetch|undici|got[ /]|ky/|superagent|Java/"
              r"|Apache-HttpClient|libwww-perl|LWP::|Ruby|Faraday|Guzzle|HTTPie|PostmanRuntime"
              r"|insomnia/|Scrapy|Dart/|reqwest|ureq/|http\.rb|RestSharp|PHP/|WinHttp|libcurl"
              r"|Dalvik/|CFNetwork/|Alamofire|Mechanize|HTTP_Request|PycURL|Typhoeus|Java-http-client)",
              None, "https://github.com/matomo-org/device-detector/blob/master/regexes/client/libraries.yml"),
    AgentRule("runtime", r"(?i)^(?:node|Node\.js|Deno|Bun)(?:/|$)|WindowsPowerShell/|PowerShell/\d",
              None, "https://docs.deno.com/api/web/~/navigator.userAgent"),
    AgentRule("sdk", r"(?i)^(?:aws-sdk-|aws-cli/|Boto3?/|botocore/|azsdk-|google-api-|gcloud-|"
              r"Google-HTTP-Java-Client|stripe-|twilio-|minio-go|rclone/)", None,
              "https://docs.aws.amazon.com/sdkref/latest/guide/feature-appid.html"),
    # AI services' user-triggered fetchers, AI clients and coding agents.
    AgentRule("ai_agent",
              r"(?i)\b(?:ChatGPT-User|OAI-SearchBot|GPTBot|OpenAI/|Claude-User|Claude-SearchBot"
              r"|ClaudeBot|claude-code/|Anthropic/|Perplexity-User|PerplexityBot|MistralAI-User"
              r"|DuckAssistBot|Google-Gemini-CLI|Gemini-CLI|Cursor/|aider/|Cline/|codex_cli|Kilo-Code"
              r"|cohere-ai|YouBot|Bytespider|Amazonbot|Applebot)",
              None, "https://platform.openai.com/docs/bots"),
    AgentRule("monitoring",
              r"(?i)UptimeRobot|Pingdom|StatusCake|Site24x7|Datadog|NewRelicPinger|Better ?Uptime"
              r"|Uptime-Kuma|Zabbix|Nagios|check_http|Prometheus/|Blackbox Exporter|Checkly|GTmetrix"
              r"|Catchpoint|Freshping|HetrixTools",
              None, "https://github.com/matomo-org/device-detector/blob/master/regexes/bots.yml"),
    AgentRule("headless_browser",
              r"(?i)HeadlessChrome|PhantomJS|SlimerJS|\bHeadless\b|Lighthouse|Puppeteer|Playwright"
              r"|Selenium|webdriver",
              None, CRAWLER_DETECT),
    # Placeholder strings: library defaults and values left in templates.
    AgentRule("placeholder",
              r"(?i)^(?:Mozilla(?:/[\d.]+)?|Mozilla/5\.0 \(compatible\)|User-?Agent|test|null"
              r"|undefined|none|unknown|-+|\*|\.|Chrome|Safari|Firefox|Opera|Edge|Browser|Windows"
              r"|Android|iPhone)$",
              None, "https://github.com/omrilotan/isbot"),
)

# In-app browsers: a person inside an app's built-in web view. Only matched on
# user agents that start like a browser's ("Mozilla/"), so an app's own API
# traffic is not taken for a person. Messenger precedes Facebook (both say FBAN).
IN_APP_BROWSERS: tuple[AgentRule, ...] = (
    AgentRule("messenger",
              r"(?i)FBAN/Messenger|FB_IAB/MESSENGER|FB_IAB/Orca|FBAN/Orca|FB_IAB/MLITE|MessengerForiOS"
              r"|MessengerLite",
              "messenger", DD_APPS),
    # Threads' app calls itself Barcelona; it sits above Instagram, whose code it shares.
    AgentRule("threads", r"(?i)\bBarcelona[ /]\d", "social_other", DD_APPS),
    AgentRule("instagram", r"(?i)\bInstagram[ /]\d", "instagram", DD_APPS),
    # Meta's newer in-app format says "MetaIAB Facebook" or ends "IABMV/1".
    AgentRule("facebook", r"(?i)FBAN/|FBAV/|FB_IAB/|\bFBIOS\b|\bFB4A\b|\bMetaIAB\b|\[FB[\w_]+/",
              "facebook", "https://github.com/shalanah/inapp-spy/blob/main/src/regexAppName.ts"),
    # WhatsApp's own in-app browser (2024 on): "[WAiOS/2.25.31]" on iOS, "[WA4A/2.25.32.75;]" on Android.
    AgentRule("whatsapp", r"(?i)\bWAiOS/|\bWA4A/|\bWhatsApp/\d", "whatsapp",
              "https://github.com/shalanah/inapp-spy/blob/main/src/regexAppName.ts"),
    AgentRule("telegram", r"(?i)Telegram-Android/|\bTelegram/\d", "telegram",
              "https://github.com/DrKLO/Telegram"),
    AgentRule("linkedin", r"(?i)LinkedInApp", "linkedin", DD_APPS),
    AgentRule("twitter", r"(?i)TwitterAndroid|Twitter for iP(?:hone|ad)|\bTwitter/\d", "twitter", DD_APPS),
    AgentRule("tiktok", r"(?i)musical_ly|BytedanceWebview|\btrill_\d|\bTikTok \d|ByteLocale", "tiktok",
              DD_APPS),
    AgentRule("snapchat", r"(?i)Snapchat/?\d", "snapchat", DD_APPS),
    AgentRule("wechat", r"(?i)MicroMessenger/", "wechat", DD_APPS),
    AgentRule("line", r"(?i)\bLine/\d", "line", DD_APPS),
    AgentRule("slack", r"(?i)\bSlack(?:_SSB)?/\d", "slack", DD_APPS),
    AgentRule("discord", r"(?i)\bdiscord/\d", "discord", DD_APPS),
    AgentRule("pinterest", r"(?i)\[Pinterest/|Pinterest for (?:Android|iOS)", "social_other", DD_APPS),
    AgentRule("kakaotalk", r"(?i)KAKAO(?:TALK|STORY)", "social_other", DD_APPS),
    # Microsoft Teams' mobile web view and Flipboard's reader.
    AgentRule("teams", r"\bTeamsMobile-(?:iOS|Android)\b|\bTeams/\d[\w.]* Chrome/", "social_other",
              UAPJS_INAPP),
    # Viber's in-app browser ("... Safari/537.36 Viber/11.9.5.8") and its desktop
    # window ("... QtWebEngine/5.6.0 Chrome/45 Safari/537.36 Viber"); its preview
    # fetcher opens with "Viber" and is matched above, as a preview.
    AgentRule("viber", r"\bViber(?:/\d|$)", "social_other", DD_APPS),
    # Alipay's web view (AlipayClient/10.2); a payment app outside the taxonomy, so
    # the referrer decides the channel.
    AgentRule("alipay", r"\bAlipayClient/\d", None, DD_APPS),
    AgentRule("flipboard", r"\bFlipboard/\d", "social_other", UAPJS_INAPP),
    AgentRule("zalo", r"(?i)\bZalo(?:/\d| android| iOS)", "social_other", DD_APPS),
    AgentRule("weibo", r"(?i)__weibo__|\bWeibo(?:Intl|lite)?(?:iOS)?[ _(]", "social_other", DD_APPS),
    AgentRule("reddit", r"(?i)\bReddit/Version", "social_other", DD_APPS),
    AgentRule("google_app", r"(?i)\bGSA/\d", "search", DD_APPS),
    AgentRule("naver_app", r"NAVER\(inapp; search;", "search", DD_APPS),
)

# Browsers that open their agent with their own name and no Mozilla form: text
# browsers, the Amiga's, BeOS's and older niche browsers. People use them; bot
# lists and the browser shape miss them (isbot's rule for a bare "Name/1.0", a
# "libwww" token in Lynx's agent). A match counts as a person unless the agent
# also carries a bot word.
NAMED_BROWSERS: tuple[AgentRule, ...] = (
    AgentRule("lynx", r"^Lynx/\d", None, DD_BROWSERS),
    AgentRule("links", r"^(?:E?Links \(\d|ELinks/\d)", None, DD_BROWSERS),
    AgentRule("w3m", r"^w3m/\d", None, DD_BROWSERS),
    AgentRule("dillo", r"^Dillo/\d", None, DD_BROWSERS),
    AgentRule("netsurf", r"(?:^|\) )NetSurf/\d", None, DD_BROWSERS),
    AgentRule("icab", r"^iCab/\d|\biCab \d", None, DD_BROWSERS),
    AgentRule("mosaic", r"^NCSA[_ ]Mosaic/\d", None, "https://en.wikipedia.org/wiki/Mosaic_(web_browser)"),
    AgentRule("ibrowse", r"^IBrowse/\d|compatible; IBrowse \d", None, DD_BROWSERS),
    AgentRule("aweb", r"^Amiga-AWeb/\d|\bAmiga-AWeb\b", None, "https://en.wikipedia.org/wiki/AWeb"),
    AgentRule("voyager", r"^AmigaVoyager/\d", None, "https://en.wikipedia.org/wiki/Voyager_(web_browser)"),
    AgentRule("netpositive", r"compatible; NetPositive/\d", None, DD_BROWSERS),
    AgentRule("konqueror", r"compatible; Konqueror/\d", None, DD_BROWSERS),
    AgentRule("midori", r"^Midori/\d", None, DD_BROWSERS),
    AgentRule("sleipnir", r"^Sleipnir/\d", None, DD_BROWSERS),
    AgentRule("abrowse", r"compatible; U; ABrowse \d", None, DD_BROWSERS),
    AgentRule("charon", r"\(Charon; Inferno\)", None, DD_BROWSERS),
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
    AppRule("com.google.android.gm.lite", "email", PLAY + "com.google.android.gm.lite"),
    AppRule("ru.yandex.mail", "email", PLAY + "ru.yandex.mail"),
    AppRule("com.my.mail", "email", PLAY + "com.my.mail"),
    AppRule("de.telekom.mail", "email", PLAY + "de.telekom.mail"),
    AppRule("com.gmx.mobile.android.mail", "email", PLAY + "com.gmx.mobile.android.mail"),
    AppRule("com.mail.mobile.android.mail", "email", PLAY + "com.mail.mobile.android.mail"),
    AppRule("com.easilydo.mail", "email", PLAY + "com.easilydo.mail"),
    AppRule("com.readdle.spark", "email", PLAY + "com.readdle.spark"),
    AppRule("de.tutao.tutanota", "email", PLAY + "de.tutao.tutanota"),
    AppRule("com.zoho.mail", "email", PLAY + "com.zoho.mail"),
    AppRule("com.fastmail.app", "email", PLAY + "com.fastmail.app"),
    AppRule("com.netease.mail", "email", PLAY + "com.netease.mail"),
    AppRule("com.tencent.androidqqmail", "email", PLAY + "com.tencent.androidqqmail"),
    AppRule("com.nhn.android.mail", "email", PLAY + "com.nhn.android.mail"),
    AppRule("net.daum.android.mail", "email", PLAY + "net.daum.android.mail"),
    AppRule("jp.co.yahoo.android.ymail", "email", PLAY + "jp.co.yahoo.android.ymail"),
    AppRule("com.android.email", "email", "https://android.googlesource.com/platform/packages/apps/Email/"),
    AppRule("com.seznam.email", "email", PLAY + "com.seznam.email"),
    AppRule("com.whatsapp", "whatsapp", PLAY + "com.whatsapp"),
    AppRule("com.whatsapp.w4b", "whatsapp", PLAY + "com.whatsapp.w4b"),
    AppRule("org.telegram.", "telegram", PLAY + "org.telegram.messenger"),
    AppRule("org.thunderdog.challegram", "telegram", PLAY + "org.thunderdog.challegram"),
    # Telegram clients built on its open-source app, under their own package ids.
    AppRule("tw.nekomimi.nekogram", "telegram", "https://github.com/Nekogram/Nekogram"),
    AppRule("nekox.messenger", "telegram", "https://github.com/NekoX-Dev/NekoX"),
    AppRule("xyz.nextalone.nagram", "telegram", "https://github.com/NextAlone/Nagram"),
    AppRule("com.exteragram.messenger", "telegram", "https://github.com/exteraSquad/exteraGram"),
    AppRule("uz.unnarsx.cherrygram", "telegram", "https://github.com/arsLan4k1390/Cherrygram"),
    AppRule("com.radolyn.ayugram", "telegram", "https://github.com/AyuGram/AyuGram4A"),
    AppRule("it.octogram.android", "telegram", "https://github.com/OctoGramApp/OctoGram"),
    AppRule("org.forkgram.messenger", "telegram", "https://github.com/Forkgram/TelegramAndroid"),
    AppRule("com.iMe.android", "telegram", PLAY + "com.iMe.android"),
    AppRule("ir.ilmili.telegraph", "telegram", PLAY + "ir.ilmili.telegraph"),
    AppRule("im.molly.app", "signal", "https://github.com/mollyim/mollyim-android"),
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
    # European, Asian and ISP webmail, and the link dereferrers their webmail
    # sends clicks through (GMX, WEB.DE and mail.com open links via deref-* hosts).
    HostRule("deref-gmx.*", "email", "https://hilfe.gmx.net/sicherheit/dereferrer.html"),
    HostRule("deref-web.de", "email", "https://hilfe.web.de/sicherheit/dereferrer.html"),
    HostRule("deref-web-02.de", "email", "https://hilfe.web.de/sicherheit/dereferrer.html"),
    HostRule("deref-1und1.de", "email", "https://hilfe.web.de/sicherheit/dereferrer.html"),
    HostRule("deref-mail.com", "email", "https://support.mail.com/security/dereferrer.html"),
    HostRule("mail.com", "email", "https://www.mail.com/"),
    HostRule("email.t-online.de", "email", "https://www.telekom.de/hilfe/festnetz-internet-tv/e-mail"),
    HostRule("webmail.freenet.de", "email", "https://email.freenet.de/"),
    HostRule("posteo.de", "email", "https://posteo.de/"),
    HostRule("mailbox.org", "email", "https://mailbox.org/"),
    HostRule("messagerie.orange.fr", "email", REFERER_PARSER),
    HostRule("webmail.orange.fr", "email", REFERER_PARSER),
    HostRule("webmail.sfr.fr", "email", "https://assistance.sfr.fr/internet-tel-fixe/mail/"),
    HostRule("webmail.free.fr", "email", "https://assistance.free.fr/"),
    HostRule("zimbra.free.fr", "email", "https://assistance.free.fr/"),
    HostRule("laposte.net", "email", "https://www.laposte.net/"),
    HostRule("mail.libero.it", "email", "https://aiuto.libero.it/"),
    HostRule("mailbeta.libero.it", "email", "https://aiuto.libero.it/"),
    HostRule("mail.virgilio.it", "email", "https://aiuto.virgilio.it/"),
    HostRule("webmail.aruba.it", "email", "https://guide.hosting.aruba.it/"),
    HostRule("mail.tiscali.it", "email", "https://assistenza.tiscali.it/"),
    HostRule("email.seznam.cz", "email", REFERER_PARSER),
    HostRule("mail.centrum.cz", "email", "https://mail.centrum.cz/"),
    HostRule("poczta.onet.pl", "email", "https://poczta.onet.pl/"),
    HostRule("poczta.wp.pl", "email", "https://poczta.wp.pl/"),
    HostRule("poczta.interia.pl", "email", "https://poczta.interia.pl/"),
    HostRule("poczta.o2.pl", "email", "https://poczta.o2.pl/"),
    HostRule("mail.rambler.ru", "email", "https://mail.rambler.ru/"),
    HostRule("mail.ukr.net", "email", "https://mail.ukr.net/"),
    HostRule("abv.bg", "email", "https://www.abv.bg/"),
    HostRule("inbox.lv", "email", "https://www.inbox.lv/"),
    HostRule("freemail.hu", "email", "https://freemail.hu/"),
    HostRule("mail.bluewin.ch", "email", "https://www.swisscom.ch/en/residential/help/internet/bluewin-mail.html"),
    HostRule("webmail.xs4all.nl", "email", "https://www.xs4all.nl/service/"),
    HostRule("mail.mynet.com", "email", REFERER_PARSER),
    HostRule("mail.naver.com", "email", REFERER_PARSER),
    HostRule("mail.daum.net", "email", REFERER_PARSER),
    HostRule("mail2.daum.net", "email", REFERER_PARSER),
    HostRule("mail.kakao.com", "email", "https://cs.kakao.com/helps?service=106"),
    HostRule("mail.qq.com", "email", REFERER_PARSER),
    HostRule("exmail.qq.com", "email", "https://exmail.qq.com/"),
    HostRule("mail.163.com", "email", REFERER_PARSER),
    HostRule("mail.126.com", "email", REFERER_PARSER),
    HostRule("mail.yeah.net", "email", "https://mail.yeah.net/"),
    HostRule("mail.sina.com.cn", "email", "https://mail.sina.com.cn/"),
    HostRule("mail.sohu.com", "email", "https://mail.sohu.com/"),
    HostRule("mail.aliyun.com", "email", "https://mail.aliyun.com/"),
    HostRule("mail.rediff.com", "email", "https://mail.rediff.com/"),
    HostRule("rediffmail.com", "email", "https://www.rediffmail.com/"),
    HostRule("webmail.bigpond.com", "email", REFERER_PARSER),
    HostRule("webmail2.bigpond.com", "email", REFERER_PARSER),
    HostRule("webmail.optuszoo.com.au", "email", REFERER_PARSER),
    HostRule("connect.xfinity.com", "email", "https://www.xfinity.com/support/articles/access-xfinity-connect-email"),
    HostRule("mail.comcast.net", "email", "https://www.xfinity.com/support/articles/access-xfinity-connect-email"),
    HostRule("webmail.cox.net", "email", "https://www.cox.com/residential/support/email.html"),
    HostRule("webmail.earthlink.net", "email", "https://www.earthlink.net/"),
    HostRule("webmail.shaw.ca", "email", "https://support.shaw.ca/"),
    HostRule("webmail.telus.net", "email", "https://www.telus.com/support"),
    HostRule("mail.terra.com.br", "email", "https://www.terra.com.br/"),
    HostRule("email.uol.com.br", "email", "https://email.uol.com.br/"),
    HostRule("email.bol.com.br", "email", "https://email.bol.uol.com.br/"),
    HostRule("app.hey.com", "email", "https://www.hey.com/"),
    # Link protection of mail security gateways.
    HostRule("linkprotect.cudasvc.com", "email", "https://campus.barracuda.com/product/emailgatewaydefense/doc/96023036/link-protection/"),
    HostRule("secure-web.cisco.com", "email", "https://www.cisco.com/c/en/us/support/security/email-security-appliance/series.html"),
    HostRule("protection.sophos.com", "email", "https://docs.sophos.com/central/customer/help/en-us/ManageYourProducts/EmailSecurity/"),
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
    # Fediverse servers are many and named after their software ("mastodon.online",
    # "mstdn.jp", "pixelfed.de"): the brand under any top-level domain.
    HostRule("mastodon.*", "social_other", MATOMO_SOCIAL),
    HostRule("mstdn.*", "social_other", MATOMO_SOCIAL),
    HostRule("pixelfed.*", "social_other", MATOMO_SOCIAL),
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
