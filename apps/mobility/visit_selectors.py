"""Reads of preparatory visits, scoped to the user like ``selectors.projects_for_user`` (404 for anyone else's)."""

from django.http import Http404

from apps.mobility.models import PreparatoryVisit, Project
from apps.organisations.selectors import visible_organisations


def preparatory_visits_of(*, project: Project):
    """The visits of a project the caller has loaded for the user, ready for the project page (one query)."""
    return PreparatoryVisit.objects.filter(project=project).select_related(
        "activity_type", "host", "project__application__call"
    )


def get_preparatory_visit_for_user(*, user, pk: int) -> PreparatoryVisit:
    visit = (
        PreparatoryVisit.objects.filter(pk=pk, project__application__organisation__in=visible_organisations(user=user))
        .select_related(
            "activity_type",
            "host",
            "project",
            "project__application",
            "project__application__call",
            "project__application__organisation",
        )
        .first()
    )
    if visit is None:
        raise Http404
    return visit
