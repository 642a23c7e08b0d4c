"""Key competences and learning outcomes in a participant's data export and erasure (DESIGN.md §4)."""

import pytest

from apps.mobility.models import Mobility
from apps.outcomes import services
from apps.outcomes.aggregates import competence_summary
from apps.outcomes.models import CompetenceAssessment, CompetenceOutcome, LearningOutcomes
from apps.outcomes.personal_data import EXPORT_FIELDS, outcomes_export
from apps.outcomes.selectors import outcomes_by_project
from apps.participants import services as participants
from apps.participants.models import AccessAction, PersonalDataAccess
from apps.participants.signals import participant_erased
from tests.factories import CompetenceAssessmentFactory, MobilityFactory

pytestmark = pytest.mark.django_db

VOCATIONAL = "Anna services a hybrid car's battery at Oficina Silva, Lisbon."
MENTOR = "Ana Costa"
SPEAKS = "Anna talks to customers in Portuguese."
WRITES = "Writes the workshop's job cards."


def _record(mobility, by, *, vocational=VOCATIONAL, mentor=MENTOR):
    CompetenceAssessmentFactory.rate_all(mobility=mobility, phase="before", levels=2)
    CompetenceAssessmentFactory.rate_all(mobility=mobility, phase="after", levels=[3, 4, 2, 2, 3, 3, 3, 2])
    return services.outcomes_record(
        mobility=mobility,
        by=by,
        vocational_outcomes=vocational,
        mentor_name=mentor,
        mentor_overall=4,
        competences={2: {"text": SPEAKS, "mentor_level": 3}, 5: {"text": WRITES, "mentor_level": None}},
    )


@pytest.fixture
def recorded(mobility, manager_a):
    mobility.status = "completed"
    mobility.save(update_fields=["status"])
    return _record(mobility, manager_a)


# --- Export ---------------------------------------------------------------------------------------------------


def test_the_export_holds_the_self_assessments_outcomes_and_mentor(recorded, mobility, manager_a):
    export = participants.participant_export(participant=mobility.participant, by=manager_a)
    (section,) = export["outcomes"]
    assert section["mobility"] == mobility.pk
    assessments = section["self_assessments"]
    assert len(assessments) == 16
    assert {(row["phase"], row["competence"], row["level"]) for row in assessments} >= {
        ("before", 1, 2),
        ("after", 2, 4),
    }
    assert section["learning_outcomes"]["vocational_outcomes"] == VOCATIONAL
    assert (section["learning_outcomes"]["mentor_name"], section["learning_outcomes"]["mentor_overall"]) == (
        MENTOR,
        4,
    )
    assert [
        (row["competence"], row["learning_outcome"], row["mentor_level"]) for row in section["competence_outcomes"]
    ] == [
        (2, SPEAKS, 3),
        (5, WRITES, None),
    ]
    # Who recorded them is the member's data, not the participant's.
    assert "manager-a@test.example" not in str(section)
    entry = PersonalDataAccess.objects.get(action=AccessAction.EXPORT)
    assert entry.user == manager_a and set(EXPORT_FIELDS) <= set(entry.fields)


def test_the_participant_exports_their_own_outcomes(recorded, participant_user):
    export = participants.participant_export(participant=participant_user.participant, by=participant_user)
    assert export["outcomes"][0]["learning_outcomes"]["mentor_name"] == MENTOR


def test_self_assessments_alone_make_a_row(mobility, participant_user):
    CompetenceAssessmentFactory.rate_all(mobility=mobility, phase="before", levels=3)
    (row,) = outcomes_export(participant_user.participant)
    assert row["learning_outcomes"] is None and row["competence_outcomes"] == []
    assert len(row["self_assessments"]) == 8


def test_without_outcomes_the_section_is_empty_and_not_logged(mobility, manager_a):
    export = participants.participant_export(participant=mobility.participant, by=manager_a)
    assert export["outcomes"] == []
    entry = PersonalDataAccess.objects.get(action=AccessAction.EXPORT)
    assert not set(EXPORT_FIELDS) & set(entry.fields)


def test_the_section_takes_three_queries_however_many_mobilities(
    project, participant_user, manager_a, django_assert_num_queries
):
    for _ in range(3):
        _record(
            MobilityFactory(project=project, participant=participant_user.participant, status="completed"), manager_a
        )
    with django_assert_num_queries(3):
        rows = outcomes_export(participant_user.participant)
    assert len(rows) == 3 and all(row["learning_outcomes"] for row in rows)


# --- Erasure --------------------------------------------------------------------------------------------------


def _aggregates(project):
    mobilities = Mobility.objects.filter(project=project)
    summary = competence_summary(mobilities=mobilities)
    by_project = list(outcomes_by_project(mobilities))
    return [(row.pairs, row.improved, row.average_change) for row in summary.rows], summary.assessed, by_project


def test_erasure_removes_the_texts_and_the_mentors_name_and_keeps_the_levels(
    recorded, mobility, project, participant_user, manager_a
):
    other = MobilityFactory(project=project, status="completed")
    _record(other, manager_a, vocational="Someone else's outcomes", mentor="João Silva")
    before = _aggregates(project)
    levels = list(CompetenceAssessment.objects.filter(mobility=mobility).values_list("competence_id", "phase", "level"))

    participants.participant_erase(participant=participant_user.participant, by=manager_a)

    erased = LearningOutcomes.objects.get(mobility=mobility)
    assert (erased.vocational_outcomes, erased.mentor_name, erased.mentor_overall) == ("", "", 4)
    # The mentor's rating per competence stays without its text; a row that held only a text goes.
    assert list(
        CompetenceOutcome.objects.filter(mobility=mobility).values_list("competence__number", "text", "mentor_level")
    ) == [(2, "", 3)]
    assert not LearningOutcomes.objects.filter(vocational_outcomes__contains="Anna").exists()
    assert not LearningOutcomes.objects.filter(mentor_name=MENTOR).exists()
    assert not CompetenceOutcome.objects.filter(mobility=mobility, text__in=[SPEAKS, WRITES]).exists()
    # The self-assessments are untouched, and every aggregate counts as before.
    assert (
        list(CompetenceAssessment.objects.filter(mobility=mobility).values_list("competence_id", "phase", "level"))
        == levels
    )
    assert _aggregates(project) == before
    # The other participant's record is untouched.
    kept = LearningOutcomes.objects.get(mobility=other)
    assert (kept.vocational_outcomes, kept.mentor_name) == ("Someone else's outcomes", "João Silva")
    assert CompetenceOutcome.objects.filter(mobility=other).count() == 2
    # One erasure entry naming what the outcomes erased too.
    entry = PersonalDataAccess.objects.get(participant=participant_user.participant, action=AccessAction.ERASE)
    assert {"vocational_outcomes", "mentor_name", "learning_outcomes"} <= set(entry.fields)


def test_erasure_without_outcomes_logs_none_of_their_fields(mobility, participant_user, manager_a):
    participants.participant_erase(participant=participant_user.participant, by=manager_a)
    entry = PersonalDataAccess.objects.get(participant=participant_user.participant, action=AccessAction.ERASE)
    assert not {"vocational_outcomes", "mentor_name", "learning_outcomes"} & set(entry.fields)


def test_a_failing_receiver_rolls_the_outcomes_erasure_back(recorded, mobility, participant_user, manager_a):
    def broken(sender, **kwargs):
        raise RuntimeError("boom")

    participant_erased.connect(broken, dispatch_uid="test-broken-outcomes")
    try:
        with pytest.raises(RuntimeError):
            participants.participant_erase(participant=participant_user.participant, by=manager_a)
    finally:
        participant_erased.disconnect(dispatch_uid="test-broken-outcomes")
    kept = LearningOutcomes.objects.get(mobility=mobility)
    assert (kept.vocational_outcomes, kept.mentor_name) == (VOCATIONAL, MENTOR)
    assert CompetenceOutcome.objects.filter(mobility=mobility, text__in=[SPEAKS, WRITES]).count() == 2
    assert not PersonalDataAccess.objects.filter(action=AccessAction.ERASE).exists()
