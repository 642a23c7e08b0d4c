"""Eligibility of a mobility and of a preparatory visit (RULES.md), as pure functions over plain values.

``check_mobility`` and ``check_preparatory_visit`` return every ``Violation``
they find (an empty list when the record is eligible), so that a form or an
import can show each one next to its field.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _

from apps.mobility.grant import physical_days
from apps.mobility.rates import CATEGORIES, LEARNER, LEARNER_RATES, RECENT_GRADUATE, STAFF, STAFF_RATES

# Limits that RULES.md states and no reference table holds:
# "at most 30 participants (preparatory visits and accompanying persons do not count)" (The programme),
MAX_PARTICIPANTS_PER_PROJECT = 30
# "Recent graduates: the mobility must start within 12 months after the graduation date" (Participants),
RECENT_GRADUATE_MONTHS = 12
# "Preparatory visits: ... at most 3 persons per visit" (Activities; other_unit_costs.csv repeats it as a cap).
PREPARATORY_VISIT_MAX_PERSONS = 3

# Who each kind of activity (ActivityType.who) takes, accompanying persons aside.
CATEGORIES_BY_WHO = {LEARNER_RATES: (LEARNER, RECENT_GRADUATE), STAFF_RATES: (STAFF,)}


@dataclass(frozen=True)
class Violation:
    field: str
    code: str
    message: str


@dataclass(frozen=True)
class ActivityRules:
    """The parts of a reference ``ActivityType`` the checks read."""

    code: str
    who: str  # "learner" | "staff"
    min_days: int
    max_days: int
    course_fees: bool = False  # courses and training
    counts_toward_participant_cap: bool = True

    @classmethod
    def of(cls, activity_type) -> ActivityRules:
        """From an ``ActivityType`` instance (or anything with its attributes); no query."""
        return cls(
            code=activity_type.code,
            who=activity_type.who,
            min_days=activity_type.min_days,
            max_days=activity_type.max_days,
            course_fees=activity_type.course_fees,
            counts_toward_participant_cap=activity_type.counts_toward_participant_cap,
        )


@dataclass(frozen=True)
class EligibilityInput:
    activity: ActivityRules
    category: str  # "learner" | "recent_graduate" | "staff"
    sending_country: str  # ISO 3166 alpha-2
    destination_country: str
    eligible_countries: Collection[str]  # e.g. RateTables.support_groups
    start_date: date  # physical activity, travel days excluded
    end_date: date
    project_start: date
    project_end: date
    accompanying: bool = False
    fewer_opportunities: bool = False
    graduation_date: date | None = None  # recent graduates
    travel_days: int = 0
    course_days: int = 0
    # Distinct participants of the project already counted toward the cap, this one excluded.
    other_counted_participants: int = 0


@dataclass(frozen=True)
class PreparatoryVisitInput:
    activity: ActivityRules  # the activity type the visit prepares
    persons: int
    start_date: date
    end_date: date
    project_start: date
    project_end: date


def check_mobility(data: EligibilityInput) -> list[Violation]:
    return [
        *_dates(data.start_date, data.end_date, data.project_start, data.project_end),
        *_duration(data),
        *_participant(data),
        *_destination(data),
        *_graduate(data),
        *_days(data),
    ]


def check_preparatory_visit(data: PreparatoryVisitInput) -> list[Violation]:
    found = list(_dates(data.start_date, data.end_date, data.project_start, data.project_end))
    if data.activity.course_fees:
        found.append(
            Violation("activity_type", "not_for_courses", _("Courses and training have no preparatory visits."))
        )
    if data.persons < 1:
        found.append(Violation("persons", "no_persons", _("A preparatory visit needs at least one person.")))
    elif data.persons > PREPARATORY_VISIT_MAX_PERSONS:
        message = _("At most %(max)s persons take part in a preparatory visit; this one has %(n)s.") % {
            "max": PREPARATORY_VISIT_MAX_PERSONS,
            "n": data.persons,
        }
        found.append(Violation("persons", "too_many_persons", message))
    return found


def _dates(start: date, end: date, project_start: date, project_end: date):
    if end < start:
        yield Violation("end_date", "end_before_start", _("The end date is before the start date."))
    if start < project_start:
        message = _("It starts before the project does (%(date)s).") % {"date": project_start.isoformat()}
        yield Violation("start_date", "before_project", message)
    if end > project_end:
        message = _("It ends after the project does (%(date)s).") % {"date": project_end.isoformat()}
        yield Violation("end_date", "after_project", message)


def _duration(data: EligibilityInput):
    if data.end_date < data.start_date:
        return
    days = physical_days(data.start_date, data.end_date)
    activity = data.activity
    if not activity.min_days <= days <= activity.max_days:
        message = _(
            "The activity lasts %(days)s days (travel days not counted); %(type)s lasts %(min)s to %(max)s days."
        ) % {"days": days, "type": activity.code, "min": activity.min_days, "max": activity.max_days}
        code = "too_short" if days < activity.min_days else "too_long"
        yield Violation("end_date", code, message)


def _participant(data: EligibilityInput):
    learner_activity = data.activity.who == LEARNER_RATES
    if data.accompanying:
        if not learner_activity:
            message = _("Accompanying persons go only with learners, not on %(type)s.") % {"type": data.activity.code}
            yield Violation("accompanying", "accompanying_not_allowed", message)
        if data.fewer_opportunities:
            message = _("An accompanying person is never flagged as a participant with fewer opportunities.")
            yield Violation("fewer_opportunities", "accompanying_fewer_opportunities", message)
        return
    if data.category not in CATEGORIES:
        yield Violation("category", "unknown_category", _("Unknown participant category."))
    elif data.category not in CATEGORIES_BY_WHO.get(data.activity.who, ()):
        if learner_activity:
            message = _("%(type)s takes learners and recent graduates.") % {"type": data.activity.code}
        else:
            message = _("%(type)s takes staff.") % {"type": data.activity.code}
        yield Violation("category", "category_not_allowed", message)
    if data.activity.counts_toward_participant_cap and data.other_counted_participants >= MAX_PARTICIPANTS_PER_PROJECT:
        message = _(
            "The project already has %(n)s participants; at most %(max)s (accompanying persons not counted)."
        ) % {"n": data.other_counted_participants, "max": MAX_PARTICIPANTS_PER_PROJECT}
        yield Violation("participant", "participant_cap", message)


def _destination(data: EligibilityInput):
    if data.destination_country not in data.eligible_countries:
        message = _("%(country)s is not an eligible destination.") % {"country": data.destination_country}
        yield Violation("destination_country", "country_not_eligible", message)
    elif data.destination_country == data.sending_country:
        yield Violation(
            "destination_country",
            "same_as_sending",
            _("The destination must be another country than the sending country."),
        )


def _graduate(data: EligibilityInput):
    if data.category != RECENT_GRADUATE or data.accompanying:
        return
    graduated = data.graduation_date
    if graduated is None:
        yield Violation("graduation_date", "required", _("Give the graduation date of a recent graduate."))
    elif data.start_date <= graduated:
        yield Violation("start_date", "before_graduation", _("A recent graduate's mobility starts after graduation."))
    elif data.start_date > graduated + relativedelta(months=RECENT_GRADUATE_MONTHS):
        message = _("A recent graduate's mobility starts within %(months)s months after graduation (by %(date)s).") % {
            "months": RECENT_GRADUATE_MONTHS,
            "date": (graduated + relativedelta(months=RECENT_GRADUATE_MONTHS)).isoformat(),
        }
        yield Violation("start_date", "graduation_too_long_ago", message)


def _days(data: EligibilityInput):
    if data.travel_days < 0:
        yield Violation("travel_days", "negative", _("Travel days cannot be negative."))
    if data.course_days < 0:
        yield Violation("course_days", "negative", _("Course days cannot be negative."))
    elif data.course_days and not data.activity.course_fees:
        message = _("Course days apply only to courses and training, not to %(type)s.") % {"type": data.activity.code}
        yield Violation("course_days", "not_a_course", message)
    elif data.end_date >= data.start_date and data.course_days > physical_days(data.start_date, data.end_date):
        yield Violation("course_days", "exceed_duration", _("There are more course days than days of activity."))
