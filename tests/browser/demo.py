"""A month of believable traffic for the screenshots: two campaigns, a dozen advocates.

Clicks are written with the recording step itself (backdated, which the
redirect cannot do), so every counter and the live feed look as they would
after a month of real use. The random generator is seeded: the same
figures on every run.
"""

from __future__ import annotations

import random
import time
from typing import Any

from shortener.classify import Classification, is_dark
from shortener.clicks.batching import ClickWriter
from shortener.clicks.conversions import record_conversion
from shortener.clicks.recording import Click, record_click
from shortener.config import Settings
from shortener.links.advocates import upsert_advocate
from shortener.links.campaigns import create_campaign
from shortener.links.minting import mint_link
from shortener.links.models import Campaign

DAY_SECONDS = 86400
ADVOCATES = [
    ("cust-1042", "Maria Lopez", None), ("cust-2077", "Jonas Weber", "cust-1042"),
    ("cust-3110", "Aisha Khan", None), ("cust-4521", "Tom Becker", "cust-3110"),
    ("cust-5003", "Lena Fischer", None), ("cust-6140", "Noah Martin", "cust-1042"),
    ("cust-7215", "Sofia Rossi", None), ("cust-8302", "Liam Dubois", None),
    ("cust-9007", "Emma Novak", "cust-5003"), ("cust-9150", "Ben Schulz", None),
]
CHANNEL_WEIGHTS = {
    "whatsapp": 34, "direct": 18, "email": 12, "telegram": 8, "facebook": 7,
    "instagram": 6, "messenger": 4, "linkedin": 4, "imessage": 3, "twitter": 2,
    "search": 2,
}
DEVICES = [("mobile", "iOS", "Mobile Safari"), ("mobile", "Android", "Chrome Mobile"),
           ("desktop", "Windows", "Chrome"), ("desktop", "Mac OS X", "Safari"),
           ("tablet", "iOS", "Mobile Safari")]


def _human(rng: random.Random, channel: str) -> Classification:
    device, os_name, browser = rng.choices(DEVICES, weights=[40, 30, 15, 10, 5])[0]
    signal = "channel_tag" if channel not in {"direct", "search"} else "no_referrer"
    return Classification("human", channel, is_dark(channel), signal, 0.9, device, os_name,
                          browser)


def seed_demo(r: Any, settings: Settings, writer: ClickWriter, *,
              now: float | None = None) -> list[Campaign]:
    rng = random.Random(6)
    now = now or time.time()
    spring = create_campaign(r, name="Spring referrals", destination="https://shop.example/spring",
                             utm={"utm_source": "referral", "utm_campaign": "spring"},
                             cost=1200.0, value_per_click=0.8, reward_goal=5)
    newsletter = create_campaign(r, name="Friends get 10 %", cost=400.0, value_per_click=0.8,
                                 destination="https://shop.example/friends", reward_goal=3)
    for external_id, name, referred_by in ADVOCATES:
        upsert_advocate(r, external_id, name=name, referred_by=referred_by)
    codes = {}
    for index, (external_id, _, _) in enumerate(ADVOCATES):
        for campaign in (spring, newsletter) if index % 3 == 0 else (spring,):
            codes[(campaign.id, external_id)] = mint_link(
                r, settings, campaign_id=campaign.id, advocate=external_id,
                now=now - 31 * DAY_SECONDS).link.code
    channels, weights = zip(*CHANNEL_WEIGHTS.items(), strict=True)
    popularity = [14, 9, 8, 6, 5, 4, 3, 2, 2, 1]
    for day in range(29, -1, -1):
        base = now - day * DAY_SECONDS
        for _ in range(int(rng.gauss(9 + (29 - day) * 0.35, 2))):
            (campaign_id, external_id), code = rng.choices(
                list(codes.items()),
                weights=[popularity[[a[0] for a in ADVOCATES].index(key[1])]
                         * (1 if key[0] == spring.id else 0.6) for key in codes])[0]
            channel = rng.choices(channels, weights=weights)[0]
            ts = base - rng.uniform(0, DAY_SECONDS * 0.9) if day else now - rng.uniform(0, 3600)
            record_click(writer, Click(
                click_id=f"{code}.demo{rng.getrandbits(32):x}", code=code,
                campaign_id=campaign_id, advocate=external_id, ts=ts,
                classification=_human(rng, channel), visitor_hash=f"{rng.getrandbits(40):x}"))
            if rng.random() < 0.35:
                bot = rng.choices(
                    [Classification("preview_bot", "whatsapp", None, "user_agent", 1.0),
                     Classification("preview_bot", "telegram", None, "user_agent", 1.0),
                     Classification("scanner", None, None, "user_agent", 1.0),
                     Classification("crawler", None, None, "user_agent", 1.0)],
                    weights=[6, 2, 2, 1])[0]
                record_click(writer, Click(
                    click_id=f"{code}.bot{rng.getrandbits(32):x}", code=code,
                    campaign_id=campaign_id, advocate=external_id, ts=ts - 5,
                    classification=bot, visitor_hash=""))
    writer.flush()
    orders = 0
    for (campaign_id, external_id), _ in codes.items():
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3]) if external_id != "cust-9150" else 0):
            orders += 1
            record_conversion(r, click_id_key=settings.secrets["click_id_key"].encode(),
                              order_id=f"order-{orders}", value=rng.choice([39, 59, 89]),
                              campaign_id=campaign_id, advocate=external_id, now=now)
    return [spring, newsletter]
