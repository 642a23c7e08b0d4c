"""Participant invitations: the e-mailed single-use sign-in link, and what the account reaches before and after."""

import datetime
import re

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import resolve, reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.notifications.models import Notification
from apps.participants import invitations
from apps.participants.invitations import ParticipantInvitationError
from apps.participants.models import AccessAction, ParticipantInvitation, PersonalDataAccess
from apps.participants.services import participant_erase
from tests.factories import ParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def learner(organisation_a):
    return ParticipantFactory(organisation=organisation_a, email="ola@test.example", first_name="Ola")


def _token(participant) -> str:
    notification = Notification.objects.filter(kind="participant_invitation", email=participant.email).latest("pk")
    return resolve(notification.url).kwargs["token"]


def test_invite_mails_a_link_and_stores_only_its_hash(django_capture_on_commit_callbacks, learner, manager_a):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitations.participant_invite(participant=learner, invited_by=manager_a)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ola@test.example"]
    token = _token(learner)
    assert f"/invitations/participant/{token}/" in message.body
    assert token not in invitation.token_hash
    assert invitation.expires_at - invitation.sent_at == datetime.timedelta(days=14)
    assert ParticipantInvitation.objects.filter(token_hash__contains=token).count() == 0


def test_inviting_again_replaces_the_link(learner, manager_a):
    invitations.participant_invite(participant=learner, invited_by=manager_a)
    first = _token(learner)
    invitations.participant_invite(participant=learner, invited_by=manager_a)
    second = _token(learner)
    assert first != second
    assert ParticipantInvitation.objects.filter(participant=learner).count() == 1
    assert invitations.invitation_by_token(first) is None
    with pytest.raises(ParticipantInvitationError):
        invitations.invitation_redeem(token=first)
    assert invitations.invitation_redeem(token=second).email == "ola@test.example"


def test_redeeming_creates_the_linked_account_with_a_verified_address(learner, manager_a):
    invitations.participant_invite(participant=learner, invited_by=manager_a)
    user = invitations.invitation_redeem(token=_token(learner))
    learner.refresh_from_db()
    assert learner.user == user
    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified
    assert learner.invitation.used_at is not None


def test_redeeming_reuses_an_existing_account_of_that_address(learner, manager_a):
    existing = UserFactory(email="Ola@test.example", verified=False)
    invitations.participant_invite(participant=learner, invited_by=manager_a)
    assert invitations.invitation_redeem(token=_token(learner)) == existing
    assert User.objects.filter(email__iexact="ola@test.example").count() == 1


def test_a_link_works_once(learner, manager_a):
    invitations.participant_invite(participant=learner, invited_by=manager_a)
    token = _token(learner)
    invitations.invitation_redeem(token=token)
    with pytest.raises(ParticipantInvitationError, match="already been used"):
        invitations.invitation_redeem(token=token)


def test_a_link_expires_after_14_days(learner, manager_a):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=15)):
        invitations.participant_invite(participant=learner, invited_by=manager_a)
    with pytest.raises(ParticipantInvitationError, match="expired"):
        invitations.invitation_redeem(token=_token(learner))
    learner.refresh_from_db()
    assert learner.user is None


def test_who_cannot_be_invited(learner, manager_a, organisation_a):
    signed_up = ParticipantFactory(organisation=organisation_a, user=UserFactory())
    with pytest.raises(ParticipantInvitationError, match="already has an account"):
        invitations.participant_invite(participant=signed_up, invited_by=manager_a)
    invitations.participant_invite(participant=learner, invited_by=manager_a)
    participant_erase(participant=learner, by=manager_a)
    assert not ParticipantInvitation.objects.filter(participant=learner).exists()  # it held the address
    with pytest.raises(ParticipantInvitationError, match="erased"):
        invitations.participant_invite(participant=learner, invited_by=manager_a)


def test_an_address_already_linked_to_another_participant_is_refused(learner, manager_a, organisation_b):
    # The same person sent by two organisations: one account cannot hold two participant records.
    user = UserFactory(email="ola@test.example")
    ParticipantFactory(organisation=organisation_b, email="ola@test.example", user=user)
    invitations.participant_invite(participant=learner, invited_by=manager_a)
    with pytest.raises(ParticipantInvitationError, match="another participant"):
        invitations.invitation_redeem(token=_token(learner))
    learner.refresh_from_db()
    assert learner.user is None and learner.invitation.used_at is None


def test_invite_all_skips_the_signed_in_and_the_still_valid(learner, manager_a, organisation_a):
    signed_up = ParticipantFactory(organisation=organisation_a, user=UserFactory())
    pending = ParticipantFactory(organisation=organisation_a)
    invitations.participant_invite(participant=pending, invited_by=manager_a)
    with time_machine.travel(timezone.now() - datetime.timedelta(days=20)):
        expired = ParticipantFactory(organisation=organisation_a)
        invitations.participant_invite(participant=expired, invited_by=manager_a)
    invited, skipped = invitations.participants_invite(
        participants=[learner, signed_up, pending, expired], invited_by=manager_a
    )
    assert (invited, skipped) == (2, 2)
    expired.invitation.refresh_from_db()
    assert expired.invitation.is_pending


# --- Views ------------------------------------------------------------------------------------------


def test_manager_invites_from_the_participant_page(client, learner, manager_a):
    client.force_login(manager_a)
    page = client.get(reverse("participants:detail", args=[learner.pk]))
    assert "not invited" in page.content.decode()
    response = client.post(reverse("participants:invite", args=[learner.pk]))
    assert response.status_code == 302
    page = client.get(reverse("participants:detail", args=[learner.pk]))
    assert "invited on" in page.content.decode()
    listing = client.get(reverse("participants:list", args=[learner.organisation_id]))
    assert "invited on" in listing.content.decode()


def test_contributor_may_not_invite(client, learner, contributor_a):
    client.force_login(contributor_a)
    assert client.post(reverse("participants:invite", args=[learner.pk])).status_code == 403
    assert not ParticipantInvitation.objects.exists()


def test_the_link_signs_in_without_a_password_and_lands_on_me(client, learner, manager_a):
    invitations.participant_invite(participant=learner, invited_by=manager_a)
    url = reverse("participants:invitation", args=[_token(learner)])
    page = client.get(url)  # a mail scanner opening the link does not use it up
    assert page.status_code == 200
    learner.refresh_from_db()
    assert learner.user is None
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("portal:participant_home")
    assert client.get(reverse("portal:participant_home")).status_code == 200
    learner.refresh_from_db()
    assert int(client.session["_auth_user_id"]) == learner.user_id
    # The participant page says so.
    client.force_login(manager_a)
    assert "signed in" in client.get(reverse("participants:detail", args=[learner.pk])).content.decode()


def test_a_used_link_offers_a_sign_in_code(client, learner, manager_a):
    invitations.participant_invite(participant=learner, invited_by=manager_a)
    url = reverse("participants:invitation", args=[_token(learner)])
    client.post(url)
    client.logout()
    page = client.get(url).content.decode()
    assert "already been used" in page and reverse("account_request_login_code") in page
    response = client.post(url, follow=True)
    assert "_auth_user_id" not in client.session
    assert "already been used" in response.content.decode()


def test_an_unknown_token_is_404(client):
    assert client.get(reverse("participants:invitation", args=["not-a-token"])).status_code == 404


def test_someone_signed_in_cannot_use_another_persons_link(client, learner, manager_a, participant_user):
    invitations.participant_invite(participant=learner, invited_by=manager_a)
    client.force_login(participant_user)
    url = reverse("participants:invitation", args=[_token(learner)])
    assert "sign out first" in client.post(url).content.decode()
    learner.refresh_from_db()
    assert learner.user is None and learner.invitation.used_at is None


def test_login_by_code_is_on_and_signup_stays_closed(client, settings):
    assert settings.ACCOUNT_LOGIN_BY_CODE_ENABLED
    response = client.get(reverse("account_signup"))
    assert "account/signup_closed.html" in [template.name for template in response.templates]


def test_a_participant_signs_in_later_with_an_emailed_code(client, learner, manager_a, mailoutbox):
    invitations.participant_invite(participant=learner, invited_by=manager_a)
    invitations.invitation_redeem(token=_token(learner))
    mailoutbox.clear()
    response = client.post(reverse("account_request_login_code"), {"email": "ola@test.example"})
    assert response.status_code == 302
    code = re.search(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}\b", mailoutbox[-1].body).group()
    response = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert response.status_code == 302
    learner.refresh_from_db()
    assert int(client.session["_auth_user_id"]) == learner.user_id


def test_an_account_with_two_factor_authentication_is_still_asked_for_its_code(client, learner, manager_a):
    from allauth.mfa.models import Authenticator

    existing = UserFactory(email="ola@test.example")
    Authenticator.objects.create(user=existing, type=Authenticator.Type.TOTP, data={"secret": "x"})
    invitations.participant_invite(participant=learner, invited_by=manager_a)
    response = client.post(reverse("participants:invitation", args=[_token(learner)]))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session


def test_a_link_to_an_address_corrected_since_does_not_work(learner, manager_a):
    from apps.participants.services import participant_update

    invitations.participant_invite(participant=learner, invited_by=manager_a)
    token = _token(learner)
    participant_update(participant=learner, by=manager_a, email="ola.new@test.example")
    with pytest.raises(ParticipantInvitationError, match="changed since"):
        invitations.invitation_redeem(token=token)
    assert not User.objects.filter(email__iexact="ola.new@test.example").exists()


def test_the_export_includes_the_invitation(learner, manager_a):
    from apps.participants.services import participant_export

    assert participant_export(participant=learner, by=manager_a)["invitation"] is None
    invitations.participant_invite(participant=learner, invited_by=manager_a)
    exported = participant_export(participant=learner, by=manager_a)["invitation"]
    assert exported["sent_to"] == "ola@test.example" and exported["used_at"] is None


# --- Erasure ----------------------------------------------------------------------------------------


def test_erasure_invalidates_a_pending_link_and_creates_no_account(learner, manager_a):
    invitations.participant_invite(participant=learner, invited_by=manager_a)
    token = _token(learner)
    assert learner.invitation.is_pending
    participant_erase(participant=learner, by=manager_a)
    assert invitations.invitation_by_token(token) is None
    with pytest.raises(ParticipantInvitationError, match="not valid"):
        invitations.invitation_redeem(token=token)
    learner.refresh_from_db()
    assert learner.user is None
    assert not User.objects.filter(email__iexact="ola@test.example").exists()
    # The erasure's log entry says the invitation went too.
    entry = PersonalDataAccess.objects.get(participant=learner, action=AccessAction.ERASE)
    assert "invitation" in entry.fields and "user" in entry.fields


def test_erasure_after_the_link_was_used_unlinks_the_account_and_the_link(client, learner, manager_a):
    invitations.participant_invite(participant=learner, invited_by=manager_a)
    token = _token(learner)
    user = invitations.invitation_redeem(token=token)
    participant_erase(participant=learner, by=manager_a)
    learner.refresh_from_db()
    assert learner.user is None
    assert not ParticipantInvitation.objects.filter(participant=learner).exists()
    with pytest.raises(ParticipantInvitationError, match="not valid"):
        invitations.invitation_redeem(token=token)
    # The former account reaches nothing of the participant's any more.
    client.force_login(user)
    assert client.get(reverse("portal:participant_home")).status_code == 403  # no longer a participant
    # The link's page answers like any unknown token.
    assert client.get(reverse("participants:invitation", args=[token])).status_code == 404


# --- Lock order: participant first, then the invitation (no deadlock between redeeming and erasing) --------


def _locks_taken(monkeypatch):
    """Record, in order, the model of every ``select_for_update()`` and every invitation deleted."""
    from django.db.models.query import QuerySet

    taken = []
    select_for_update, delete = QuerySet.select_for_update, QuerySet.delete

    def spy_select_for_update(self, *args, **kwargs):
        taken.append(self.model.__name__)
        return select_for_update(self, *args, **kwargs)

    def spy_delete(self):
        if self.model is ParticipantInvitation:
            taken.append("ParticipantInvitation")
        return delete(self)

    monkeypatch.setattr(QuerySet, "select_for_update", spy_select_for_update)
    monkeypatch.setattr(QuerySet, "delete", spy_delete)
    return taken


def test_redeeming_locks_the_participant_before_the_invitation(monkeypatch, learner, manager_a):
    invitations.participant_invite(participant=learner, invited_by=manager_a)
    taken = _locks_taken(monkeypatch)
    invitations.invitation_redeem(token=_token(learner))
    assert taken[:2] == ["Participant", "ParticipantInvitation"]


def test_erasing_locks_the_participant_before_the_invitation(monkeypatch, learner, manager_a):
    invitations.participant_invite(participant=learner, invited_by=manager_a)
    taken = _locks_taken(monkeypatch)
    participant_erase(participant=learner, by=manager_a)
    assert taken.index("Participant") < taken.index("ParticipantInvitation")


def test_inviting_locks_the_participant_first(monkeypatch, learner, manager_a):
    taken = _locks_taken(monkeypatch)
    invitations.participant_invite(participant=learner, invited_by=manager_a)
    assert taken[0] == "Participant"


# --- The stored notifications: links that stop working, and erasure ------------------------------------


def _stored_link(notification) -> str:
    """The sign-in link as the notification row keeps it (its ``url``, also in both bodies)."""
    assert notification.url in notification.body_text and notification.url in notification.body_html
    return notification.url


def test_the_stored_link_is_refused_once_redeemed(client, learner, manager_a):
    invitations.participant_invite(participant=learner, invited_by=manager_a)
    notification = Notification.objects.get(kind="participant_invitation")
    url = _stored_link(notification)
    assert client.post(url).status_code == 302  # used once, by the participant
    client.logout()
    response = client.post(url, follow=True)
    assert "_auth_user_id" not in client.session
    assert "already been used" in response.content.decode()
    with pytest.raises(ParticipantInvitationError, match="already been used"):
        invitations.invitation_redeem(token=resolve(url).kwargs["token"])


def test_the_stored_link_is_refused_once_replaced(client, learner, manager_a):
    invitations.participant_invite(participant=learner, invited_by=manager_a)
    first = Notification.objects.get(kind="participant_invitation")
    invitations.participant_invite(participant=learner, invited_by=manager_a)
    old_url = _stored_link(first)
    assert client.get(old_url).status_code == 404  # the hash no longer matches: like an unknown token
    assert client.post(old_url).status_code == 404
    assert "_auth_user_id" not in client.session
    learner.refresh_from_db()
    assert learner.user is None and learner.invitation.used_at is None


def test_erasure_deletes_the_notifications_and_the_pending_email_never_leaves(
    django_capture_on_commit_callbacks, learner, manager_a, organisation_a
):
    from apps.notifications.services import notify

    other = ParticipantFactory(organisation=organisation_a, email="someone.else@test.example")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitations.participant_invite(participant=learner, invited_by=manager_a)
        invitations.participant_invite(participant=other, invited_by=manager_a)
    user = invitations.invitation_redeem(token=_token(learner))
    # A later message to the account, whatever its address.
    notify(
        kind="organisation_invitation",
        recipient=user,
        email="elsewhere@test.example",
        context={"organisation": organisation_a, "inviter": manager_a, "role": "-", "expires_at": timezone.now()},
        send_email=False,
    )
    assert Notification.objects.count() == 3
    participant_erase(participant=learner, by=manager_a)
    assert list(Notification.objects.values_list("email", flat=True)) == ["someone.else@test.example"]
    for callback in callbacks:  # the e-mail tasks enqueued when the invitations committed
        callback()
    assert [message.to for message in mail.outbox] == [["someone.else@test.example"]]
    entry = PersonalDataAccess.objects.get(participant=learner, action=AccessAction.ERASE)
    assert "notifications" in entry.fields


def test_erasure_with_no_notification_does_not_log_any(learner, manager_a):
    participant_erase(participant=learner, by=manager_a)
    entry = PersonalDataAccess.objects.get(participant=learner, action=AccessAction.ERASE)
    assert "notifications" not in entry.fields
