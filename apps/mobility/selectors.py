from django.http import Http404

from apps.mobility.models import Project
from apps.organisations.selectors import visible_organisations


def projects_for_user(*, user):
    return Project.objects.filter(application__organisation__in=visible_organisations(user=user)).select_related(
        "application", "application__call", "application__organisation"
    )


def get_project_for_user(*, user, pk: int) -> Project:
    project = projects_for_user(user=user).filter(pk=pk).first()
    if project is None:
        raise Http404
    return project
