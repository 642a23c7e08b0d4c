"""Who may do what, as plain functions over a user.

Organisation membership and participant records live in higher apps, which
expose their own predicates (``organisations.selectors``, ``participants.selectors``);
this module knows only what the user row itself says.
"""

from apps.accounts.models import AgencyRole

AGENCY_ROLES = (AgencyRole.ADMINISTRATOR, AgencyRole.OFFICER, AgencyRole.FINANCE)


def is_agency(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.agency_role in AGENCY_ROLES)


def has_agency_role(user, *roles: str) -> bool:
    """True when the user is agency staff with one of ``roles`` (administrators have every role)."""
    if not is_agency(user):
        return False
    return user.agency_role == AgencyRole.ADMINISTRATOR or user.agency_role in roles


def is_agency_admin(user) -> bool:
    return is_agency(user) and user.agency_role == AgencyRole.ADMINISTRATOR
