"""Writes of key competences and learning outcomes: the participant's self-assessment, the organisation's record.

Both raise a ``ValidationError`` keyed by field (``competence_<number>``, ``mentor_name``, ...) naming what is
wrong, and save nothing then; ``PermissionDenied`` when the user may not do it at all.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.mobility.models import Mobility, MobilityStatus
from apps.outcomes import rules, selectors
from apps.outcomes.models import LEVELS, CompetenceAssessment, CompetenceOutcome, LearningOutcomes, Phase

# Learning outcomes are recorded for mobilities that take (or took) place.
NO_OUTCOMES_STATUSES = (MobilityStatus.DRAFT, MobilityStatus.CANCELLED)


def competence_field(number: int) -> str:
    """The form field (and error key) of a competence: ``competence_<number>``."""
    return f"competence_{number}"


def _level(value, *, required: bool) -> tuple[int | None, bool]:
    """(level, valid) of a submitted value: an int 1–5, or None when allowed."""
    if value in (None, ""):
        return None, not required
    try:
        level = int(value)
    except (TypeError, ValueError):
        return None, False
    return level, level in LEVELS


@transaction.atomic
def assessment_submit(
    *, mobility: Mobility, phase: str, levels: Mapping[int, int | str | None], by, today=None
) -> list[CompetenceAssessment]:
    """The participant rates all eight key competences (``levels``: {competence number: 1–5}) before or after
    the mobility. Submitting again while the window is open changes the levels (the first submission's time
    is kept); outside the window nothing can be written."""
    if not (by.is_authenticated and mobility.participant.user_id == by.pk):
        raise PermissionDenied(_("Only the participant rates their own key competences."))
    if phase not in Phase.values:
        raise ValidationError({"phase": _("Choose before or after the mobility.")})
    today = today or timezone.localdate()
    # Lock the mobility row so that its status and dates cannot change under the window check.
    mobility = Mobility.objects.select_for_update().get(pk=mobility.pk)
    if not rules.window_open(
        phase=phase, status=mobility.status, start_date=mobility.start_date, end_date=mobility.end_date, today=today
    ):
        raise ValidationError({NON_FIELD_ERRORS: _window_closed_message(mobility, phase)})
    competences = list(selectors.competences())
    unknown = set(levels) - {c.number for c in competences}
    if unknown:
        raise ValueError(f"unknown key competence numbers: {sorted(unknown)}")
    errors, rows = {}, []
    for competence in competences:
        level, valid = _level(levels.get(competence.number), required=True)
        if not valid:
            errors[competence_field(competence.number)] = _("Rate “%(competence)s” from 1 to 5.") % {
                "competence": competence.display_name
            }
        else:
            rows.append(CompetenceAssessment(mobility=mobility, competence=competence, phase=phase, level=level))
    if errors:
        raise ValidationError(errors)
    return CompetenceAssessment.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["mobility", "competence", "phase"],
        update_fields=["level", "updated_at"],
    )


def _window_closed_message(mobility: Mobility, phase: str) -> str:
    if phase == Phase.BEFORE:
        return _(
            "Your key competences can be rated before the mobility while it is planned or confirmed, "
            "until its start date (%(date)s)."
        ) % {"date": date_format(mobility.start_date)}
    return _("Your key competences can be rated after the mobility from its end date (%(start)s) until %(end)s.") % {
        "start": date_format(mobility.end_date),
        "end": date_format(rules.after_window_closes(mobility.end_date)),
    }


@transaction.atomic
def outcomes_record(
    *,
    mobility: Mobility,
    by,
    vocational_outcomes: str = "",
    mentor_name: str = "",
    mentor_overall: int | str | None = None,
    competences: Mapping[int, Mapping[str, object]] | None = None,
) -> LearningOutcomes:
    """The sending organisation records the mobility's learning outcomes: vocational outcomes (free text) and,
    per competence (``competences``: {number: {"text": str, "mentor_level": 1–5 or None}}), a learning outcome
    and the host mentor's rating, with the mentor's overall rating and name. Recording again replaces what
    was there; a competence left empty has no row."""
    allowed, reason = selectors.can_record_outcomes(user=by, mobility=mobility)
    if not allowed:
        raise PermissionDenied(reason)
    if mobility.status in NO_OUTCOMES_STATUSES:
        raise ValidationError(
            {NON_FIELD_ERRORS: _("Learning outcomes are recorded for mobilities that are planned or further on.")}
        )
    competences = competences or {}
    known = {c.number: c for c in selectors.competences()}
    unknown = set(competences) - set(known)
    if unknown:
        raise ValueError(f"unknown key competence numbers: {sorted(unknown)}")

    errors: dict[str, str] = {}
    overall, valid = _level(mentor_overall, required=False)
    if not valid:
        errors["mentor_overall"] = _("The mentor's overall rating is from 1 to 5.")
    wanted: dict[int, tuple[str, int | None]] = {}
    for number, values in competences.items():
        text = str(values.get("text") or "").strip()
        level, valid = _level(values.get("mentor_level"), required=False)
        if not valid:
            errors[f"{competence_field(number)}_mentor_level"] = _(
                "The mentor's rating of “%(competence)s” is from 1 to 5."
            ) % {"competence": known[number].display_name}
        elif text or level is not None:
            wanted[number] = (text, level)
    mentor_name = (mentor_name or "").strip()
    rated = overall is not None or any(level is not None for _text, level in wanted.values())
    if rated and not mentor_name:
        errors["mentor_name"] = _("Give the name of the host mentor who gave the rating.")
    if errors:
        raise ValidationError(errors)

    recorded, _created = LearningOutcomes.objects.select_for_update().get_or_create(mobility=mobility)
    recorded.vocational_outcomes = (vocational_outcomes or "").strip()
    recorded.mentor_name = mentor_name
    recorded.mentor_overall = overall
    recorded.updated_by = by
    recorded.save()
    CompetenceOutcome.objects.filter(mobility=mobility).exclude(competence__number__in=list(wanted)).delete()
    CompetenceOutcome.objects.bulk_create(
        [
            CompetenceOutcome(mobility=mobility, competence=known[number], text=text, mentor_level=level)
            for number, (text, level) in wanted.items()
        ],
        update_conflicts=True,
        unique_fields=["mobility", "competence"],
        update_fields=["text", "mentor_level"],
    )
    return recorded
