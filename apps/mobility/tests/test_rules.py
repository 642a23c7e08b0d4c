"""Short-term project duration: 6 to 18 months (RULES.md)."""

from datetime import date, timedelta

import pytest

from apps.mobility import rules


@pytest.mark.parametrize(
    ("start", "end", "ok"),
    [
        (date(2024, 1, 15), date(2024, 7, 15), True),  # exactly 6 months
        (date(2024, 1, 15), date(2024, 7, 14), False),  # 6 months minus a day
        (date(2024, 1, 15), date(2025, 7, 15), True),  # exactly 18 months
        (date(2024, 1, 15), date(2025, 7, 16), False),  # 18 months plus a day
        (date(2024, 1, 15), date(2024, 12, 31), True),  # in between
        (date(2024, 1, 15), date(2024, 1, 15), False),  # ends the day it starts
        (date(2024, 7, 15), date(2024, 1, 15), False),  # ends before it starts
        # Month ends: six months after 31 August is the last day of February.
        (date(2024, 8, 31), date(2025, 2, 28), True),
        (date(2024, 8, 31), date(2025, 2, 27), False),
        (date(2024, 1, 31), date(2025, 7, 31), True),
        (date(2024, 1, 31), date(2025, 8, 1), False),
        # A leap day start.
        (date(2024, 2, 29), date(2024, 8, 29), True),
        (date(2024, 2, 29), date(2024, 8, 28), False),
        (date(2024, 2, 29), date(2025, 8, 29), True),
        (date(2024, 2, 29), date(2025, 8, 30), False),
    ],
)
def test_project_duration_ok(start, end, ok):
    assert rules.project_duration_ok(start, end) is ok


def test_project_duration_limits():
    assert (rules.PROJECT_MIN_MONTHS, rules.PROJECT_MAX_MONTHS) == (6, 18)


@pytest.mark.parametrize("start", [date(2023, 6, 1), date(2023, 12, 31), date(2024, 2, 29), date(2026, 5, 31)])
def test_duration_window_is_contiguous(start):
    # Every end date from the first allowed to the last allowed passes; the day either side does not.
    ends = [start + timedelta(days=d) for d in range(0, 600)]
    allowed = [end for end in ends if rules.project_duration_ok(start, end)]
    assert allowed == [allowed[0] + timedelta(days=i) for i in range(len(allowed))]
    assert 181 <= (allowed[0] - start).days <= 184
    assert 546 <= (allowed[-1] - start).days <= 549
