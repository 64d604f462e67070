"""The survey's answers, groups, words and snippets: pure data and functions."""

from __future__ import annotations

import html
import json

import pytest

from shortener.classify import LINK_CHANNELS
from shortener.survey import embed
from shortener.survey.choices import (
    CHANNEL_GROUPS,
    FRIEND_ANSWERS,
    GROUPS,
    HEARD_VIA,
    MAX_TEXT_LENGTH,
    group_of_channel,
)
from shortener.survey.translations import FOLDER, all_texts, choose_language, texts_for


def test_every_channel_a_click_comes_by_has_a_group():
    # "code" brings no click (classify.UNLINKED_CHANNELS): the mix is of clicks.
    assert set(CHANNEL_GROUPS) == set(LINK_CHANNELS)
    assert set(CHANNEL_GROUPS.values()) <= set(GROUPS)


def test_in_person_is_the_one_answer_no_click_can_show():
    measurable = set(CHANNEL_GROUPS.values())
    assert set(GROUPS) - measurable == {"friend_in_person"}
    assert set(HEARD_VIA) >= FRIEND_ANSWERS


@pytest.mark.parametrize(("channel", "group"), [
    ("whatsapp", "friend_whatsapp"), ("signal", "friend_messenger"),
    ("direct", "friend_messenger"), ("email", "friend_email"), ("instagram", "social"),
    ("search", "search"), ("referral", "other"), ("carrier-pigeon", "other"),
])
def test_channels_fold_into_the_answers_groups(channel, group):
    assert group_of_channel(channel) == group


def test_every_language_has_every_word_of_english():
    english = json.loads((FOLDER / "en.json").read_text())
    assert {"en", "de"} <= set(all_texts())
    for language, texts in all_texts().items():
        assert set(texts) == set(english), language
        assert set(texts["choices"]) == set(HEARD_VIA), language
        assert all(isinstance(value, str) and value for value in texts["choices"].values())
    assert str(MAX_TEXT_LENGTH) in texts_for("de")["referrer_help"]


@pytest.mark.parametrize(("wanted", "chosen"), [
    ("de", "de"), ("DE", "de"), ("de-AT", "de"), ("de_CH", "de"), ("fr", "en"), ("", "en"),
    (None, "en"), (7, "en"),
])
def test_the_language_falls_back_to_english(wanted, chosen):
    assert choose_language(wanted) == chosen


def test_the_snippets_leave_only_the_order_id_to_fill_in():
    script = embed.script_snippet("https://go.example", "12", "tok-en_1", "de")
    assert script == ('<script src="https://go.example/survey/widget.js" data-campaign="12"'
                      ' data-token="tok-en_1" data-lang="de" data-order="ORDER_ID"'
                      ' async></script>')
    frame = embed.frame_snippet("https://go.example", "12", "tok-en_1", "de")
    assert 'title="Wie haben Sie von uns erfahren?"' in frame
    src = html.unescape(frame.split('src="')[1].split('"')[0])
    assert src == "https://go.example/survey/12/frame?token=tok-en_1&lang=de&order=ORDER_ID"


def test_the_snippets_escape_what_they_quote():
    script = embed.script_snippet('https://go.example/"x', "1", "a<b")
    assert 'src="https://go.example/&#34;x/survey/widget.js"' in script
    assert "a<b" not in script and "a&lt;b" in script
