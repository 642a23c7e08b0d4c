from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.tokens import INVITATION_VALID_FOR, new_token, token_hash
from apps.notifications.services import notify
from apps.organisations.models import Invitation, Membership, MembershipRole, Organisation
from apps.reference import selectors as reference

ORGANISATION_FIELDS = (
    "oid",
    "pic",
    "legal_name",
    "short_name",
    "kind",
    "country",
    "region",
    "city",
    "address",
    "website",
    "contact_email",
)


class InvitationError(Exception):
    """An invitation that cannot be sent or accepted; the message says why."""


def organisation_location_errors(*, country: str, region) -> dict[str, str]:
    """Field errors for a country and region: eligible country; a region exactly where the country has them."""
    errors: dict[str, str] = {}
    if country not in reference.eligible_country_codes():
        errors["country"] = _("%(country)s is not an eligible programme country.") % {"country": country}
        return errors
    has_regions = reference.regions_of(country).exists()
    if has_regions and region is None:
        errors["region"] = _("Choose the region (voivodeship) of an organisation in this country.")
    elif region is not None and region.country_id != country:
        errors["region"] = _("This region is not in the chosen country.")
    return errors


def _validated(organisation: Organisation) -> Organisation:
    errors = organisation_location_errors(country=str(organisation.country), region=organisation.region)
    try:
        organisation.full_clean()
    except ValidationError as exc:
        errors = {**exc.message_dict, **{k: [v] for k, v in errors.items()}}
    if errors:
        raise ValidationError(errors)
    return organisation


@transaction.atomic
def organisation_create(**fields) -> Organisation:
    organisation = _validated(Organisation(**{k: v for k, v in fields.items() if k in ORGANISATION_FIELDS}))
    organisation.save()
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, **fields) -> Organisation:
    for name, value in fields.items():
        if name not in ORGANISATION_FIELDS:
            raise ValueError(f"{name} is not an editable organisation field")
        setattr(organisation, name, value)
    _validated(organisation).save()
    return organisation


@transaction.atomic
def membership_invite(*, organisation: Organisation, email: str, role: str, invited_by: User) -> Invitation:
    """Invite a colleague by e-mail; the link in the e-mail creates the membership."""
    email = email.strip().lower()
    if role not in MembershipRole.values:
        raise InvitationError(_("Unknown role."))
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise InvitationError(_("%(email)s is already a member of this organisation.") % {"email": email})
    token, hashed = new_token()
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        token_hash=hashed,
        invited_by=invited_by,
        expires_at=timezone.now() + INVITATION_VALID_FOR,
    )
    recipient = User.objects.filter(email__iexact=email).first()
    notify(
        kind="organisation_invitation",
        recipient=recipient,
        email=email,
        language=getattr(recipient, "language", None) or invited_by.language,
        url=reverse("organisations:invitation", args=[token]),
        context={
            "organisation": organisation,
            "inviter": invited_by,
            "role": invitation.get_role_display(),
            "expires_at": invitation.expires_at,
        },
    )
    return invitation


def invitation_by_token(token: str) -> Invitation | None:
    return Invitation.objects.select_related("organisation").filter(token_hash=token_hash(token)).first()


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise InvitationError(_("This invitation has already been used."))
    if invitation.is_expired:
        raise InvitationError(_("This invitation has expired. Ask for a new one."))
    if user.email.lower() != invitation.email.lower():
        raise InvitationError(
            _("This invitation was sent to %(email)s. Sign in with that address to accept it.")
            % {"email": invitation.email}
        )
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=invitation.organisation, defaults={"role": invitation.role}
    )
    if not created and invitation.role == MembershipRole.MANAGER and membership.role != MembershipRole.MANAGER:
        membership.role = MembershipRole.MANAGER
        membership.save(update_fields=["role"])
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def membership_add(*, organisation: Organisation, user: User, role: str) -> Membership:
    """Make ``user`` a member directly (agency set-up, demo data)."""
    membership, _created = Membership.objects.update_or_create(
        user=user, organisation=organisation, defaults={"role": role}
    )
    return membership
