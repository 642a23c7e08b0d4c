"""Reads of key competences and learning outcomes, scoped to the user, and the rules on who may do what.

``certificate_content`` is what a certificate shows of them; ``next_steps`` is the portal's contract
(``apps/mobility/steps.py``). Aggregates are in ``apps.outcomes.aggregates``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.mobility.models import Mobility
from apps.mobility.steps import NextStep
from apps.organisations.selectors import is_member
from apps.outcomes import rules
from apps.outcomes.models import CompetenceAssessment, CompetenceOutcome, LearningOutcomes, LevelDescriptor, Phase
from apps.reference.models import KeyCompetence

NEXT_STEP_ORDER = {Phase.BEFORE: 20, Phase.AFTER: 30}


# --- What a certificate shows ----------------------------------------------------------------------


@dataclass(frozen=True)
class MentorRating:
    """The host mentor's rating: overall and per competence (1–5), either may be missing."""

    name: str
    overall: int | None
    per_competence: list[tuple[str, int]]


@dataclass(frozen=True)
class CertificateContent:
    learning_outcomes: list[tuple[str, str]]  # (competence name in the active language, text), recorded ones only
    vocational_outcomes: str
    competences_developed: list[tuple[str, int | None, int | None]]  # (name, level before, level after)
    mentor_rating: MentorRating | None  # None when the organisation recorded no mentor's rating


def certificate_content(*, mobility: Mobility) -> CertificateContent:
    """The mobility's learning outcomes and key competences as a certificate shows them, names in the active
    language, competences in their official order. Four queries."""
    competences = list(KeyCompetence.objects.order_by("number"))
    levels = {
        (competence_id, phase): level
        for competence_id, phase, level in CompetenceAssessment.objects.filter(mobility=mobility).values_list(
            "competence_id", "phase", "level"
        )
    }
    outcomes = {outcome.competence_id: outcome for outcome in CompetenceOutcome.objects.filter(mobility=mobility)}
    recorded = LearningOutcomes.objects.filter(mobility=mobility).first()

    learning = [(c.display_name, outcomes[c.pk].text) for c in competences if c.pk in outcomes and outcomes[c.pk].text]
    developed = []
    for competence in competences:
        before, after = levels.get((competence.pk, Phase.BEFORE)), levels.get((competence.pk, Phase.AFTER))
        if before is not None or after is not None:
            developed.append((competence.display_name, before, after))
    per_competence = [
        (c.display_name, outcomes[c.pk].mentor_level)
        for c in competences
        if c.pk in outcomes and outcomes[c.pk].mentor_level is not None
    ]
    mentor = None
    if recorded is not None and (recorded.mentor_overall is not None or per_competence):
        mentor = MentorRating(name=recorded.mentor_name, overall=recorded.mentor_overall, per_competence=per_competence)
    return CertificateContent(
        learning_outcomes=learning,
        vocational_outcomes=recorded.vocational_outcomes if recorded else "",
        competences_developed=developed,
        mentor_rating=mentor,
    )


# --- Scoped reads ----------------------------------------------------------------------------------


def can_record_outcomes(*, user, mobility: Mobility) -> tuple[bool, str]:
    if is_member(user=user, organisation=mobility.project.application.organisation):
        return True, ""
    return False, _("Only the sending organisation's members record learning outcomes.")


def assessment_levels(*, mobility: Mobility, phase: str) -> dict[int, int]:
    """{competence id: level} of the mobility's assessment in that phase (empty when not submitted)."""
    return dict(
        CompetenceAssessment.objects.filter(mobility=mobility, phase=phase).values_list("competence_id", "level")
    )


def competences():
    return KeyCompetence.objects.order_by("number")


def level_descriptors() -> list[LevelDescriptor]:
    return list(LevelDescriptor.objects.order_by("level"))


def assessment_window(*, mobility: Mobility, phase: str, today=None) -> tuple[bool, object]:
    """(open today, its last day) of the mobility's assessment in that phase."""
    today = today or timezone.localdate()
    is_open = rules.window_open(
        phase=phase, status=mobility.status, start_date=mobility.start_date, end_date=mobility.end_date, today=today
    )
    return is_open, rules.window_last_day(phase=phase, start_date=mobility.start_date, end_date=mobility.end_date)


def mobility_outcomes(*, mobility: Mobility) -> tuple[LearningOutcomes | None, dict[int, CompetenceOutcome]]:
    """What the organisation recorded: the mobility's LearningOutcomes row (or None) and {competence id: row}."""
    recorded = LearningOutcomes.objects.filter(mobility=mobility).select_related("updated_by").first()
    return recorded, {row.competence_id: row for row in CompetenceOutcome.objects.filter(mobility=mobility)}


def mobility_assessments(*, mobility: Mobility) -> dict[tuple[int, str], int]:
    """{(competence id, phase): level} of both of the participant's assessments."""
    return {
        (competence_id, phase): level
        for competence_id, phase, level in CompetenceAssessment.objects.filter(mobility=mobility).values_list(
            "competence_id", "phase", "level"
        )
    }


# --- The portal's contract ---------------------------------------------------------------------------


def next_steps(*, participant, mobilities) -> dict[int, list[NextStep]]:
    """ "Rate your key competences" before (order 20) and after (order 30) the mobility, while the window is open
    and the participant has not rated them yet. One query for all the mobilities together."""
    today = timezone.localdate()
    due: dict[tuple[int, str], Mobility] = {}
    for mobility in mobilities:
        if mobility.participant_id != participant.pk:
            continue
        for phase in (Phase.BEFORE, Phase.AFTER):
            if rules.window_open(
                phase=phase,
                status=mobility.status,
                start_date=mobility.start_date,
                end_date=mobility.end_date,
                today=today,
            ):
                due[(mobility.pk, phase)] = mobility
    if not due:
        return {}
    done = set(
        CompetenceAssessment.objects.filter(mobility_id__in={pk for pk, _phase in due})
        .order_by()
        .values_list("mobility_id", "phase")
        .distinct()
    )
    labels = {
        Phase.BEFORE: _("Rate your key competences before you leave"),
        Phase.AFTER: _("Rate your key competences after your mobility"),
    }
    steps: dict[int, list[NextStep]] = {}
    for (pk, phase), mobility in due.items():
        if (pk, phase) in done:
            continue
        steps.setdefault(pk, []).append(
            NextStep(
                label=labels[phase],
                url=reverse("outcomes:assessment", kwargs={"pk": pk, "phase": phase}),
                order=NEXT_STEP_ORDER[phase],
                due=rules.window_last_day(phase=phase, start_date=mobility.start_date, end_date=mobility.end_date),
            )
        )
    return steps


# --- Lists -------------------------------------------------------------------------------------------


def with_outcome_states(mobilities):
    """Annotate each mobility with ``rated_before``, ``rated_after`` (the participant's assessments) and
    ``outcomes_recorded`` (the organisation's record): subqueries, so a page of rows is one query."""
    assessed = CompetenceAssessment.objects.filter(mobility=OuterRef("pk"))
    return mobilities.annotate(
        rated_before=Exists(assessed.filter(phase=Phase.BEFORE)),
        rated_after=Exists(assessed.filter(phase=Phase.AFTER)),
        outcomes_recorded=Exists(LearningOutcomes.objects.filter(mobility=OuterRef("pk"))),
    )


def outcomes_by_project(mobilities):
    """Per project of ``mobilities``: how many mobilities, how many rated before, after, and both, and how many
    have learning outcomes recorded; one grouped query, ordered by agreement number."""
    states = with_outcome_states(mobilities.order_by())
    return (
        states.values(
            "project_id",
            "project__agreement_number",
            "project__application__organisation__legal_name",
        )
        .annotate(
            mobilities=Count("pk"),
            rated_before_count=Count("pk", filter=Q(rated_before=True)),
            rated_after_count=Count("pk", filter=Q(rated_after=True)),
            rated_both_count=Count("pk", filter=Q(rated_before=True, rated_after=True)),
            outcomes_count=Count("pk", filter=Q(outcomes_recorded=True)),
        )
        .order_by("project__agreement_number", "project_id")
    )
