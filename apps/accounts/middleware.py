from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from apps.accounts.roles import is_agency

# Paths an agency user without TOTP may still reach: signing in and out, enrolling, switching language.
_EXEMPT_PREFIXES = ("/accounts/", "/i18n/", "/healthz", "/static/", "/api/", "/grant-calculator/")


class AgencyMfaRequiredMiddleware:
    """With MFA_REQUIRED_FOR_AGENCY on, agency staff must enrol TOTP before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.MFA_REQUIRED_FOR_AGENCY
            and is_agency(request.user)
            and not request.path.startswith(_EXEMPT_PREFIXES)
            and not is_mfa_enabled(request.user, [Authenticator.Type.TOTP])
        ):
            messages.warning(request, _("Agency staff must set up two-factor authentication before continuing."))
            return redirect("mfa_activate_totp")
        return self.get_response(request)
