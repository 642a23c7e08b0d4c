"""What a signed-in person is in the portal, composed from the apps below."""

from __future__ import annotations

from dataclasses import dataclass, field

from apps.accounts.roles import is_agency
from apps.organisations.selectors import memberships_of
from apps.participants.selectors import participant_of


@dataclass(frozen=True)
class Roles:
    agency_role: str = ""
    memberships: list = field(default_factory=list)
    participant: object | None = None

    @property
    def is_agency(self) -> bool:
        return bool(self.agency_role)

    @property
    def is_member(self) -> bool:
        return bool(self.memberships)

    @property
    def is_participant(self) -> bool:
        return self.participant is not None


def roles_of(request) -> Roles:
    """The request user's roles, computed once per request (two queries at most)."""
    cached = getattr(request, "_portal_roles", None)
    if cached is not None:
        return cached
    user = request.user
    if not user.is_authenticated:
        roles = Roles()
    else:
        roles = Roles(
            agency_role=user.agency_role if is_agency(user) else "",
            memberships=list(memberships_of(user=user)),
            participant=participant_of(user=user),
        )
    request._portal_roles = roles
    return roles


def home_url_name(roles: Roles) -> str | None:
    if roles.is_agency:
        return "portal:agency_home"
    if roles.is_member:
        return "portal:organisation_home"
    if roles.is_participant:
        return "portal:participant_home"
    return None
