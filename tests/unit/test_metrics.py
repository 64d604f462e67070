from __future__ import annotations

import pytest

from shortener.analytics import metrics


@pytest.mark.parametrize(
    ("function", "args", "expected"),
    [
        (metrics.dark_share, (3, 4), 0.75),
        (metrics.dark_share, (0, 0), None),
        (metrics.conversion_rate, (1, 8), 0.125),
        (metrics.referral_rate, (2, 0), None),
        (metrics.k_factor, (5, 10), 0.5),
        (metrics.cost_per_advocate, (None, 10), None),
        (metrics.cost_per_advocate, (100.0, 0), None),
        (metrics.cost_per_advocate, (100.0, 4), 25.0),
        (metrics.earned_media_value, (10, 0.25), 2.5),
        (metrics.earned_media_value, (10, None), None),
        (metrics.roi, (300.0, 100.0), 2.0),
        (metrics.roi, (300.0, 0.0), None),
    ],
)
def test_each_formula(function, args, expected):
    assert function(*args) == expected
