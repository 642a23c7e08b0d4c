from django.utils.functional import SimpleLazyObject

from apps.notifications.selectors import unread_count
from apps.portal.roles import roles_of


def navigation(request):
    """Roles and the unread count for the base layout; evaluated only when a template uses them."""
    return {
        "roles": SimpleLazyObject(lambda: roles_of(request)),
        "unread_notifications": SimpleLazyObject(lambda: unread_count(user=request.user)),
    }
