from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views import defaults
from django.views.decorators.cache import never_cache

from apps.accounts.decorators import agency_required
from apps.portal import health
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


@login_required
def participant_home(request):
    roles = roles_of(request)
    if not roles.is_participant:
        raise PermissionDenied
    return render(request, "portal/participant_home.html", {"participant": roles.participant})


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
