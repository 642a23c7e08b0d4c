from django.shortcuts import get_object_or_404

from apps.notifications.models import Notification


def notifications_for_user(*, user):
    return Notification.objects.filter(recipient=user).only(
        "pk", "subject", "body_text", "url", "created_at", "read_at", "kind"
    )


def unread_count(*, user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at=None).count()


def get_notification_for_user(*, user, pk: int) -> Notification:
    return get_object_or_404(Notification, pk=pk, recipient=user)
