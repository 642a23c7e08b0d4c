"""How far the passports are ticked: per mobility, per project and for the programme (constant queries).

Counted over mobilities with a passport (neither draft nor cancelled). A mobility whose passport nobody
has opened yet has no checklist: it counts as the active template plus its project's own items, none
ticked (what it would get if opened now). An item counts as done when every side that ticks it has.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q

from apps.accounts.roles import is_agency
from apps.mobility.models import Mobility, Project
from apps.passport.models import Checklist, ChecklistItem, ProjectItem, TemplateItem
from apps.passport.selectors import WITHOUT_PASSPORT


@dataclass
class Completion:
    mobilities: int = 0  # with a passport
    opened: int = 0  # whose checklist exists
    complete: int = 0  # opened, every item done
    items: int = 0  # items of opened checklists, and of unopened ones as they would be copied now
    done: int = 0

    @property
    def rate(self) -> float | None:
        """Share of items done, in per cent (None without any item)."""
        return 100 * self.done / self.items if self.items else None

    @property
    def complete_rate(self) -> float | None:
        """Share of mobilities whose passport is complete, in per cent (None without any mobility)."""
        return 100 * self.complete / self.mobilities if self.mobilities else None

    def add(self, other: Completion) -> None:
        for name in ("mobilities", "opened", "complete", "items", "done"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def passport_mobilities():
    return Mobility.objects.exclude(status__in=WITHOUT_PASSPORT)


def completion_by_project(*, projects) -> dict[int, Completion]:
    """Completion per project for ``projects`` (ids, or a queryset used as a subquery); four queries."""
    if not isinstance(projects, list | tuple | set):
        projects = projects.order_by().values("pk")
    mobility_rows = (
        passport_mobilities()
        .filter(project_id__in=projects)
        .annotate(
            has_checklist=Exists(Checklist.objects.filter(mobility=OuterRef("pk"))),
            unfinished=Exists(ChecklistItem.objects.filter(checklist__mobility=OuterRef("pk"), done=False)),
        )
        .order_by()
        .values("project_id")
        .annotate(
            mobilities=Count("pk"),
            opened=Count("pk", filter=Q(has_checklist=True)),
            complete=Count("pk", filter=Q(has_checklist=True, unfinished=False)),
        )
    )
    result = {
        row["project_id"]: Completion(mobilities=row["mobilities"], opened=row["opened"], complete=row["complete"])
        for row in mobility_rows
    }
    item_rows = (
        ChecklistItem.objects.filter(checklist__mobility__in=passport_mobilities().filter(project_id__in=projects))
        .order_by()
        .values("checklist__mobility__project_id")
        .annotate(items=Count("pk"), done=Count("pk", filter=Q(done=True)))
    )
    for row in item_rows:
        completion = result.setdefault(row["checklist__mobility__project_id"], Completion())
        completion.items += row["items"]
        completion.done += row["done"]
    if any(c.mobilities > c.opened for c in result.values()):
        template = TemplateItem.objects.filter(active=True).count()
        own = dict(
            ProjectItem.objects.filter(project_id__in=projects)
            .order_by()
            .values("project_id")
            .annotate(n=Count("pk"))
            .values_list("project_id", "n")
        )
        for project_id, completion in result.items():
            completion.items += (completion.mobilities - completion.opened) * (template + own.get(project_id, 0))
    return result


def programme_completion(*, projects) -> Completion:
    """The totals over every project of ``projects`` (a queryset: the agency's filtered list)."""
    total = Completion()
    for completion in completion_by_project(projects=projects).values():
        total.add(completion)
    return total


def projects_for_agency(*, user):
    """Every project, for agency staff (the rows of the agency's completion page)."""
    if not is_agency(user):
        return Project.objects.none()
    return Project.objects.select_related(
        "application", "application__call", "application__organisation", "application__organisation__region"
    ).order_by("-signed_on", "agreement_number", "pk")


def with_completion(projects) -> list:
    """The page's projects, each with ``completion`` (four queries for the whole page)."""
    projects = list(projects)
    by_project = completion_by_project(projects=[p.pk for p in projects])
    for project in projects:
        project.completion = by_project.get(project.pk, Completion())
    return projects


def project_mobilities(*, mobilities):
    """The project's mobilities with a passport, each annotated with ``items_total``, ``items_done`` and
    ``opened`` (one query; the caller scopes ``mobilities`` to the user and the project)."""
    return (
        mobilities.exclude(status__in=WITHOUT_PASSPORT)
        .annotate(
            items_total=Count("passport__items"),
            items_done=Count("passport__items", filter=Q(passport__items__done=True)),
            opened=Exists(Checklist.objects.filter(mobility=OuterRef("pk"))),
        )
        .order_by("start_date", "pk")
    )
