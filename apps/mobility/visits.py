"""Preparatory visits (RULES.md, "Activities"): a separate record of a project, priced per person.

A visit is for any activity type except courses and training, takes at most 3 persons, lies within the
project's dates and goes to another eligible country than the sending one (the host's country when a
host is given). Its grant is the persons times the ``preparatory_visit`` unit cost of the project's call
year, stored with the visit. Visits are not drafts: a visit that breaks a rule is refused with a
``ValidationError`` keyed by field, and nothing is saved. Changing a visit checks it anew and prices it with the
current unit cost; visits are recorded, changed and deleted only while the project is contracted or running.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.mobility.eligibility import ActivityRules, PreparatoryVisitInput, check_preparatory_visit
from apps.mobility.mobilities import check_project_active
from apps.mobility.mobilities.base import _lock_project
from apps.mobility.mobilities.parsing import _as_activity_type, _as_country, _as_date, _as_host, _as_text, _Invalid
from apps.mobility.models import PreparatoryVisit, Project
from apps.mobility.rates import PREPARATORY_VISIT, UnknownCallYear, money, rate_tables_for

INPUT_FIELDS = ("activity_type", "host", "destination_country", "persons", "start_date", "end_date", "purpose")
REQUIRED = ("activity_type", "persons", "start_date", "end_date")


def _as_persons(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Invalid(_("Enter a whole number of persons."))
    return value


def _as_optional_host(value):
    return None if value in (None, "") else _as_host(value)


_PARSERS = {
    "activity_type": _as_activity_type,
    "host": _as_optional_host,
    "destination_country": _as_country,
    "persons": _as_persons,
    "start_date": _as_date,
    "end_date": _as_date,
    "purpose": _as_text,
}


@transaction.atomic
def preparatory_visit_create(*, project: Project, by, **fields) -> PreparatoryVisit:
    """Record a preparatory visit of ``project`` with its grant; ``ValidationError`` by field when it breaks a rule."""
    project = _lock_project(project.pk)
    visit = PreparatoryVisit(project=project)
    _fill(visit, project, fields)
    visit.save()
    return visit


@transaction.atomic
def preparatory_visit_update(*, visit: PreparatoryVisit, by, **fields) -> PreparatoryVisit:
    """Change a visit (``fields`` as for ``preparatory_visit_create``, all of them): checked anew and priced with
    the call year's current unit cost; ``ValidationError`` by field when it breaks a rule, and nothing changes."""
    project = _lock_project(visit.project_id)
    visit = PreparatoryVisit.objects.get(pk=visit.pk)
    visit.project = project
    _fill(visit, project, fields)
    visit.save()
    return visit


@transaction.atomic
def preparatory_visit_delete(*, visit: PreparatoryVisit, by) -> None:
    """Delete a visit of a contracted or running project (its grant leaves the project's budget with it)."""
    project = _lock_project(visit.project_id)
    check_project_active(project)
    PreparatoryVisit.objects.filter(pk=visit.pk, project=project).delete()


def preparatory_visit_explanation(visit: PreparatoryVisit) -> str:
    """How the stored grant was computed: persons × the unit cost per person of the project's call year."""
    unit = money(visit.amount / visit.persons) if visit.persons else money(0)
    return ngettext(
        "%(persons)s person × %(unit)s EUR per person (preparatory visits, call %(year)s) = %(amount)s EUR",
        "%(persons)s persons × %(unit)s EUR per person (preparatory visits, call %(year)s) = %(amount)s EUR",
        visit.persons,
    ) % {"persons": visit.persons, "unit": unit, "year": visit.project.application.call.year, "amount": visit.amount}


def preparatory_visit_unit_cost(*, project: Project) -> Decimal | None:
    """The unit cost per person of the project's call year (None when the call year has no rates)."""
    try:
        return rate_tables_for(project.application.call.year).unit_cost(PREPARATORY_VISIT).eur
    except UnknownCallYear:
        return None


def _fill(visit: PreparatoryVisit, project: Project, fields: Mapping[str, Any]) -> None:
    """Check the fields against the rules and set them, with the grant, on ``visit`` (unsaved)."""
    values = _parse(fields)
    check_project_active(project)
    application = project.application
    try:
        tables = rate_tables_for(application.call.year)
    except UnknownCallYear as exc:
        raise ValidationError({NON_FIELD_ERRORS: str(exc)}) from exc
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    sending = application.organisation
    sending_country = sending.country.code
    host = values.get("host")
    country = values.get("destination_country") or (host.country.code if host is not None else "")
    if host is not None:
        if host.pk == sending.pk:
            add("host", _("The host is another organisation than the sending organisation."))
        elif country != host.country.code:
            add(
                "destination_country",
                _("The destination country is the host's country (%(country)s).") % {"country": host.country.code},
            )
    if not country:
        add("destination_country", _("This field is required."))
    elif country not in tables.support_groups:
        add("destination_country", _("%(country)s is not an eligible destination.") % {"country": country})
    elif country == sending_country:
        add("destination_country", _("The destination must be another country than the sending country."))

    activity = values["activity_type"]
    for violation in check_preparatory_visit(
        PreparatoryVisitInput(
            activity=ActivityRules.of(activity),
            persons=values["persons"],
            start_date=values["start_date"],
            end_date=values["end_date"],
            project_start=project.start_date,
            project_end=project.end_date,
        )
    ):
        add(violation.field, violation.message)
    if not activity.in_fers_scope:
        add("activity_type", _("The programme does not fund %(type)s.") % {"type": activity.code})
    if errors:
        raise ValidationError(errors)

    unit_cost = tables.unit_cost(PREPARATORY_VISIT).eur
    visit.activity_type = activity
    visit.host = host
    visit.destination_country = country
    visit.persons = values["persons"]
    visit.start_date = values["start_date"]
    visit.end_date = values["end_date"]
    visit.purpose = values.get("purpose", "")
    visit.amount = money(values["persons"] * unit_cost)


def _parse(fields: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(fields) - set(INPUT_FIELDS))
    if unknown:
        raise TypeError(f"unexpected preparatory visit fields: {', '.join(unknown)}")
    errors: dict[str, list[str]] = {}
    values = {}
    for name in INPUT_FIELDS:
        value = fields.get(name)
        if value in (None, ""):
            if name in REQUIRED:
                errors[name] = [_("This field is required.")]
            continue
        try:
            values[name] = _PARSERS[name](value)
        except _Invalid as exc:
            errors[name] = [str(exc)]
    if errors:
        raise ValidationError(errors)
    return values
