import datetime

import pytest

from apps.participant_reports import rules


@pytest.mark.parametrize(
    ("category", "accompanying", "audience"),
    [
        ("learner", False, "learner"),
        ("recent_graduate", False, "learner"),  # a recent graduate goes as a learner
        ("staff", False, "staff"),
        ("staff", True, "staff"),
        ("learner", True, "staff"),  # an accompanying person answers as staff, whatever their record says
    ],
)
def test_audience(category, accompanying, audience):
    assert rules.audience_for(category, accompanying=accompanying) == audience


def test_due_and_overdue_thirty_days_after_the_request():
    requested = datetime.date(2024, 9, 30)
    due = rules.due_date_for(requested)
    assert due == datetime.date(2024, 10, 30)
    assert not rules.is_overdue(due, due - datetime.timedelta(days=1))
    assert rules.is_overdue(due, due)


def test_requested_only_after_the_last_day():
    end = datetime.date(2024, 9, 29)
    assert not rules.should_request(end, end)
    assert rules.should_request(end, end + datetime.timedelta(days=1))
