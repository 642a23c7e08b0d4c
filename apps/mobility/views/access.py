"""Who may do what on a project's pages (the views' checks; the services check again where it matters)."""

from django.core.exceptions import PermissionDenied

from apps.accounts.models import AgencyRole
from apps.accounts.roles import has_agency_role, is_agency
from apps.organisations.selectors import is_manager, is_member, is_organisation_member
from apps.participants.selectors import can_see_special_category


def _require_member_or_agency(user) -> None:
    """Projects and mobilities are the sending organisation's and the agency's (participants: 403)."""
    if not (is_agency(user) or is_organisation_member(user)):
        raise PermissionDenied


def _can_record(user, project) -> bool:
    """Members of the sending organisation (managers and contributors) record and change its mobilities."""
    return is_member(user=user, organisation=project.application.organisation)


def _can_change_status(user, project) -> bool:
    return _can_record(user, project) or has_agency_role(user, AgencyRole.OFFICER)


def _may_see_fewer_opportunities(user, project) -> bool:
    return can_see_special_category(user=user, organisation=project.application.organisation)[0]


def _can_manage(user, project) -> bool:
    """The sending organisation's managers and agency officers import mobilities and record preparatory visits."""
    return is_manager(user=user, organisation=project.application.organisation) or has_agency_role(
        user, AgencyRole.OFFICER
    )
