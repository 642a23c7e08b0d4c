from django.db import transaction

from apps.accounts.models import AgencyRole, User


class AccountError(Exception):
    """A request about an account that cannot be carried out; the message says why."""


@transaction.atomic
def user_set_agency_role(*, user: User, role: str) -> User:
    """Give or take agency rights. Administrators also get Django's admin, which edits reference data."""
    if role not in AgencyRole.values:
        raise AccountError(f"Unknown agency role: {role!r}.")
    user.agency_role = role
    user.is_staff = user.is_superuser = role == AgencyRole.ADMINISTRATOR
    user.save(update_fields=["agency_role", "is_staff", "is_superuser"])
    return user


def user_set_language(*, user: User, language: str) -> None:
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language


@transaction.atomic
def user_get_or_create(*, email: str, first_name: str = "", last_name: str = "") -> tuple[User, bool]:
    """The user with this e-mail address (case-insensitive), created without a usable password when new."""
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first()
    if user:
        return user, False
    user = User(email=email, first_name=first_name, last_name=last_name)
    user.set_unusable_password()
    user.save()
    return user, True


@transaction.atomic
def user_ensure(
    *, email: str, password: str | None, first_name: str = "", last_name: str = "", agency_role: str = ""
) -> User:
    """Create or update a user whose address is verified (agency set-up, demo data); idempotent."""
    from allauth.account.models import EmailAddress

    user, _created = user_get_or_create(email=email, first_name=first_name, last_name=last_name)
    user.first_name, user.last_name = first_name, last_name
    if password:
        user.set_password(password)
    user.save()
    user_set_agency_role(user=user, role=agency_role)
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    return user
