from django.conf import settings
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from apps.accounts.services import user_set_language


@require_POST
def set_language(request):
    """Django's language switch, which also remembers the choice on the account (e-mails use it)."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_set_language(user=request.user, language=language)
    return response
