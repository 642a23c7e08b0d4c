import datetime

import pytest

from apps.outcomes import rules

START, END = datetime.date(2024, 9, 2), datetime.date(2024, 9, 29)


@pytest.mark.parametrize(
    ("status", "today", "expected"),
    [
        ("planned", datetime.date(2024, 6, 1), True),
        ("confirmed", START, True),  # the start date itself: still "before you leave"
        ("confirmed", START + datetime.timedelta(days=1), False),
        ("draft", datetime.date(2024, 6, 1), False),
        ("ongoing", datetime.date(2024, 6, 1), False),
        ("cancelled", datetime.date(2024, 6, 1), False),
    ],
)
def test_before_window(status, today, expected):
    assert rules.before_window_open(status=status, start_date=START, today=today) is expected


@pytest.mark.parametrize(
    ("status", "today", "expected"),
    [
        ("ongoing", END - datetime.timedelta(days=1), False),
        ("ongoing", END, True),  # from the physical end date on
        ("completed", END + datetime.timedelta(days=rules.AFTER_WINDOW_DAYS), True),
        ("completed", END + datetime.timedelta(days=rules.AFTER_WINDOW_DAYS + 1), False),
        ("reported", END + datetime.timedelta(days=10), True),
        ("confirmed", END + datetime.timedelta(days=10), True),  # the organisation has not moved it on yet
        ("cancelled", END + datetime.timedelta(days=10), False),
        ("force_majeure", END + datetime.timedelta(days=10), False),
        ("draft", END + datetime.timedelta(days=10), False),
    ],
)
def test_after_window(status, today, expected):
    assert rules.after_window_open(status=status, end_date=END, today=today) is expected


def test_last_days():
    assert rules.window_last_day(phase="before", start_date=START, end_date=END) == START
    assert rules.window_last_day(phase="after", start_date=START, end_date=END) == datetime.date(2024, 11, 28)
