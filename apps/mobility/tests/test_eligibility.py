"""Eligibility of mobilities and preparatory visits (RULES.md, "Participants" and "Activities")."""

from dataclasses import replace
from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from apps.mobility import eligibility
from apps.mobility.eligibility import (
    ActivityRules,
    EligibilityInput,
    PreparatoryVisitInput,
    check_mobility,
    check_preparatory_visit,
)
from apps.mobility.rates import CATEGORIES, rate_tables_from_csv
from apps.participants.models import ParticipantCategory

# The rows of activity_types.csv.
SHORT = ActivityRules("LM-SHORT-VET", "learner", 10, 89)
SKILLS = ActivityRules("LM-SKILL-VET", "learner", 1, 10)
LONG = ActivityRules("LM-LONG-VET", "learner", 90, 365)
SHADOWING = ActivityRules("SM-JOB-SHDW", "staff", 2, 60)
COURSE = ActivityRules("SM-COUR-TRAIN", "staff", 2, 30, course_fees=True)
ELIGIBLE = frozenset(rate_tables_from_csv(2024).support_groups)

PROJECT = {"project_start": date(2024, 6, 1), "project_end": date(2025, 11, 30)}
START = date(2024, 9, 2)

# The worked example: a learner from Poland, 28 days in Portugal.
VALID = EligibilityInput(
    activity=SHORT,
    category="learner",
    sending_country="PL",
    destination_country="PT",
    eligible_countries=ELIGIBLE,
    start_date=START,
    end_date=date(2024, 9, 29),
    travel_days=2,
    fewer_opportunities=True,
    **PROJECT,
)


def lasting(days: int, start: date = START) -> dict:
    return {"start_date": start, "end_date": start + timedelta(days=days - 1)}


def codes(data: EligibilityInput) -> set[tuple[str, str]]:
    return {(violation.field, violation.code) for violation in check_mobility(data)}


def test_the_worked_example_is_eligible():
    assert check_mobility(VALID) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # Physical duration, inclusive, travel days excluded: within the activity type's min and max.
        pytest.param({"activity": SHORT, **lasting(10)}, set(), id="short-10-days-min"),
        pytest.param({"activity": SHORT, **lasting(9)}, {("end_date", "too_short")}, id="short-9-days"),
        pytest.param({"activity": SHORT, **lasting(89)}, set(), id="short-89-days-max"),
        pytest.param({"activity": SHORT, **lasting(90)}, {("end_date", "too_long")}, id="short-90-days"),
        pytest.param(
            {"activity": SHORT, "travel_days": 6, **lasting(9)},
            {("end_date", "too_short")},
            id="travel-days-do-not-count",
        ),
        pytest.param({"activity": SKILLS, **lasting(1)}, set(), id="skills-1-day"),
        pytest.param({"activity": SKILLS, **lasting(11)}, {("end_date", "too_long")}, id="skills-11-days"),
        pytest.param({"activity": LONG, **lasting(90, date(2024, 6, 1))}, set(), id="long-90-days"),
        pytest.param({"activity": LONG, **lasting(89)}, {("end_date", "too_short")}, id="long-89-days"),
        # Dates.
        pytest.param(
            {"end_date": START - timedelta(days=1)}, {("end_date", "end_before_start")}, id="ends-before-start"
        ),
        pytest.param({**lasting(10, date(2024, 6, 1))}, set(), id="starts-on-project-start"),
        pytest.param(
            {**lasting(10, date(2024, 5, 31))}, {("start_date", "before_project")}, id="starts-before-project"
        ),
        pytest.param({**lasting(10, date(2025, 11, 21))}, set(), id="ends-on-project-end"),
        pytest.param({**lasting(10, date(2025, 11, 22))}, {("end_date", "after_project")}, id="ends-after-project"),
        # Destination.
        pytest.param({"destination_country": "PL"}, {("destination_country", "same_as_sending")}, id="sending-country"),
        pytest.param(
            {"destination_country": "US"}, {("destination_country", "country_not_eligible")}, id="not-eligible"
        ),
        pytest.param({"destination_country": "TR"}, set(), id="eligible-non-eu"),
        # Travel and course days.
        pytest.param({"travel_days": 0}, set(), id="no-travel-days"),
        pytest.param({"travel_days": -1}, {("travel_days", "negative")}, id="negative-travel-days"),
        pytest.param({"course_days": 3}, {("course_days", "not_a_course")}, id="course-days-on-a-learner-activity"),
        pytest.param({"course_days": -1}, {("course_days", "negative")}, id="negative-course-days"),
    ],
)
def test_mobility_rules(changes, expected):
    assert codes(replace(VALID, **changes)) == expected


@pytest.mark.parametrize(
    ("activity", "category", "accompanying", "expected"),
    [
        pytest.param(SHORT, "learner", False, set(), id="learner-on-learner-activity"),
        pytest.param(SHORT, "recent_graduate", False, set(), id="graduate-on-learner-activity"),
        pytest.param(SHORT, "staff", False, {("category", "category_not_allowed")}, id="staff-on-learner-activity"),
        pytest.param(SHADOWING, "staff", False, set(), id="staff-on-staff-activity"),
        pytest.param(SHADOWING, "learner", False, {("category", "category_not_allowed")}, id="learner-on-staff"),
        pytest.param(
            SHADOWING, "recent_graduate", False, {("category", "category_not_allowed")}, id="graduate-on-staff"
        ),
        pytest.param(SHORT, "staff", True, set(), id="accompanying-on-learner-activity"),
        pytest.param(
            SHADOWING,
            "staff",
            True,
            {("accompanying", "accompanying_not_allowed")},
            id="accompanying-on-staff-activity",
        ),
        pytest.param(SHORT, "teacher", False, {("category", "unknown_category")}, id="unknown-category"),
    ],
)
def test_who_takes_part(activity, category, accompanying, expected):
    data = replace(
        VALID,
        activity=activity,
        category=category,
        accompanying=accompanying,
        fewer_opportunities=False,
        graduation_date=date(2024, 6, 28),
    )
    assert codes(data) == expected


@pytest.mark.parametrize(
    ("accompanying", "fewer", "expected"),
    [
        pytest.param(False, True, set(), id="participant-with-fewer-opportunities"),
        pytest.param(True, False, set(), id="accompanying-person"),
        pytest.param(
            True, True, {("fewer_opportunities", "accompanying_fewer_opportunities")}, id="accompanying-never-flagged"
        ),
    ],
)
def test_fewer_opportunities(accompanying, fewer, expected):
    category = "staff" if accompanying else "learner"
    assert codes(replace(VALID, category=category, accompanying=accompanying, fewer_opportunities=fewer)) == expected


@pytest.mark.parametrize(
    ("graduated", "start", "expected"),
    [
        pytest.param(date(2023, 9, 2), date(2024, 9, 2), set(), id="exactly-12-months"),
        pytest.param(date(2023, 9, 1), date(2024, 9, 2), {("start_date", "graduation_too_long_ago")}, id="a-day-later"),
        pytest.param(date(2024, 6, 28), date(2024, 9, 2), set(), id="two-months"),
        pytest.param(date(2024, 9, 1), date(2024, 9, 2), set(), id="the-day-after-graduation"),
        pytest.param(date(2024, 9, 2), date(2024, 9, 2), {("start_date", "before_graduation")}, id="on-graduation-day"),
        pytest.param(
            date(2024, 9, 10), date(2024, 9, 2), {("start_date", "before_graduation")}, id="before-graduation"
        ),
        pytest.param(None, date(2024, 9, 2), {("graduation_date", "required")}, id="no-graduation-date"),
        # Twelve months after 29 February is 28 February.
        pytest.param(date(2024, 2, 29), date(2025, 2, 28), set(), id="leap-day-12-months"),
        pytest.param(
            date(2024, 2, 29), date(2025, 3, 1), {("start_date", "graduation_too_long_ago")}, id="leap-day-a-day-later"
        ),
    ],
)
def test_recent_graduate_starts_within_12_months_after_graduation(graduated, start, expected):
    data = replace(
        VALID,
        category="recent_graduate",
        graduation_date=graduated,
        project_start=date(2024, 1, 1),
        **lasting(28, start),
    )
    assert codes(data) == expected


def test_graduation_date_only_matters_for_recent_graduates():
    assert codes(replace(VALID, category="learner", graduation_date=date(2020, 1, 1))) == set()


@pytest.mark.parametrize(
    ("others", "accompanying", "activity", "expected"),
    [
        pytest.param(0, False, SHORT, set(), id="1st"),
        pytest.param(29, False, SHORT, set(), id="30th"),
        pytest.param(30, False, SHORT, {("participant", "participant_cap")}, id="31st"),
        pytest.param(30, True, SHORT, set(), id="accompanying-person-not-counted"),
        pytest.param(
            30, False, replace(SHORT, counts_toward_participant_cap=False), set(), id="activity-type-not-counted"
        ),
    ],
)
def test_thirty_participants_per_project(others, accompanying, activity, expected):
    data = replace(
        VALID,
        activity=activity,
        category="staff" if accompanying else "learner",
        accompanying=accompanying,
        fewer_opportunities=False,
        other_counted_participants=others,
    )
    assert codes(data) == expected


@pytest.mark.parametrize(
    ("course_days", "days", "expected"),
    [
        pytest.param(0, 5, set(), id="none"),
        pytest.param(5, 5, set(), id="as-many-as-activity-days"),
        pytest.param(11, 12, set(), id="over-the-fee-cap-is-still-eligible"),
        pytest.param(6, 5, {("course_days", "exceed_duration")}, id="more-than-activity-days"),
    ],
)
def test_course_days(course_days, days, expected):
    data = replace(VALID, activity=COURSE, category="staff", course_days=course_days, **lasting(days))
    assert codes(data) == expected


def test_every_violation_is_reported_with_a_message():
    data = replace(
        VALID,
        activity=SHADOWING,
        destination_country="PL",
        travel_days=-1,
        course_days=2,
        other_counted_participants=30,
        **lasting(1, date(2024, 5, 1)),
    )
    assert codes(data) == {
        ("end_date", "too_short"),
        ("start_date", "before_project"),
        ("category", "category_not_allowed"),
        ("participant", "participant_cap"),
        ("destination_country", "same_as_sending"),
        ("travel_days", "negative"),
        ("course_days", "not_a_course"),
    }
    assert all(violation.message for violation in check_mobility(data))


def test_messages_go_through_gettext(monkeypatch):
    monkeypatch.setattr(eligibility, "_", lambda message: "[translated] " + message)
    violations = check_mobility(replace(VALID, destination_country="PL", **lasting(9)))
    assert violations and all(violation.message.startswith("[translated] ") for violation in violations)


def test_activity_rules_of_an_activity_type():
    row = SimpleNamespace(
        code="SM-COUR-TRAIN", who="staff", min_days=2, max_days=30, course_fees=True, counts_toward_participant_cap=True
    )
    assert ActivityRules.of(row) == COURSE


def test_limits_that_no_table_holds():
    assert eligibility.MAX_PARTICIPANTS_PER_PROJECT == 30
    assert eligibility.RECENT_GRADUATE_MONTHS == 12
    assert eligibility.PREPARATORY_VISIT_MAX_PERSONS == 3


def test_categories_match_the_participant_model():
    assert set(CATEGORIES) == set(ParticipantCategory.values)


# --- preparatory visits --------------------------------------------------------------------------------------------

VISIT = PreparatoryVisitInput(
    activity=SHORT, persons=2, start_date=date(2024, 7, 1), end_date=date(2024, 7, 3), **PROJECT
)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({}, set(), id="two-persons"),
        pytest.param({"persons": 1}, set(), id="one-person"),
        pytest.param({"persons": 3}, set(), id="three-persons"),
        pytest.param({"persons": 4}, {("persons", "too_many_persons")}, id="four-persons"),
        pytest.param({"persons": 0}, {("persons", "no_persons")}, id="nobody"),
        pytest.param({"activity": SHADOWING}, set(), id="staff-activity"),
        pytest.param({"activity": COURSE}, {("activity_type", "not_for_courses")}, id="courses-and-training"),
        pytest.param({"start_date": date(2024, 6, 1), "end_date": date(2024, 6, 1)}, set(), id="on-project-start"),
        pytest.param({"start_date": date(2024, 5, 31)}, {("start_date", "before_project")}, id="before-project"),
        pytest.param(
            {"start_date": date(2025, 11, 30), "end_date": date(2025, 12, 1)},
            {("end_date", "after_project")},
            id="after-project",
        ),
        pytest.param({"end_date": date(2024, 6, 30)}, {("end_date", "end_before_start")}, id="ends-before-start"),
    ],
)
def test_preparatory_visit(changes, expected):
    violations = check_preparatory_visit(replace(VISIT, **changes))
    assert {(violation.field, violation.code) for violation in violations} == expected
    assert all(violation.message for violation in violations)
