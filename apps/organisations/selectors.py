"""Reads of organisations, scoped to what the user may see."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import Http404

from apps.accounts.models import AgencyRole, User
from apps.accounts.roles import has_agency_role, is_agency
from apps.organisations.models import Invitation, Membership, MembershipRole, Organisation


def organisations_for_agency(*, user):
    if not is_agency(user):
        return Organisation.objects.none()
    # Meta.ordering does not apply to aggregated queries: order explicitly for stable pages.
    return (
        Organisation.objects.select_related("region")
        .annotate(member_count=Count("memberships", distinct=True))
        .order_by("legal_name", "pk")
    )


def memberships_of(*, user):
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("organisation", "organisation__region")


def is_member(*, user, organisation: Organisation) -> bool:
    return user.is_authenticated and Membership.objects.filter(user=user, organisation=organisation).exists()


def is_manager(*, user, organisation: Organisation) -> bool:
    return (
        user.is_authenticated
        and Membership.objects.filter(user=user, organisation=organisation, role=MembershipRole.MANAGER).exists()
    )


def is_organisation_member(user) -> bool:
    return user.is_authenticated and Membership.objects.filter(user=user).exists()


def visible_organisations(*, user):
    """Organisations the user may open: all for agency staff, their own for members."""
    if is_agency(user):
        return Organisation.objects.all()
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user)


def get_organisation_for_user(*, user, pk: int) -> Organisation:
    """The organisation, or 404 when the user may not see it (another organisation's object does not exist for them)."""
    organisation = visible_organisations(user=user).select_related("region").filter(pk=pk).first()
    if organisation is None:
        raise Http404
    return organisation


def can_edit_organisation(*, user, organisation: Organisation) -> tuple[bool, str]:
    if has_agency_role(user, AgencyRole.OFFICER):
        return True, ""
    if is_manager(user=user, organisation=organisation):
        return True, ""
    return False, "Only the organisation's managers and agency officers can edit it."


def members_of(*, organisation: Organisation):
    return organisation.memberships.select_related("user").order_by("user__email")


def pending_invitations(*, organisation: Organisation):
    return Invitation.objects.filter(organisation=organisation, accepted_at=None).select_related("invited_by")


def organisation_search(queryset, q: str):
    if not q:
        return queryset
    return queryset.filter(
        Q(legal_name__icontains=q) | Q(short_name__icontains=q) | Q(oid__iexact=q) | Q(city__icontains=q)
    )


def managers_of(*, organisation: Organisation):
    return User.objects.filter(
        is_active=True, memberships__organisation=organisation, memberships__role=MembershipRole.MANAGER
    )
