"""Reads of the reserve list, scoped to the user."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404

from apps.accounts.roles import is_agency
from apps.organisations.selectors import visible_organisations
from apps.reserve_list.models import (
    RANKING_ORDER,
    Application,
    ApplicationStatus,
    Call,
    Offer,
    OfferStatus,
    OfferStatusChange,
    Programme,
)

ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=14, decimal_places=2))
LIVE = [OfferStatus.OPEN, OfferStatus.ACCEPTED]


def _committed_expression(prefix: str = ""):
    """Open and accepted offers count in full; a withdrawn one only with what it retained."""
    status, amount, retained = f"{prefix}status", f"{prefix}amount", f"{prefix}retained_amount"
    return Coalesce(Sum(amount, filter=Q(**{f"{status}__in": LIVE})), ZERO) + Coalesce(
        Sum(retained, filter=Q(**{status: OfferStatus.WITHDRAWN})), ZERO
    )


def call_committed(call: Call) -> Decimal:
    total = Offer.objects.filter(application__call=call).aggregate(total=_committed_expression())["total"]
    return Decimal(total).quantize(Decimal("0.01"))  # SQLite returns 90000 for 90000.00


def round_candidates(call: Call):
    """Applications a round may offer to, in rank order: on the reserve list, with no open or accepted offer."""
    return (
        Application.objects.filter(call=call, status=ApplicationStatus.RESERVE)
        .exclude(offers__status__in=LIVE)
        .only("pk", "number", "requested_grant")
        .order_by(*RANKING_ORDER)
    )


def programmes_for_agency(*, user):
    if not is_agency(user):
        return Programme.objects.none()
    return Programme.objects.prefetch_related("calls")


def calls_for_agency(*, user):
    if not is_agency(user):
        return Call.objects.none()
    return Call.objects.select_related("programme")


def get_call_for_agency(*, user, year: int) -> Call:
    call = calls_for_agency(user=user).filter(year=year).order_by("-programme_id").first()
    if call is None:
        raise Http404
    return call


@dataclass(frozen=True)
class CallOverview:
    call: Call
    committed: Decimal
    contracted: Decimal
    counts: dict[str, int]

    @property
    def free(self) -> Decimal:
        return self.call.envelope - self.committed

    @property
    def labelled_counts(self) -> list[tuple[str, int]]:
        """Counts by status, in the pipeline's order, with each status's translated label."""
        return [(status.label, self.counts[status]) for status in ApplicationStatus if status in self.counts]


def calls_overview(*, user, calls=None) -> list[CallOverview]:
    """Per call: envelope, committed, contracted and free money, and applications by status (three queries)."""
    calls = list(calls_for_agency(user=user) if calls is None else calls)
    money = {
        row["application__call"]: row
        for row in Offer.objects.filter(application__call__in=calls)
        .values("application__call")
        .annotate(
            committed=_committed_expression(),
            contracted=Coalesce(
                Sum("amount", filter=Q(status=OfferStatus.ACCEPTED, application__status=ApplicationStatus.CONTRACTED)),
                ZERO,
            ),
        )
    }
    counts: dict[int, dict[str, int]] = {call.pk: {} for call in calls}
    for row in Application.objects.filter(call__in=calls).values("call", "status").annotate(n=Count("pk")):
        counts[row["call"]][row["status"]] = row["n"]
    return [
        CallOverview(
            call=call,
            committed=money.get(call.pk, {}).get("committed", Decimal("0.00")),
            contracted=money.get(call.pk, {}).get("contracted", Decimal("0.00")),
            counts=counts[call.pk],
        )
        for call in calls
    ]


def call_overview(*, user, call: Call) -> CallOverview:
    (overview,) = calls_overview(user=user, calls=[call])
    return overview


@dataclass
class RankedApplication:
    rank: int
    application: Application
    cumulative: Decimal | None  # over the applications still waiting for an offer
    within_budget: bool
    line_before: bool = False  # the budget line falls just above this row


def ranking(*, call: Call, free: Decimal) -> list[RankedApplication]:
    """The call's ranking (applications below the threshold are not ranked), with the budget line.

    ``cumulative`` adds up the requests of the applications still waiting for an
    offer; those whose cumulative request fits in ``free`` are above the line.
    """
    rows = []
    cumulative = Decimal("0.00")
    line_drawn = False
    applications = (
        Application.objects.filter(call=call)
        .exclude(status=ApplicationStatus.BELOW_THRESHOLD)
        .select_related("organisation")
        .order_by(*RANKING_ORDER)
    )
    for rank, application in enumerate(applications, start=1):
        waiting = application.status == ApplicationStatus.RESERVE
        if waiting:
            cumulative += application.requested_grant
        within = waiting and cumulative <= free
        line_before = waiting and not within and not line_drawn
        line_drawn = line_drawn or line_before
        rows.append(
            RankedApplication(
                rank=rank,
                application=application,
                cumulative=cumulative if waiting else None,
                within_budget=within,
                line_before=line_before,
            )
        )
    return rows


def applications_for_user(*, user):
    """Applications the user may see: every one for agency staff, their organisations' for members."""
    return Application.objects.filter(organisation__in=visible_organisations(user=user)).select_related(
        "call", "organisation"
    )


def get_application_for_user(*, user, pk: int) -> Application:
    application = applications_for_user(user=user).filter(pk=pk).first()
    if application is None:
        raise Http404
    return application


def offers_for_user(*, user):
    return Offer.objects.filter(application__organisation__in=visible_organisations(user=user)).select_related(
        "application", "application__call", "application__organisation", "funding_round"
    )


def get_offer_for_user(*, user, pk: int) -> Offer:
    offer = offers_for_user(user=user).filter(pk=pk).first()
    if offer is None:
        raise Http404
    return offer


def application_history(*, application: Application) -> list:
    """Status changes of the application and of its offers, and field changes from imports, newest first."""
    changes = [("application", change) for change in application.status_changes.select_related("changed_by")] + [
        ("offer", change)
        for change in OfferStatusChange.objects.filter(offer__application=application).select_related(
            "changed_by", "offer"
        )
    ]
    return sorted(changes, key=lambda pair: (pair[1].changed_at, pair[1].pk), reverse=True)


def application_field_changes(*, application: Application) -> list[dict]:
    """What imports changed in the application's data: one entry per changed version."""
    versions = list(application.history.select_related("history_user").order_by("history_date", "history_id"))
    changes = []
    for older, newer in zip(versions, versions[1:], strict=False):
        delta = newer.diff_against(older)
        if delta.changes:
            changes.append({"version": newer, "changes": delta.changes})
    return list(reversed(changes))


def with_rank(queryset):
    """Annotate each application with its rank in its call (1 + those ranked better), in SQL.

    Mirrors RANKING_ORDER as a correlated count, so a filtered list (one
    organisation's applications) still shows the rank in the whole call.
    """
    o = OuterRef
    better = (
        Application.objects.filter(call=o("call"))
        .exclude(status=ApplicationStatus.BELOW_THRESHOLD)
        .filter(
            Q(score_total__gt=o("score_total"))
            | Q(score_total=o("score_total"), score_relevance__gt=o("score_relevance"))
            | Q(
                score_total=o("score_total"),
                score_relevance=o("score_relevance"),
                score_quality_design__gt=o("score_quality_design"),
            )
            | Q(
                score_total=o("score_total"),
                score_relevance=o("score_relevance"),
                score_quality_design=o("score_quality_design"),
                submitted_at__lt=o("submitted_at"),
            )
            | Q(
                score_total=o("score_total"),
                score_relevance=o("score_relevance"),
                score_quality_design=o("score_quality_design"),
                submitted_at=o("submitted_at"),
                number__lt=o("number"),
            )
        )
        .order_by()
        .values("call")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(
        rank=Case(
            When(status=ApplicationStatus.BELOW_THRESHOLD, then=Value(None)),
            default=Coalesce(Subquery(better, output_field=IntegerField()), Value(0)) + 1,
            output_field=IntegerField(),
        )
    )
