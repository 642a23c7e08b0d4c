from decimal import Decimal

from django.db.models import CharField, DecimalField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext_lazy

from apps.mobility.models import GrantLine, Mobility, MobilityStatus, PreparatoryVisit, Project
from apps.mobility.rates import money
from apps.organisations.selectors import visible_organisations
from apps.participants.models import Participant


def projects_for_user(*, user):
    return Project.objects.filter(application__organisation__in=visible_organisations(user=user)).select_related(
        "application", "application__call", "application__organisation"
    )


def get_project_for_user(*, user, pk: int) -> Project:
    project = projects_for_user(user=user).filter(pk=pk).first()
    if project is None:
        raise Http404
    return project


# --- Mobilities -----------------------------------------------------------------------------------------------------

# The rows of project_budget: the grant items (grant.GrantItem, in this order), then preparatory visits.
BUDGET_ITEMS = (
    ("travel", gettext_lazy("Travel")),
    ("individual_support", gettext_lazy("Individual support")),
    ("organisational_support", gettext_lazy("Organisational support")),
    ("inclusion_support", gettext_lazy("Inclusion support")),
    ("course_fees", gettext_lazy("Course fees")),
    ("preparatory_visits", gettext_lazy("Preparatory visits")),
)
BUDGET_TOTAL = "total"


def counted_mobilities(*, project_id: int, cap_only: bool = True):
    """The project's mobilities whose participants count: neither cancelled nor accompanying persons' (RULES.md,
    "at most 30 participants"), and with ``cap_only`` of an activity type that counts toward the cap."""
    mobilities = Mobility.objects.filter(project_id=project_id, accompanying=False).exclude(
        status=MobilityStatus.CANCELLED
    )
    if cap_only:
        mobilities = mobilities.filter(activity_type__counts_toward_participant_cap=True)
    return mobilities


def project_participant_count(*, project: Project) -> int:
    """Distinct participants counted against the 30-participant cap (accompanying persons and cancelled
    mobilities excluded); one query."""
    return counted_mobilities(project_id=project.pk).values("participant_id").distinct().count()


def project_budget(*, project: Project) -> list[dict]:
    """The project's computed grant per item, over its mobilities that are not cancelled and its preparatory
    visits, in one query: ``[{"item", "label", "awarded", "computed"}, ...]`` in ``BUDGET_ITEMS`` order, then
    the total. The grant agreement awards one amount: ``awarded`` is None on every row but the total's."""
    lines = (
        GrantLine.objects.filter(mobility__project=project)
        .exclude(mobility__status=MobilityStatus.CANCELLED)
        .order_by()
        .values("item")
        .annotate(computed=Sum("amount"))
        .values_list("item", "computed")
    )
    visits = (
        PreparatoryVisit.objects.filter(project=project)
        .order_by()
        .values(item=Value("preparatory_visits", output_field=CharField()))
        .annotate(computed=Sum("amount"))
        .values_list("item", "computed")
    )
    totals = {item: money(computed or 0) for item, computed in lines.union(visits, all=True)}
    rows = [
        {"item": item, "label": label, "awarded": None, "computed": totals.get(item, money(0))}
        for item, label in BUDGET_ITEMS
    ]
    # Items a later rule may add are shown too, rather than dropped from the total.
    known = {item for item, _label in BUDGET_ITEMS}
    rows += [
        {"item": item, "label": item, "awarded": None, "computed": computed}
        for item, computed in sorted(totals.items())
        if item not in known
    ]
    total = money(sum((row["computed"] for row in rows), Decimal(0)))
    rows.append(
        {"item": BUDGET_TOTAL, "label": gettext_lazy("Total"), "awarded": project.awarded_grant, "computed": total}
    )
    return rows


def mobilities_for_user(*, user):
    """Mobilities of the projects the user may see (like ``projects_for_user``), ready for list pages."""
    return Mobility.objects.filter(
        project__application__organisation__in=visible_organisations(user=user)
    ).select_related(
        "project",
        "project__application",
        "project__application__call",
        "project__application__organisation",
        "participant",
        "activity_type",
        "host",
        "destination_city",
    )


def get_mobility_for_user(*, user, pk: int) -> Mobility:
    mobility = mobilities_for_user(user=user).filter(pk=pk).first()
    if mobility is None:
        raise Http404
    return mobility


def with_visible_grant(queryset, *, hide_inclusion_support: bool):
    """Annotate ``visible_grant``: the stored total, less the inclusion-support line when the viewer may not
    see who has fewer opportunities (that line would reveal the special-category flag)."""
    if not hide_inclusion_support:
        return queryset.annotate(visible_grant=F("grant_total"))
    inclusion = GrantLine.objects.filter(mobility=OuterRef("pk"), item="inclusion_support").values("amount")[:1]
    return queryset.annotate(
        visible_grant=F("grant_total")
        - Coalesce(
            Subquery(inclusion), Value(Decimal("0.00")), output_field=DecimalField(max_digits=12, decimal_places=2)
        )
    )


# --- The participant's own (the /me/ pages) -------------------------------------------------------------------------


def own_mobilities(*, user):
    """The signed-in participant's own mobilities, drafts left out (the organisation is still planning them);
    none for anyone else. Ready for the /me/ pages: project, sending and host organisations, city, activity."""
    if not user.is_authenticated:
        return Mobility.objects.none()
    return (
        Mobility.objects.filter(participant__user=user)
        .exclude(status=MobilityStatus.DRAFT)
        .select_related(
            "participant",
            "project",
            "project__application",
            "project__application__organisation",
            "activity_type",
            "host",
            "destination_city",
        )
        .order_by("-start_date", "-pk")
    )


def get_own_mobility(*, user, pk: int) -> Mobility:
    """One of the participant's own mobilities; 404 for any other (another participant's, a draft)."""
    mobility = own_mobilities(user=user).filter(pk=pk).first()
    if mobility is None:
        raise Http404
    return mobility


def project_participants(*, project: Project):
    """The participants of the project's mobilities that are neither drafts nor cancelled, each once, with
    their invitation (for the project's invitation page)."""
    return (
        Participant.objects.filter(
            pk__in=Mobility.objects.filter(project=project)
            .exclude(status__in=[MobilityStatus.DRAFT, MobilityStatus.CANCELLED])
            .values("participant_id")
        )
        .select_related("invitation")
        .order_by("last_name", "first_name", "pk")
    )
