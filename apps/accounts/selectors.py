from apps.accounts.models import AgencyRole, User


def agency_staff(*roles: str):
    """Active agency users with one of ``roles`` (administrators included: they hold every role)."""
    wanted = {*roles, AgencyRole.ADMINISTRATOR} if roles else {r for r in AgencyRole.values if r}
    return User.objects.filter(is_active=True, agency_role__in=wanted)
