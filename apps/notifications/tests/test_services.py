from smtplib import SMTPException

import pytest
from django.core import mail

from apps.notifications import services
from apps.notifications.models import EmailStatus, Notification
from apps.notifications.selectors import unread_count
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _invite_context(organisation, inviter):
    from django.utils import timezone

    return {"organisation": organisation, "inviter": inviter, "role": "manager", "expires_at": timezone.now()}


def test_notify_records_and_emails_after_commit(django_capture_on_commit_callbacks, organisation_a, manager_a):
    user = UserFactory(email="someone@test.example", language="pl")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = services.notify(
            kind="organisation_invitation",
            recipient=user,
            url="/organisations/1/",
            context=_invite_context(organisation_a, manager_a),
        )
        assert mail.outbox == []  # nothing leaves before the transaction commits
    assert len(callbacks) == 1
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.SENT
    assert notification.email_attempts == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["someone@test.example"]
    assert message.subject == notification.subject
    assert message.alternatives and "http://" in message.alternatives[0][0]
    assert unread_count(user=user) == 1


def test_notify_renders_in_the_recipients_language(organisation_a, manager_a):
    user = UserFactory(email="polish@test.example", language="pl")
    notification = services.notify(
        kind="organisation_invitation",
        recipient=user,
        context=_invite_context(organisation_a, manager_a),
        send_email=False,
    )
    assert "Zaproszenie" in notification.subject or "zaprasza" in notification.body_text.lower()
    assert notification.email_status == EmailStatus.NOT_REQUIRED


def test_notify_needs_someone_to_tell():
    with pytest.raises(ValueError):
        services.notify(kind="organisation_invitation")


def test_delivery_is_claimed_once(django_capture_on_commit_callbacks, organisation_a, manager_a):
    notification = services.notify(
        kind="organisation_invitation",
        email="x@test.example",
        context=_invite_context(organisation_a, manager_a),
    )
    assert services.notification_deliver_email(notification_id=notification.pk) is True
    assert services.notification_deliver_email(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1


def test_failed_delivery_returns_the_row_for_a_retry(monkeypatch, organisation_a, manager_a):
    notification = services.notify(
        kind="organisation_invitation",
        email="x@test.example",
        context=_invite_context(organisation_a, manager_a),
    )

    def refuse(*args, **kwargs):
        raise SMTPException("relay refused")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    with pytest.raises(SMTPException):
        services.notification_deliver_email(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.PENDING
    assert notification.email_error == "relay refused"
    services.notification_mark_failed(notification_id=notification.pk, error="gave up")
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.FAILED


def test_resend_sweep_finds_only_old_pending(organisation_a, manager_a):
    from django.utils import timezone

    old = services.notify(
        kind="organisation_invitation", email="old@test.example", context=_invite_context(organisation_a, manager_a)
    )
    services.notify(
        kind="organisation_invitation", email="new@test.example", context=_invite_context(organisation_a, manager_a)
    )
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - timezone.timedelta(hours=1))
    assert services.notifications_pending_ids() == [old.pk]
