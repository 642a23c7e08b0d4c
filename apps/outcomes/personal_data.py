"""Key competences and learning outcomes in a participant's data export and erasure (DESIGN.md §4).

Connected in ``OutcomesConfig.ready()``: the participants app may not import this app (DESIGN.md §3), so it
calls ``outcomes_export`` through its export-section registry and ``participant_outcomes_erase`` through
its ``participant_erased`` signal.

Erasure (docs/decisions.md): the free texts (vocational outcomes, the learning outcome of each competence)
and the host mentor's name go; the levels (the participant's self-assessments, the mentor's ratings) stay,
for the project's and the programme's aggregates. They name nobody once the participant is anonymised.
"""

from __future__ import annotations

from django.db import transaction

from apps.outcomes.models import CompetenceAssessment, CompetenceOutcome, LearningOutcomes

SECTION = "outcomes"
# What the export's entry in the access log names (``participants.services.export_section_register``).
EXPORT_FIELDS = (
    "competence_self_assessment",
    "learning_outcomes",
    "vocational_outcomes",
    "mentor_name",
    "mentor_rating",
)


def _iso(value):
    return value.isoformat() if value else None


def outcomes_export(participant) -> list[dict]:
    """Per mobility of the participant that has any: their self-assessments, and the learning outcomes the
    organisation recorded (vocational outcomes, per competence the outcome and the host mentor's rating, the
    mentor's name and overall rating), for their data export (``participants.services.participant_export``
    checks who may and logs it). Who recorded them is a member's data and is left out. Three queries."""
    of_participant = {"mobility__participant": participant}
    mobilities: dict[int, dict] = {}

    def row(mobility_id: int) -> dict:
        return mobilities.setdefault(
            mobility_id,
            {"mobility": mobility_id, "self_assessments": [], "learning_outcomes": None, "competence_outcomes": []},
        )

    for assessment in (
        CompetenceAssessment.objects.filter(**of_participant)
        .select_related("competence")
        .order_by("mobility_id", "phase", "competence__number")
    ):
        row(assessment.mobility_id)["self_assessments"].append(
            {
                "competence": assessment.competence.number,
                "competence_name": assessment.competence.name,
                "phase": assessment.phase,
                "level": assessment.level,
                "submitted_at": _iso(assessment.submitted_at),
                "updated_at": _iso(assessment.updated_at),
            }
        )
    for recorded in LearningOutcomes.objects.filter(**of_participant).order_by("mobility_id"):
        row(recorded.mobility_id)["learning_outcomes"] = {
            "vocational_outcomes": recorded.vocational_outcomes,
            "mentor_name": recorded.mentor_name,
            "mentor_overall": recorded.mentor_overall,
            "updated_at": _iso(recorded.updated_at),
        }
    for outcome in (
        CompetenceOutcome.objects.filter(**of_participant)
        .select_related("competence")
        .order_by("mobility_id", "competence__number")
    ):
        row(outcome.mobility_id)["competence_outcomes"].append(
            {
                "competence": outcome.competence.number,
                "competence_name": outcome.competence.name,
                "learning_outcome": outcome.text,
                "mentor_level": outcome.mentor_level,
            }
        )
    return [mobilities[mobility_id] for mobility_id in sorted(mobilities)]


@transaction.atomic
def participant_outcomes_erase(*, participant) -> list[str]:
    """Erase what the outcomes hold about an erased participant; the names of the fields erased.

    Called inside ``participants.services.participant_erase`` (which checks who may, and logs the erasure
    with the names returned here). The vocational outcomes, the mentor's name and each competence's
    learning outcome text are emptied; a competence row that held only a text (no mentor's rating) goes, as
    ``services.outcomes_record`` never keeps an empty one. The levels stay.
    """
    of_participant = {"mobility__participant": participant}
    erased = []
    recorded = LearningOutcomes.objects.filter(**of_participant)
    if recorded.exclude(vocational_outcomes="").update(vocational_outcomes=""):
        erased.append("vocational_outcomes")
    if recorded.exclude(mentor_name="").update(mentor_name=""):
        erased.append("mentor_name")
    outcomes = CompetenceOutcome.objects.filter(**of_participant).exclude(text="")
    texts, _by_model = outcomes.filter(mentor_level__isnull=True).delete()
    texts += outcomes.update(text="")
    if texts:
        erased.append("learning_outcomes")
    return erased
