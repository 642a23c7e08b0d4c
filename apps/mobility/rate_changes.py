"""Rate changes never change a stored grant silently (agency administrators confirm them).

When an agency administrator corrects a rate in the admin (``TravelBand``, ``IndividualSupportRate``,
``UnitCost``), nothing stored changes. ``pending_rate_changes`` recomputes, without saving, the grant of
every mobility that is not cancelled and has stored grant lines, with the current tables of its project's
call year, and lists those whose lines differ, with the old and the new amount of each item and of the
total. ``apply_rate_changes`` stores the new grant of the mobilities the administrator confirmed, through
``mobilities.mobility_recompute_grant`` (whose history row keeps the old and the new total); the rate
tables' own history (django-simple-history) keeps the old and the new rates.

The listing reads a constant number of queries however many mobilities there are: the mobilities with
their relations, their grant lines, the participants' fewer-opportunities flags, the projects' first
mobility per participant (the participants' numbers) and the rate tables once per call year.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, Min, OuterRef, QuerySet

from apps.mobility.grant import GrantInputError, compute_grant, grant_texts
from apps.mobility.mobilities import grant_input, mobility_recompute_grant
from apps.mobility.models import GrantLine, Mobility, MobilityStatus
from apps.mobility.quote import ITEM_LABELS
from apps.mobility.rates import RateTables, UnknownCallYear, money, rate_tables_for
from apps.participants.models import SpecialCategoryData


@dataclass(frozen=True)
class LineChange:
    """One grant item: its stored amount and its amount with the current rates (None: no such line)."""

    item: str
    label: str
    old: Decimal | None
    new: Decimal | None

    @property
    def changed(self) -> bool:
        return self.old != self.new


@dataclass(frozen=True)
class RateChangeRow:
    """A mobility whose stored grant differs from its grant with the current rates."""

    mobility: Mobility
    participant_label: str
    project_label: str
    call_year: int
    old_total: Decimal
    new_total: Decimal
    lines: tuple[LineChange, ...]

    @property
    def difference(self) -> Decimal:
        return self.new_total - self.old_total


def pending_rate_changes(*, call_year: int | None = None) -> list[RateChangeRow]:
    """The mobilities (not cancelled, with stored grant lines; of ``call_year``'s rates when given) whose
    grant with the current rates differs from the stored one, by project and mobility. Nothing is written."""
    mobilities = _with_stored_grant()
    if call_year is not None:
        mobilities = mobilities.filter(grant_call_year=call_year)
    return _changes(mobilities)


def apply_rate_changes(*, mobility_ids: Iterable[int], by) -> int:
    """Store the grant with the current rates of exactly these mobilities, in one transaction, when it
    still differs from the stored one; returns how many changed."""
    ids = {int(pk) for pk in mobility_ids}
    if not ids:
        return 0
    with transaction.atomic():
        rows = _changes(_with_stored_grant().filter(pk__in=ids))
        for row in rows:
            mobility_recompute_grant(mobility=row.mobility, by=by)
    return len(rows)


def grant_call_years() -> list[int]:
    """The call years whose rates priced a stored grant (for the page's filter), in one query."""
    return list(
        Mobility.objects.exclude(grant_call_year=None)
        .order_by("grant_call_year")
        .values_list("grant_call_year", flat=True)
        .distinct()
    )


# --- Internals ----------------------------------------------------------------------------------------------------


def _with_stored_grant() -> QuerySet[Mobility]:
    return (
        Mobility.objects.exclude(status=MobilityStatus.CANCELLED)
        .filter(Exists(GrantLine.objects.filter(mobility=OuterRef("pk"))))
        .select_related(
            "participant",
            "activity_type",
            "project",
            "project__application",
            "project__application__call",
            "project__application__organisation",
        )
        .prefetch_related("grant_lines")
        .order_by("project_id", "pk")
    )


def _changes(mobilities: QuerySet[Mobility]) -> list[RateChangeRow]:
    mobilities = list(mobilities)
    if not mobilities:
        return []
    fewer = set(
        SpecialCategoryData.objects.filter(
            participant_id__in={mobility.participant_id for mobility in mobilities}, fewer_opportunities=True
        ).values_list("participant_id", flat=True)
    )
    firsts = _first_mobilities({mobility.project_id for mobility in mobilities})
    tables: dict[int, RateTables | None] = {}
    texts = grant_texts()  # only the amounts are compared: one translation for all
    rows = []
    for mobility in mobilities:
        year = mobility.project.application.call.year
        if year not in tables:
            try:
                tables[year] = rate_tables_for(year)
            except UnknownCallYear:
                tables[year] = None  # mobility_recompute_grant would refuse it too
        if tables[year] is None:
            continue
        data = grant_input(
            mobility,
            fewer_opportunities=not mobility.accompanying and mobility.participant_id in fewer,
            participant_ordinal=_ordinal(mobility, firsts.get(mobility.project_id, {})),
        )
        try:
            result = compute_grant(data, tables[year], texts)
        except GrantInputError:
            continue  # cannot be priced: recomputing would fail the same way
        old = {line.item: line.amount for line in mobility.grant_lines.all()}
        new = {str(line.item): line.amount for line in result.lines}
        if old == new:
            continue
        items = list(old) + [item for item in new if item not in old]
        rows.append(
            RateChangeRow(
                mobility=mobility,
                participant_label=str(mobility.participant),
                project_label=f"{mobility.project.agreement_number} · {mobility.project.application.organisation}",
                call_year=year,
                old_total=money(mobility.grant_total),
                new_total=result.total,
                lines=tuple(
                    LineChange(item, str(ITEM_LABELS.get(item, item)), old.get(item), new.get(item)) for item in items
                ),
            )
        )
    return rows


def _first_mobilities(project_ids: set[int]) -> dict[int, dict[int, int]]:
    """{project id: {participant id: pk of their first counted mobility}} in one query (as
    ``mobilities._first_mobilities`` with ``cap_only=False``, for many projects at once)."""
    counted = (
        Mobility.objects.filter(project_id__in=project_ids, accompanying=False)
        .exclude(status=MobilityStatus.CANCELLED)
        .order_by()
        .values("project_id", "participant_id")
        .annotate(first=Min("pk"))
        .values_list("project_id", "participant_id", "first")
    )
    firsts: dict[int, dict[int, int]] = defaultdict(dict)
    for project_id, participant_id, first in counted:
        firsts[project_id][participant_id] = first
    return firsts


def _ordinal(mobility: Mobility, firsts: dict[int, int]) -> int | None:
    """The participant's number in the project (``mobilities._participant_ordinal``), None when accompanying."""
    if mobility.accompanying:
        return None
    mine = firsts.get(mobility.participant_id, mobility.pk)
    ahead = sum(1 for participant, first in firsts.items() if participant != mobility.participant_id and first < mine)
    return ahead + 1
