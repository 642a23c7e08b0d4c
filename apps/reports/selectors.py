"""Agency-wide reads: every project and mobility, and the programme's progress against its targets."""

from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Max, Value, When

from apps.accounts.models import AgencyRole
from apps.accounts.roles import has_agency_role, is_agency
from apps.mobility.models import Mobility, MobilityStatus, Project
from apps.participants.models import ParticipantCategory
from apps.reserve_list.models import Programme


def projects_for_agency(*, user):
    """Every project, with its call, organisation and region, and its number of mobilities (annotated)."""
    if not is_agency(user):
        return Project.objects.none()
    # Meta.ordering does not apply to aggregated queries: order explicitly for stable pages.
    return (
        Project.objects.select_related(
            "application", "application__call", "application__organisation", "application__organisation__region"
        )
        .annotate(mobility_count=Count("mobilities", distinct=True))
        .order_by("-signed_on", "agreement_number", "pk")
    )


def mobilities_for_agency(*, user):
    """Every mobility, with what a list row shows joined in (a constant number of queries per page)."""
    if not is_agency(user):
        return Mobility.objects.none()
    return Mobility.objects.select_related(
        "project",
        "project__application",
        "project__application__call",
        "project__application__organisation",
        "project__application__organisation__region",
        "participant",
        "activity_type",
        "host",
    ).order_by("start_date", "pk")


# What a row of the agency's mobility list shows (templates/reports/mobilities.html), and nothing more.
LIST_RELATED = ("project__application__organisation", "participant", "activity_type", "host")
LIST_FIELDS = (
    "project_id",
    "destination_country",
    "start_date",
    "end_date",
    "status",
    "grant_total",
    "project__agreement_number",
    "project__application__organisation__legal_name",
    "participant__first_name",
    "participant__last_name",
    "activity_type__code",
    "activity_type__label",
    "activity_type__label_pl",
    "host__legal_name",
)


def mobility_list_rows(mobilities):
    """``mobilities`` (``mobilities_for_agency``, filtered) reading only the list's columns: one query per page,
    in the order of the index ``mobility_start_date_id`` (a page reads 50 rows instead of sorting them all)."""
    return mobilities.select_related(None).select_related(*LIST_RELATED).only(*LIST_FIELDS)


def may_filter_by_fewer_opportunities(user) -> bool:
    """Fewer opportunities is special-category data: only agency administrators and officers filter by it."""
    return has_agency_role(user, AgencyRole.OFFICER)


# --- Progress against the programme's targets --------------------------------------------------------------------

COMPLETED, ONGOING, PLANNED = 3, 2, 1
STAGES = (
    (COMPLETED, (MobilityStatus.COMPLETED, MobilityStatus.REPORTED)),
    (ONGOING, (MobilityStatus.ONGOING,)),
    (PLANNED, (MobilityStatus.PLANNED, MobilityStatus.CONFIRMED)),
)
LEARNERS, STAFF = "learners", "staff"
GROUP_OF_CATEGORY = {
    ParticipantCategory.LEARNER: LEARNERS,
    ParticipantCategory.RECENT_GRADUATE: LEARNERS,
    ParticipantCategory.STAFF: STAFF,
}


@dataclass
class Progress:
    group: str  # LEARNERS or STAFF
    target: int
    completed: int = 0
    ongoing: int = 0
    planned: int = 0

    @property
    def total(self) -> int:
        return self.completed + self.ongoing + self.planned

    def _share(self, count: int) -> float:
        return 100 * count / self.target if self.target else 0.0

    @property
    def bars(self) -> list[dict]:
        """The stacked bar's segments, widths capped so that together they never pass 100 %."""
        segments, used = [], 0.0
        for stage, count in (("completed", self.completed), ("ongoing", self.ongoing), ("planned", self.planned)):
            width = min(self._share(count), 100 - used)
            used += width
            segments.append({"stage": stage, "count": count, "width": f"{width:.2f}", "percent": round(width)})
        return segments

    @property
    def percent_completed(self) -> int:
        return round(self._share(self.completed))


def programme_progress(*, user) -> list[dict]:
    """Per programme, distinct participants (learners and recent graduates; staff) by how far their mobility got.

    A participant counts once per programme, at their furthest mobility: completed or reported, else ongoing,
    else planned or confirmed. Drafts, cancelled and force-majeure mobilities and accompanying persons do not
    count. Two queries: the programmes, and one aggregate over the mobilities.
    """
    if not is_agency(user):
        return []
    programmes = list(Programme.objects.order_by("starts_on", "name", "pk"))
    progress = {
        programme.pk: {
            LEARNERS: Progress(LEARNERS, programme.target_learners),
            STAFF: Progress(STAFF, programme.target_staff),
        }
        for programme in programmes
    }
    stage = Case(
        *(When(status__in=statuses, then=Value(rank)) for rank, statuses in STAGES),
        output_field=IntegerField(),
    )
    rows = (
        Mobility.objects.filter(accompanying=False, status__in=[s for _rank, statuses in STAGES for s in statuses])
        .order_by()
        .values_list("project__application__call__programme_id", "participant_id", "participant__category")
        .annotate(stage=Max(stage))
    )
    field = {COMPLETED: "completed", ONGOING: "ongoing", PLANNED: "planned"}
    for programme_id, _participant_id, category, rank in rows:
        group = GROUP_OF_CATEGORY.get(category)
        if group is None or programme_id not in progress:
            continue
        counts = progress[programme_id][group]
        setattr(counts, field[rank], getattr(counts, field[rank]) + 1)
    return [
        {"programme": programme, "learners": progress[programme.pk][LEARNERS], "staff": progress[programme.pk][STAFF]}
        for programme in programmes
    ]
