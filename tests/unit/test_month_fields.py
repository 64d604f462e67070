"""Month hash field names: every counter a month hash keeps is spelled short and read back."""

from __future__ import annotations

import pytest

from shortener.clicks import counters


@pytest.mark.parametrize("name", [counters.HUMAN, counters.CONVERSIONS,
                                  counters.CONVERSIONS_BY_CLICK, counters.CONVERSIONS_BY_CODE,
                                  counters.channel("whatsapp"), counters.hour(7)])
def test_a_counter_is_spelled_short_and_read_back(name):
    field = counters.day_field("20260107", name)
    assert field[:2] == "07" and field[2] != ":"
    assert counters.counter_of_field(field) == name


def test_conversions_by_click_and_by_code_have_letters_of_their_own():
    fields = {counters.day_field("20260107", name) for name in
              (counters.CONVERSIONS, counters.CONVERSION_VALUE,
               counters.CONVERSIONS_BY_CLICK, counters.CONVERSIONS_BY_CODE)}
    assert len(fields) == 4 and all(len(field) == 3 for field in fields)
