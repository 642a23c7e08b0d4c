"""notify(): the one place every notification goes through."""

from __future__ import annotations

import logging
from smtplib import SMTPException

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from apps.notifications.models import EmailStatus, Notification

logger = logging.getLogger(__name__)

DeliveryError = (SMTPException, OSError)


def _absolute(url: str) -> str:
    return url if not url or "://" in url else f"{settings.SITE_URL}{url}"


@transaction.atomic
def notify(
    *,
    kind: str,
    recipient=None,
    email: str = "",
    context: dict | None = None,
    url: str = "",
    language: str | None = None,
    send_email: bool = True,
) -> Notification:
    """Record a notification for ``recipient`` (a user) or a bare ``email`` address and e-mail it.

    Templates: ``notifications/email/<kind>_subject.txt``, ``<kind>.txt`` and
    ``<kind>.html``. The e-mail leaves through a Celery task enqueued when the
    surrounding transaction commits, so a rolled-back action sends nothing.
    """
    if recipient is None and not email:
        raise ValueError("notify() needs a recipient or an e-mail address.")
    address = email or recipient.email
    language = language or getattr(recipient, "language", None) or settings.LANGUAGE_CODE
    ctx = {"recipient": recipient, "url": _absolute(url), "site_url": settings.SITE_URL, **(context or {})}
    with translation.override(language):
        subject = " ".join(render_to_string(f"notifications/email/{kind}_subject.txt", ctx).split())
        body_text = render_to_string(f"notifications/email/{kind}.txt", ctx)
        body_html = render_to_string(f"notifications/email/{kind}.html", ctx)
    notification = Notification.objects.create(
        recipient=recipient,
        email=address,
        kind=kind,
        subject=subject[:200],
        body_text=body_text,
        body_html=body_html,
        url=url,
        email_status=EmailStatus.PENDING if send_email else EmailStatus.NOT_REQUIRED,
    )
    if send_email:
        from apps.notifications.tasks import send_notification_email

        transaction.on_commit(lambda: send_notification_email.delay(notification.pk))
    return notification


def notification_deliver_email(*, notification_id: int) -> bool:
    """Send the e-mail of one notification at most once; False when someone else has it or it is done.

    The conditional UPDATE claims the row, so two workers handed the same task
    (acks_late redelivery, the resend sweep) cannot both send it.
    """
    claimed = Notification.objects.filter(pk=notification_id, email_status=EmailStatus.PENDING).update(
        email_status=EmailStatus.SENDING, email_attempts=F("email_attempts") + 1
    )
    if not claimed:
        return False
    notification = Notification.objects.get(pk=notification_id)
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.email],
    )
    if notification.body_html:
        message.attach_alternative(notification.body_html, "text/html")
    try:
        message.send()
    except DeliveryError as exc:
        # Hand the row back so that the retry (or the sweep) can claim it again.
        Notification.objects.filter(pk=notification_id).update(
            email_status=EmailStatus.PENDING, email_error=str(exc)[:500]
        )
        raise
    Notification.objects.filter(pk=notification_id).update(
        email_status=EmailStatus.SENT, email_sent_at=timezone.now(), email_error=""
    )
    return True


def notification_mark_failed(*, notification_id: int, error: str) -> None:
    Notification.objects.filter(pk=notification_id, email_status=EmailStatus.PENDING).update(
        email_status=EmailStatus.FAILED, email_error=error[:500]
    )


def notifications_pending_ids(*, older_than_minutes: int = 5) -> list[int]:
    cutoff = timezone.now() - timezone.timedelta(minutes=older_than_minutes)
    return list(
        Notification.objects.filter(email_status=EmailStatus.PENDING, created_at__lt=cutoff).values_list(
            "pk", flat=True
        )[:500]
    )


def notification_mark_read(*, notification: Notification) -> None:
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at=None).update(read_at=timezone.now())


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at=None).update(read_at=timezone.now())


def notifications_erase(*, email: str | None = None, user_id: int | None = None) -> int:
    """Delete every notification addressed to ``email`` or to the account ``user_id`` (an erasure).

    They are copies of messages (names, links, the address itself), not records anything else counts
    on. Deleting also stops a pending e-mail: its delivery claims the row by primary key and status,
    finds nothing and sends nothing. One already being sent (claimed a moment before) may still leave.
    Returns how many were deleted.
    """
    query = Q()
    if email:
        query |= Q(email__iexact=email)
    if user_id is not None:
        query |= Q(recipient_id=user_id)
    if not query:
        return 0
    deleted, _by_model = Notification.objects.filter(query).delete()
    return deleted
