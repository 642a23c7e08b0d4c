import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from apps.outcomes import services
from apps.outcomes.models import CompetenceAssessment, CompetenceOutcome, LearningOutcomes
from apps.outcomes.tests.conftest import all_eight

pytestmark = pytest.mark.django_db

BEFORE_DAY = datetime.date(2024, 8, 20)
AFTER_DAY = datetime.date(2024, 10, 5)


def _levels(mobility, phase):
    return dict(
        CompetenceAssessment.objects.filter(mobility=mobility, phase=phase).values_list("competence__number", "level")
    )


# --- The self-assessment ---------------------------------------------------------------------------


def test_participant_rates_all_eight_before(mobility, participant_user):
    levels = {1: 2, 2: 3, 3: 1, 4: 4, 5: 5, 6: 2, 7: 3, 8: 1}
    rows = services.assessment_submit(
        mobility=mobility, phase="before", levels=levels, by=participant_user, today=BEFORE_DAY
    )
    assert len(rows) == 8
    assert _levels(mobility, "before") == levels
    assert _levels(mobility, "after") == {}


def test_form_values_as_strings_are_accepted(mobility, participant_user):
    services.assessment_submit(
        mobility=mobility, phase="before", levels=dict.fromkeys(range(1, 9), "4"), by=participant_user, today=BEFORE_DAY
    )
    assert set(_levels(mobility, "before").values()) == {4}


def test_changing_while_open_keeps_one_row_per_competence_and_the_first_submission_time(mobility, participant_user):
    with time_machine.travel(datetime.datetime(2024, 8, 1, 10, tzinfo=datetime.UTC), tick=False):
        services.assessment_submit(mobility=mobility, phase="before", levels=all_eight(2), by=participant_user)
    with time_machine.travel(datetime.datetime(2024, 8, 20, 10, tzinfo=datetime.UTC), tick=False):
        services.assessment_submit(
            mobility=mobility, phase="before", levels={**all_eight(2), 3: 5}, by=participant_user
        )
    rows = CompetenceAssessment.objects.filter(mobility=mobility, phase="before")
    assert rows.count() == 8
    third = rows.get(competence__number=3)
    assert third.level == 5
    assert third.submitted_at.date() == datetime.date(2024, 8, 1)
    assert third.updated_at.date() == datetime.date(2024, 8, 20)


@pytest.mark.parametrize("bad", [0, 6, -1, "x", None, ""])
def test_each_level_is_from_1_to_5_and_nothing_is_saved_otherwise(mobility, participant_user, bad):
    with pytest.raises(ValidationError) as error:
        services.assessment_submit(
            mobility=mobility, phase="before", levels={**all_eight(3), 6: bad}, by=participant_user, today=BEFORE_DAY
        )
    assert list(error.value.message_dict) == ["competence_6"]
    assert "Citizenship competence" in error.value.message_dict["competence_6"][0]
    assert not CompetenceAssessment.objects.exists()


def test_all_eight_are_required(mobility, participant_user):
    with pytest.raises(ValidationError) as error:
        services.assessment_submit(
            mobility=mobility, phase="before", levels={1: 3, 2: 3, 3: 3}, by=participant_user, today=BEFORE_DAY
        )
    assert sorted(error.value.message_dict) == [f"competence_{n}" for n in range(4, 9)]
    assert not CompetenceAssessment.objects.exists()


def test_unknown_competence_is_a_programming_error(mobility, participant_user):
    with pytest.raises(ValueError, match="unknown"):
        services.assessment_submit(
            mobility=mobility, phase="before", levels={**all_eight(), 9: 3}, by=participant_user, today=BEFORE_DAY
        )


@pytest.mark.parametrize(
    ("phase", "status", "today"),
    [
        ("before", "planned", datetime.date(2024, 9, 3)),  # after the start date
        ("before", "draft", BEFORE_DAY),
        ("before", "ongoing", BEFORE_DAY),
        ("after", "ongoing", datetime.date(2024, 9, 28)),  # the day before the end date
        ("after", "completed", datetime.date(2024, 11, 29)),  # 61 days after it
        ("after", "cancelled", AFTER_DAY),
    ],
)
def test_outside_its_window_nothing_is_written(mobility, participant_user, phase, status, today):
    mobility.status = status
    mobility.save(update_fields=["status"])
    with pytest.raises(ValidationError) as error:
        services.assessment_submit(mobility=mobility, phase=phase, levels=all_eight(), by=participant_user, today=today)
    assert list(error.value.message_dict) == ["__all__"]
    assert not CompetenceAssessment.objects.exists()


def test_after_window_opens_on_the_end_date(mobility, participant_user):
    mobility.status = "ongoing"
    mobility.save(update_fields=["status"])
    services.assessment_submit(
        mobility=mobility, phase="after", levels=all_eight(4), by=participant_user, today=mobility.end_date
    )
    assert _levels(mobility, "after") == all_eight(4)


def test_only_the_participant_rates(mobility, manager_a, officer):
    for user in (manager_a, officer):
        with pytest.raises(PermissionDenied):
            services.assessment_submit(mobility=mobility, phase="before", levels=all_eight(), by=user, today=BEFORE_DAY)


def test_unknown_phase(mobility, participant_user):
    with pytest.raises(ValidationError):
        services.assessment_submit(mobility=mobility, phase="during", levels=all_eight(), by=participant_user)


# --- The organisation's record ---------------------------------------------------------------------


def test_member_records_outcomes_and_mentor_rating(mobility, manager_a):
    recorded = services.outcomes_record(
        mobility=mobility,
        by=manager_a,
        vocational_outcomes="  Services a hybrid car's battery.  ",
        mentor_name="Ana Costa",
        mentor_overall="4",
        competences={
            2: {"text": "Talks to customers in Portuguese.", "mentor_level": 3},
            4: {"text": "", "mentor_level": None},
        },
    )
    assert recorded.vocational_outcomes == "Services a hybrid car's battery."
    assert (recorded.mentor_name, recorded.mentor_overall, recorded.updated_by) == ("Ana Costa", 4, manager_a)
    assert list(CompetenceOutcome.objects.values_list("competence__number", "text", "mentor_level")) == [
        (2, "Talks to customers in Portuguese.", 3)
    ]


def test_recording_again_replaces(mobility, manager_a):
    services.outcomes_record(
        mobility=mobility, by=manager_a, competences={1: {"text": "A"}, 2: {"text": "B"}}, vocational_outcomes="V"
    )
    services.outcomes_record(mobility=mobility, by=manager_a, competences={2: {"text": "B2"}, 3: {"text": "C"}})
    assert LearningOutcomes.objects.count() == 1
    assert LearningOutcomes.objects.get().vocational_outcomes == ""
    assert sorted(CompetenceOutcome.objects.values_list("competence__number", "text")) == [(2, "B2"), (3, "C")]


def test_a_mentor_rating_needs_the_mentor_name(mobility, manager_a):
    with pytest.raises(ValidationError) as error:
        services.outcomes_record(mobility=mobility, by=manager_a, competences={5: {"mentor_level": 4}})
    assert list(error.value.message_dict) == ["mentor_name"]
    with pytest.raises(ValidationError) as error:
        services.outcomes_record(mobility=mobility, by=manager_a, mentor_overall=3)
    assert list(error.value.message_dict) == ["mentor_name"]
    assert not LearningOutcomes.objects.exists()


def test_mentor_ratings_are_from_1_to_5(mobility, manager_a):
    with pytest.raises(ValidationError) as error:
        services.outcomes_record(
            mobility=mobility,
            by=manager_a,
            mentor_name="Rui",
            mentor_overall=6,
            competences={1: {"text": "ok", "mentor_level": 0}},
        )
    assert sorted(error.value.message_dict) == ["competence_1_mentor_level", "mentor_overall"]
    assert not LearningOutcomes.objects.exists() and not CompetenceOutcome.objects.exists()


def test_only_the_sending_organisation_records(mobility, manager_b, officer, participant_user):
    for user in (manager_b, officer, participant_user):
        with pytest.raises(PermissionDenied):
            services.outcomes_record(mobility=mobility, by=user, vocational_outcomes="x")


def test_no_outcomes_for_a_draft_or_cancelled_mobility(mobility, manager_a):
    for status in ("draft", "cancelled"):
        mobility.status = status
        mobility.save(update_fields=["status"])
        with pytest.raises(ValidationError):
            services.outcomes_record(mobility=mobility, by=manager_a, vocational_outcomes="x")
