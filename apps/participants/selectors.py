"""Reads of participants, scoped to what the user may see, and the rules on who may do what with them.

Special-category data (fewer opportunities and their reasons) is read only through
``special_category_for``, which logs every view; nothing else here touches it.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from apps.accounts.models import AgencyRole
from apps.accounts.roles import has_agency_role, is_agency
from apps.organisations.selectors import is_manager, is_member, visible_organisations
from apps.participants.models import (
    AccessAction,
    FewerOpportunitiesReason,
    Participant,
    PersonalDataAccess,
    SpecialCategoryData,
)

SPECIAL_CATEGORY_FIELDS = ("fewer_opportunities", "reasons")
# An erased participant keeps its row (mobility statistics count it) under a placeholder address.
ERASED_EMAIL_DOMAIN = "erased.invalid"


def participant_of(*, user) -> Participant | None:
    """The participant record linked to this account, if any."""
    if not user.is_authenticated:
        return None
    return Participant.objects.select_related("organisation").filter(user=user).first()


def is_participant(user) -> bool:
    return user.is_authenticated and Participant.objects.filter(user=user).exists()


def is_erased(participant: Participant) -> bool:
    return participant.email.endswith("@" + ERASED_EMAIL_DOMAIN)


# --- Scoped reads ---------------------------------------------------------------------------------


def participants_for_user(*, user):
    """Every participant for agency staff, their organisations' for members, none for anyone else."""
    queryset = Participant.objects.select_related("organisation", "invitation")
    if is_agency(user):
        return queryset
    if not user.is_authenticated:
        return queryset.none()
    # A subquery rather than a join, so that a participant is listed once however the user is a member.
    return queryset.filter(organisation__in=visible_organisations(user=user).values("pk"))


def get_participant_for_user(*, user, pk: int) -> Participant:
    """The participant, or 404 when the user may not see it (another organisation's participant does not exist)."""
    participant = participants_for_user(user=user).filter(pk=pk).first()
    if participant is None:
        raise Http404
    return participant


def participant_search(queryset, q: str):
    """Participants whose name or e-mail address contains every word of ``q``."""
    for word in q.split():
        queryset = queryset.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
        )
    return queryset


def participants_of_organisation(*, user, organisation, q: str = "", category: str = ""):
    """The organisation's participants the user may see, searched by name or e-mail and filtered by category."""
    queryset = participants_for_user(user=user).filter(organisation=organisation)
    if category:
        queryset = queryset.filter(category=category)
    return participant_search(queryset, q.strip())


def access_log_for(*, participant: Participant):
    """Who saw, changed, exported or erased the participant's special-category data, newest first."""
    return PersonalDataAccess.objects.filter(participant=participant).select_related("user")


# --- Role rules: (allowed, reason) ----------------------------------------------------------------


def can_edit_participants(*, user, organisation) -> tuple[bool, str]:
    """Record and correct personal data: the organisation's members (contributors too) and agency officers."""
    if has_agency_role(user, AgencyRole.OFFICER) or is_member(user=user, organisation=organisation):
        return True, ""
    return False, _("Only the organisation's members and agency officers can record participants.")


def can_manage_personal_data(*, user, organisation) -> tuple[bool, str]:
    """Export, erase and read the access log: the organisation's managers and agency officers."""
    if has_agency_role(user, AgencyRole.OFFICER) or is_manager(user=user, organisation=organisation):
        return True, ""
    return False, _("Only the organisation's managers and agency officers can export or erase personal data.")


def can_invite_participants(*, user, organisation) -> tuple[bool, str]:
    """E-mail participants their sign-in link: the sending organisation's managers and agency officers."""
    if has_agency_role(user, AgencyRole.OFFICER) or is_manager(user=user, organisation=organisation):
        return True, ""
    return False, _("Only the organisation's managers and agency officers can invite participants.")


def can_see_special_category(*, user, organisation, participant: Participant | None = None) -> tuple[bool, str]:
    """Who needs the fewer-opportunities flag: the sending organisation's managers, agency administrators and
    officers (not finance), and the participant themself (given ``participant``). Never contributors."""
    if participant is not None and user.is_authenticated and participant.user_id == user.pk:
        return True, ""
    if has_agency_role(user, AgencyRole.OFFICER) or is_manager(user=user, organisation=organisation):
        return True, ""
    return False, _("Only the organisation's managers and agency officers can see special-category data.")


def can_change_special_category(*, user, organisation) -> tuple[bool, str]:
    """Who records the flag: the sending organisation's managers and agency administrators and officers."""
    if has_agency_role(user, AgencyRole.OFFICER) or is_manager(user=user, organisation=organisation):
        return True, ""
    return False, _("Only the organisation's managers and agency officers can change special-category data.")


# --- Special-category data ------------------------------------------------------------------------


def special_category_for(*, user, participant: Participant, context: str) -> SpecialCategoryData | None:
    """The participant's special-category data, or None when the user may not see it.

    Every answer other than None is logged as a view (who, when, what, where), also when
    nothing was ever recorded: "not flagged" is itself special-category information, so an
    unsaved record with the defaults is returned and the view logged all the same.
    """
    allowed, _reason = can_see_special_category(
        user=user, organisation=participant.organisation, participant=participant
    )
    if not allowed:
        return None
    data = SpecialCategoryData.objects.filter(participant=participant).first()
    if data is None:
        data = SpecialCategoryData(participant=participant)
    PersonalDataAccess.objects.create(
        participant=participant,
        user=user,
        action=AccessAction.VIEW,
        fields=list(SPECIAL_CATEGORY_FIELDS),
        context=context[:200],
    )
    return data


def reason_labels(codes) -> list[str]:
    """The reasons' labels, in the choices' order (unknown codes kept as they are)."""
    labels = dict(FewerOpportunitiesReason.choices)
    return [str(labels.get(code, code)) for code in codes]
