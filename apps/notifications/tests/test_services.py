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


# --- Erasure ---------------------------------------------------------------------------------------


def test_erase_deletes_what_went_to_the_address_or_the_account(organisation_a, manager_a):
    user = UserFactory(email="gone@test.example")
    ctx = _invite_context(organisation_a, manager_a)
    by_address = services.notify(kind="organisation_invitation", email="GONE@test.example", context=ctx)
    by_account = services.notify(kind="organisation_invitation", recipient=user, email="old@test.example", context=ctx)
    other = services.notify(kind="organisation_invitation", email="stays@test.example", context=ctx)
    assert services.notifications_erase(email="gone@test.example", user_id=user.pk) == 2
    assert list(Notification.objects.values_list("pk", flat=True)) == [other.pk]
    assert not Notification.objects.filter(pk__in=[by_address.pk, by_account.pk]).exists()


def test_erase_with_nothing_to_match_deletes_nothing(organisation_a, manager_a):
    services.notify(
        kind="organisation_invitation", email="stays@test.example", context=_invite_context(organisation_a, manager_a)
    )
    assert services.notifications_erase() == 0
    assert services.notifications_erase(email="", user_id=None) == 0
    assert Notification.objects.count() == 1


def test_an_erased_pending_email_is_never_sent(organisation_a, manager_a):
    notification = services.notify(
        kind="organisation_invitation", email="gone@test.example", context=_invite_context(organisation_a, manager_a)
    )
    services.notifications_erase(email="gone@test.example")
    # The task enqueued at commit (or the resend sweep) finds nothing to claim.
    assert services.notification_deliver_email(notification_id=notification.pk) is False
    assert mail.outbox == []
