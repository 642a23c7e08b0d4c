"""Mobilities: the stored distance, band and grant lines, computed when recorded and recomputed only on request."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.roles import is_agency
from apps.mobility.grant import GrantInput, GrantTexts, compute_grant
from apps.mobility.mobilities.base import MAX_DISTANCE_KM, M, MobilityError, _km, _lock_project, _tables
from apps.mobility.mobilities.checking import _cities_distance, _fewer_opportunities, _participant_ordinal
from apps.mobility.models import GrantLine, Mobility, MobilityStatusChange, Project
from apps.mobility.rates import RateTables

# What the stored grant depends on: an update that changes one of these recomputes it.
_GRANT_INPUTS = (
    "participant_id",
    "activity_type_id",
    "accompanying",
    "destination_country",
    "start_date",
    "end_date",
    "travel_days",
    "green_travel",
    "course_days",
    "distance_km",
)


def _grant_inputs(mobility: Mobility) -> tuple:
    return tuple(getattr(mobility, name) for name in _GRANT_INPUTS)


@transaction.atomic
def mobility_set_manual_distance(*, mobility: Mobility, distance_km: int | None, justification: str, by) -> Mobility:
    """Agency staff set the distance by hand (``None``: back to the cities' distance), with a justification.

    The band and the grant are recomputed with the call year's current tables; a history row keeps the
    old and the new distance and the justification.
    """
    if by is None or not is_agency(by):
        raise PermissionDenied(_("Only agency staff set a distance by hand."))
    errors = {}
    if distance_km is not None and (
        isinstance(distance_km, bool) or not isinstance(distance_km, int) or not 0 <= distance_km <= MAX_DISTANCE_KM
    ):
        errors["distance_km"] = _("Enter a whole number of kilometres from 0 to %(max)s.") % {"max": MAX_DISTANCE_KM}
    justification = justification.strip() if isinstance(justification, str) else ""
    if not justification:
        errors["distance_justification"] = _("Say why the distance is set by hand.")
    if errors:
        raise ValidationError(errors)
    project = _lock_project(mobility.project_id)
    mobility.refresh_from_db()
    mobility.project = project
    if mobility.status == M.CANCELLED:
        raise MobilityError(_("A cancelled mobility has no grant to correct."))
    tables = _tables(project)
    before = mobility.distance_km
    if distance_km is None:
        mobility.distance_manual = False
        mobility.distance_justification = ""
        mobility.distance_km = _cities_distance(mobility.origin_city, mobility.destination_city)
    else:
        mobility.distance_manual = True
        mobility.distance_justification = justification
        mobility.distance_km = distance_km
    mobility.save(update_fields=["distance_km", "distance_manual", "distance_justification", "updated_at"])
    _store_grant(mobility, tables)
    if distance_km is None:
        text = _("Distance computed from the cities again: %(new)s km (was %(old)s km set by hand). %(why)s")
    else:
        text = _("Distance set by hand: %(new)s km (was %(old)s km). %(why)s")
    reason = text % {"new": _km(mobility.distance_km), "old": _km(before), "why": justification}
    MobilityStatusChange.objects.create(
        mobility=mobility, from_status=mobility.status, to_status=mobility.status, changed_by=by, reason=reason
    )
    return mobility


@transaction.atomic
def mobility_recompute_grant(*, mobility: Mobility, by=None) -> Mobility:
    """Recompute the stored band and grant lines with the call year's current tables (after a rate change).

    The stored distance is kept; the participant's number and fewer-opportunities flag are read anew. When
    the total changes, a history row (status unchanged) says from what to what.
    """
    project = _lock_project(mobility.project_id)
    mobility.refresh_from_db()
    mobility.project = project
    _recompute(mobility, _tables(project), by=by)
    return mobility


@transaction.atomic
def project_recompute_grants(*, project: Project, by=None) -> int:
    """``mobility_recompute_grant`` for every mobility of the project that is not cancelled; returns how many."""
    project = _lock_project(project.pk)
    tables = _tables(project)
    count = 0
    for mobility in project.mobilities.exclude(status=M.CANCELLED).select_related("participant", "activity_type"):
        mobility.project = project
        _recompute(mobility, tables, by=by)
        count += 1
    return count


def _recompute(mobility: Mobility, tables: RateTables, *, by) -> None:
    before = mobility.grant_total
    _store_grant(mobility, tables)
    if mobility.grant_total != before:
        reason = _("Grant recomputed with the current rates of call %(year)s: %(new)s EUR (was %(old)s EUR).") % {
            "year": tables.call_year,
            "new": mobility.grant_total,
            "old": before,
        }
        MobilityStatusChange.objects.create(
            mobility=mobility, from_status=mobility.status, to_status=mobility.status, changed_by=by, reason=reason
        )


def _band_label(tables: RateTables, km: int | None) -> str:
    band = None if km is None else tables.band_for(km)
    if band is None:
        return ""
    return f"{band.min_km}-{band.max_km}" if band.max_km is not None else f"{band.min_km}+"


def grant_input(mobility: Mobility, *, fewer_opportunities: bool, participant_ordinal: int | None) -> GrantInput:
    """What a stored mobility's grant prices; the per-mobility reads are given (``rate_changes`` reads them in bulk)."""
    return GrantInput(
        category=mobility.participant.category,
        destination_country=mobility.destination_country,
        start_date=mobility.start_date,
        end_date=mobility.end_date,
        travel_days=mobility.travel_days,
        green_travel=mobility.green_travel,
        accompanying=mobility.accompanying,
        fewer_opportunities=fewer_opportunities,
        participant_ordinal=participant_ordinal,
        activity_course_fees=mobility.activity_type.course_fees,
        course_days=mobility.course_days,
        distance_km=mobility.distance_km or 0,  # unknown distance: no travel line
    )


def _store_grant(mobility: Mobility, tables: RateTables) -> None:
    """Compute the grant with ``tables`` and store its lines, total, band and call year."""
    fewer = False if mobility.accompanying else _fewer_opportunities(mobility.participant_id)
    lines = price(mobility, tables, fewer_opportunities=fewer, participant_ordinal=_participant_ordinal(mobility))
    GrantLine.objects.filter(mobility=mobility).delete()
    GrantLine.objects.bulk_create(
        [
            GrantLine(
                mobility=mobility,
                item=str(line.item),
                amount=line.amount,
                explanation=str(line.explanation),
                basis=line.basis,
            )
            for line in lines
        ]
    )
    mobility.save(update_fields=["distance_band", "grant_total", "grant_call_year", "grant_computed_at", "updated_at"])


def price(
    mobility: Mobility,
    tables: RateTables,
    *,
    fewer_opportunities: bool,
    participant_ordinal: int | None,
    now=None,
    texts: GrantTexts | None = None,
) -> list:
    """Price ``mobility`` with ``tables`` (no query): set its band, total, call year and time of computing on it
    and return the grant's lines (to store). An accompanying person has no flag and no number. The one place
    of this: ``_store_grant`` and the bulk import call it (the import with ``texts`` translated once)."""
    if mobility.accompanying:
        fewer_opportunities, participant_ordinal = False, None
    data = grant_input(mobility, fewer_opportunities=fewer_opportunities, participant_ordinal=participant_ordinal)
    result = compute_grant(data, tables, texts)
    mobility.distance_band = _band_label(tables, mobility.distance_km)
    mobility.grant_total = result.total
    mobility.grant_call_year = tables.call_year
    mobility.grant_computed_at = now or timezone.now()
    return result.lines
