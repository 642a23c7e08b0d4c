"""Inviting participants: an e-mailed, single-use sign-in link that needs no password.

The token mechanism is the colleague invitations' (``apps.core.tokens``: only the hash is stored,
valid 14 days). Following the link signs the participant in, creating their account (linked to the
participant record, address verified) when there is none; later they sign in with a code that allauth
e-mails them, or with a password they choose. Sign-up stays closed: the account is made here.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.accounts.services import user_get_or_create
from apps.core.tokens import INVITATION_VALID_FOR, new_token, token_hash
from apps.notifications.services import notify
from apps.participants.models import Participant, ParticipantInvitation
from apps.participants.selectors import is_erased


class ParticipantInvitationError(Exception):
    """An invitation that cannot be sent or used; the message says why."""


def invitation_refusal(participant: Participant) -> str:
    """Why this participant cannot be invited, or "" when they can."""
    if is_erased(participant):
        return _("This participant's personal data has been erased: there is nobody to invite.")
    if participant.user_id:
        return _("%(name)s already has an account and signs in with their e-mail address.") % {"name": participant}
    return ""


@transaction.atomic
def participant_invite(*, participant: Participant, invited_by: User) -> ParticipantInvitation:
    """E-mail the participant a sign-in link; inviting again replaces the earlier link (it stops working)."""
    participant = (
        Participant.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=participant.pk)
    )
    refusal = invitation_refusal(participant)
    if refusal:
        raise ParticipantInvitationError(refusal)
    token, hashed = new_token()
    now = timezone.now()
    invitation, _created = ParticipantInvitation.objects.update_or_create(
        participant=participant,
        defaults={
            "email": participant.email.lower(),
            "token_hash": hashed,
            "invited_by": invited_by,
            "sent_at": now,
            "expires_at": now + INVITATION_VALID_FOR,
            "used_at": None,
        },
    )
    recipient = User.objects.filter(email__iexact=participant.email).first()
    notify(
        kind="participant_invitation",
        recipient=recipient,
        email=participant.email,
        language=getattr(recipient, "language", None) or invited_by.language,
        url=reverse("participants:invitation", args=[token]),
        context={
            "participant": participant,
            "organisation": participant.organisation,
            "expires_at": invitation.expires_at,
        },
    )
    return invitation


@transaction.atomic
def participants_invite(*, participants, invited_by: User) -> tuple[int, int]:
    """Invite, at once, every participant who has no account and no link still valid (an expired one is
    replaced); the others are skipped. Returns (invited, skipped)."""
    invited = skipped = 0
    for participant in participants:
        invitation = ParticipantInvitation.objects.filter(participant=participant).first()
        if invitation_refusal(participant) or (invitation is not None and invitation.is_pending):
            skipped += 1
            continue
        participant_invite(participant=participant, invited_by=invited_by)
        invited += 1
    return invited, skipped


def invitation_by_token(token: str) -> ParticipantInvitation | None:
    return (
        ParticipantInvitation.objects.select_related("participant", "participant__organisation")
        .filter(token_hash=token_hash(token))
        .first()
    )


def _lock_invitation(hashed: str) -> ParticipantInvitation | None:
    """Lock the participant's row, then the invitation's: the order of ``participant_invite`` and
    ``participant_erase`` (participant first), so that redeeming and erasing never deadlock.

    The unlocked read only finds whose link it is; both rows are read again under their locks, and
    the hash is checked again, as a concurrent re-invitation (or erasure) may have replaced it.
    """
    participant_id = (
        ParticipantInvitation.objects.filter(token_hash=hashed).values_list("participant_id", flat=True).first()
    )
    if participant_id is None:
        return None
    participant = Participant.objects.select_for_update().filter(pk=participant_id).first()
    invitation = ParticipantInvitation.objects.select_for_update().filter(participant_id=participant_id).first()
    if participant is None or invitation is None or invitation.token_hash != hashed:
        return None
    invitation.participant = participant
    return invitation


@transaction.atomic
def invitation_redeem(*, token: str) -> User:
    """Use the link once: the participant's account (created, address verified, when new), to sign in.

    The link went to the participant's address, so following it proves the address, as a
    password-reset link would. The caller signs the account in through allauth, so that an
    account with two-factor authentication still asks for its second factor.
    """
    from allauth.account.models import EmailAddress

    invitation = _lock_invitation(token_hash(token))
    if invitation is None or is_erased(invitation.participant):
        raise ParticipantInvitationError(_("This sign-in link is not valid."))
    if invitation.used_at is not None:
        raise ParticipantInvitationError(
            _("This sign-in link has already been used. Sign in with your e-mail address: we send you a code.")
        )
    if invitation.is_expired:
        raise ParticipantInvitationError(_("This sign-in link has expired. Ask your organisation for a new one."))
    participant = invitation.participant
    if participant.email.lower() != invitation.email:
        # The organisation corrected the address since: the link proves the old one, not the new one.
        raise ParticipantInvitationError(
            _("This sign-in link went to an address that has changed since. Ask your organisation for a new one.")
        )
    if participant.user_id:
        user = participant.user
    else:
        user, _created = user_get_or_create(
            email=participant.email, first_name=participant.first_name, last_name=participant.last_name
        )
        if Participant.objects.filter(user=user).exclude(pk=participant.pk).exists():
            raise ParticipantInvitationError(
                _("The account of %(email)s belongs to another participant record. Ask your organisation.")
                % {"email": participant.email}
            )
        participant.user = user
        participant.save(update_fields=["user", "updated_at"])
    # The link proves the address it went to (only: an account linked earlier may use another one).
    if user.email.lower() == participant.email.lower():
        address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
        if address is None:
            primary = not EmailAddress.objects.filter(user=user, primary=True).exists()
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=primary)
        elif not address.verified:
            address.verified = True
            address.save(update_fields=["verified"])
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    return user
