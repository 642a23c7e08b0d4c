from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from apps.accounts.roles import has_agency_role, is_agency


def agency_required(*roles: str):
    """Agency staff only (with one of ``roles`` when given); others get 403, anonymous users the login page.

    Agency pages are not objects of an organisation, so a 403 reveals nothing.
    """

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            allowed = has_agency_role(request.user, *roles) if roles else is_agency(request.user)
            if not allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
