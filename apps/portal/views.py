from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from apps.accounts.decorators import agency_required
from apps.mobility.selectors import get_own_mobility, get_project_for_user, own_mobilities, project_participants
from apps.participants.invitations import participants_invite
from apps.participants.selectors import can_invite_participants
from apps.portal import health
from apps.portal import participant as me
from apps.portal.roles import home_url_name, roles_of
from apps.reserve_list.selectors import programmes_for_agency


def home(request):
    """The landing page, or the signed-in person's own home."""
    if not request.user.is_authenticated:
        return render(request, "portal/landing.html")
    target = home_url_name(roles_of(request))
    if target:
        return redirect(target)
    return render(request, "portal/no_role.html")


@agency_required()
def agency_home(request):
    context = {"programmes": programmes_for_agency(user=request.user)}
    return render(request, "portal/agency_home.html", context)


@login_required
def organisation_home(request):
    roles = roles_of(request)
    if not roles.is_member:
        raise PermissionDenied
    return render(request, "portal/organisation_home.html", {"memberships": roles.memberships})


def _participant(request):
    roles = roles_of(request)
    if not roles.is_participant:
        raise PermissionDenied
    return roles.participant


@login_required
def participant_home(request):
    participant = _participant(request)
    mobilities = list(own_mobilities(user=request.user))
    steps = me.next_steps(participant=participant, mobilities=mobilities)
    context = {
        "participant": participant,
        "mobilities": [(mobility, me.timeline(mobility), steps[mobility.pk]) for mobility in mobilities],
        "first_steps": me.first_steps(mobilities, steps),
    }
    return render(request, "portal/participant_home.html", context)


@login_required
def participant_mobility(request, pk: int):
    participant = _participant(request)
    mobility = get_own_mobility(user=request.user, pk=pk)
    context = {
        "participant": participant,
        "mobility": mobility,
        "timeline": me.timeline(mobility),
        "steps": me.next_steps(participant=participant, mobilities=[mobility])[mobility.pk],
        "pages": me.mobility_pages(mobility),
    }
    return render(request, "portal/participant_mobility.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def project_invitations(request, pk: int):
    """The project's participants and whether they have their sign-in link; one button invites them all."""
    project = get_project_for_user(user=request.user, pk=pk)
    organisation = project.application.organisation
    allowed, reason = can_invite_participants(user=request.user, organisation=organisation)
    participants = project_participants(project=project)
    if request.method == "POST":
        if not allowed:
            raise PermissionDenied(reason)
        invited, skipped = participants_invite(participants=participants, invited_by=request.user)
        message = ngettext("%(count)d participant invited.", "%(count)d participants invited.", invited) % {
            "count": invited
        }
        if skipped:
            message += " " + ngettext(
                "%(count)d skipped: already signed in or holding a valid link.",
                "%(count)d skipped: already signed in or holding a valid link.",
                skipped,
            ) % {"count": skipped}
        messages.success(request, message)
        return redirect("portal:project_invitations", pk=project.pk)
    context = {"project": project, "participants": participants, "can_invite": allowed}
    return render(request, "portal/project_invitations.html", context)


@never_cache
def healthz(request):
    checks = health.run_checks(broker_url=None if settings.CELERY_TASK_ALWAYS_EAGER else settings.CELERY_BROKER_URL)
    healthy = all(value in ("ok", "not configured") for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503)


def permission_denied(request, exception=None):
    return defaults.permission_denied(request, exception, template_name="403.html")


def page_not_found(request, exception=None):
    return defaults.page_not_found(request, exception, template_name="404.html")


def server_error(request):
    return defaults.server_error(request, template_name="500.html")
