"""`shortener survey embed`: the snippets a shop pastes, in its language, with a new token."""

from __future__ import annotations

import json
import re

from shortener.cli import main


def test_it_prints_the_snippets_and_rotates_the_token(runner, make_campaign):
    campaign = make_campaign()
    first = runner.invoke(main, ["survey", "embed", "--campaign", campaign.id, "--lang", "de"])
    assert first.exit_code == 0, first.output
    printed = json.loads(first.stdout)
    assert printed["language"] == "de"
    assert 'data-lang="de"' in printed["survey_embed"]
    assert 'title="Wie haben Sie von uns erfahren?"' in printed["survey_embed_frame"]
    token = re.search(r'data-token="([^"]+)"', printed["survey_embed"]).group(1)
    again = json.loads(runner.invoke(main, ["survey", "embed", "--campaign", campaign.id]
                                     ).stdout)
    assert f'data-token="{token}"' in again["survey_embed"]
    rotated = runner.invoke(main, ["survey", "embed", "--campaign", campaign.id, "--rotate"])
    assert rotated.exit_code == 0
    new = re.search(r'data-token="([^"]+)"', json.loads(rotated.stdout)["survey_embed"]).group(1)
    assert new != token


def test_an_unknown_campaign_is_one_line_and_status_1(runner, redis):
    result = runner.invoke(main, ["survey", "embed", "--campaign", "999"])
    assert result.exit_code == 1
    assert "campaign '999' does not exist" in result.output
