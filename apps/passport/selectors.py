"""Reads of the mobility passport, scoped to the user, and the rules on who may do what with it.

Extra support is special-category data: it is read only through ``extra_support_for``, which logs every
view in the participants' ``PersonalDataAccess`` (as ``participants.selectors.special_category_for`` does).
"""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.accounts.models import AgencyRole
from apps.accounts.roles import has_agency_role
from apps.mobility.models import Mobility, MobilityStatus
from apps.mobility.selectors import get_mobility_for_user, get_own_mobility
from apps.mobility.steps import NextStep
from apps.organisations.selectors import is_member
from apps.participants.models import AccessAction, PersonalDataAccess
from apps.participants.selectors import can_change_special_category, can_see_special_category
from apps.passport.models import Checklist, ChecklistItem, ExtraSupport, Side, TemplateItem, Tick, Ticker

# A mobility has a passport unless it is still a draft or was cancelled (a force majeure one keeps it).
WITHOUT_PASSPORT = (MobilityStatus.DRAFT, MobilityStatus.CANCELLED)
EXTRA_SUPPORT_FIELDS = ["extra_support"]
NEXT_STEP_ORDER = 10


def has_passport(mobility: Mobility) -> bool:
    """Whether the mobility's passport pages exist (they answer 404 otherwise): the portal links them by this."""
    return mobility.status not in WITHOUT_PASSPORT


def _organisation(mobility: Mobility):
    return mobility.project.application.organisation


# --- Role rules: (allowed, reason) ----------------------------------------------------------------


def can_maintain_template(*, user) -> tuple[bool, str]:
    if has_agency_role(user, AgencyRole.OFFICER):
        return True, ""
    return False, _("Only agency administrators and officers maintain the passport template.")


def can_tick(*, user, mobility: Mobility, side: str) -> tuple[bool, str]:
    """The participant ticks the participant's side; the sending organisation's members tick its side."""
    if not has_passport(mobility):
        return False, _("The passport is open only for mobilities that are planned or further on.")
    if side == Side.PARTICIPANT:
        if user.is_authenticated and mobility.participant.user_id == user.pk:
            return True, ""
        return False, _("Only the participant ticks their side of the passport.")
    if is_member(user=user, organisation=_organisation(mobility)):
        return True, ""
    return False, _("Only the sending organisation's members tick its side of the passport.")


def can_add_items(*, user, mobility: Mobility) -> tuple[bool, str]:
    if not has_passport(mobility):
        return False, _("The passport is open only for mobilities that are planned or further on.")
    if is_member(user=user, organisation=_organisation(mobility)):
        return True, ""
    return False, _("Only the sending organisation's members add items to the passport.")


def can_delete_item(*, user, mobility: Mobility, item: ChecklistItem) -> tuple[bool, str]:
    """The sending organisation's members delete the items it added; the template's items stay."""
    allowed, reason = can_add_items(user=user, mobility=mobility)
    if not allowed:
        return allowed, reason
    if not item.from_organisation:
        return False, _("Items of the agency's template cannot be deleted.")
    return True, ""


def can_see_extra_support(*, user, mobility: Mobility) -> tuple[bool, str]:
    """Those who may see the fewer-opportunities flag, the participant themself included."""
    return can_see_special_category(user=user, organisation=_organisation(mobility), participant=mobility.participant)


def can_change_extra_support(*, user, mobility: Mobility) -> tuple[bool, str]:
    """Those who record the flag: the sending organisation's managers, agency administrators and officers."""
    if not has_passport(mobility):
        return False, _("The passport is open only for mobilities that are planned or further on.")
    return can_change_special_category(user=user, organisation=_organisation(mobility))


# --- Scoped reads ---------------------------------------------------------------------------------


def get_mobility_for_organisation(*, user, pk: int) -> Mobility:
    """The mobility for its sending organisation's members and the agency; 404 for anyone else."""
    return get_mobility_for_user(user=user, pk=pk)


def get_own_passport_mobility(*, user, pk: int) -> Mobility:
    """The signed-in participant's own mobility (``mobility.selectors.get_own_mobility``: 404 for anyone
    else's and for a draft) that has a passport: 404 for a cancelled one too."""
    mobility = get_own_mobility(user=user, pk=pk)
    if mobility.status in WITHOUT_PASSPORT:
        raise Http404
    return mobility


def get_item(*, mobility: Mobility, pk: int) -> ChecklistItem:
    """An item of this mobility's checklist (404 for an item of another one)."""
    item = (
        ChecklistItem.objects.filter(checklist__mobility=mobility, pk=pk)
        .select_related("checklist", "participant_ticked_by", "organisation_ticked_by")
        .first()
    )
    if item is None:
        raise Http404
    return item


def project_item_copies(*, item: ChecklistItem) -> int:
    """How many mobilities have the project item ``item`` came from (0 for an item of one mobility only)."""
    if item.project_item_id is None:
        return 0
    return ChecklistItem.objects.filter(project_item_id=item.project_item_id).count()


def checklist_items(*, checklist: Checklist | None) -> list[ChecklistItem]:
    """The checklist's items in phase order (before, during, after), then position; one query."""
    if checklist is None:
        return []
    items = ChecklistItem.objects.filter(checklist=checklist).select_related(
        "participant_ticked_by", "organisation_ticked_by", "added_by"
    )
    return sorted(items, key=lambda item: item.sort_key)


def tick_history(*, checklist: Checklist | None, limit: int = 50):
    if checklist is None:
        return []
    return list(Tick.objects.filter(item__checklist=checklist).select_related("item", "by")[:limit])


def template_items(*, active_only: bool = False) -> list[TemplateItem]:
    items = TemplateItem.objects.all()
    if active_only:
        items = items.filter(active=True)
    return sorted(items, key=lambda item: (not item.active, *item.sort_key))


def get_template_item(*, pk: int) -> TemplateItem:
    item = TemplateItem.objects.filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


# --- Extra support (special-category data) --------------------------------------------------------


def extra_support_for(*, user, mobility: Mobility, context: str) -> list[ExtraSupport] | None:
    """The extra support planned for the mobility, or None when the user may not see it.

    Every answer other than None is logged as a view, also an empty one: "nothing planned" says
    something about the participant too (as ``participants.selectors.special_category_for`` does).
    """
    allowed, _reason = can_see_extra_support(user=user, mobility=mobility)
    if not allowed:
        return None
    rows = sorted(
        ExtraSupport.objects.filter(mobility=mobility).select_related("created_by", "updated_by"),
        key=lambda row: (row.phase != "before", row.phase != "during", row.pk),
    )
    PersonalDataAccess.objects.create(
        participant=mobility.participant,
        user=user,
        action=AccessAction.VIEW,
        fields=EXTRA_SUPPORT_FIELDS,
        context=context[:200],
    )
    return rows


def get_extra_support(*, mobility: Mobility, pk: int) -> ExtraSupport:
    row = ExtraSupport.objects.filter(mobility=mobility, pk=pk).first()
    if row is None:
        raise Http404
    return row


# --- Next steps (apps/mobility/steps.py) ----------------------------------------------------------

PARTICIPANT_TICKERS = (Ticker.PARTICIPANT, Ticker.BOTH)


def next_steps(*, participant, mobilities) -> dict[int, list[NextStep]]:
    """Per mobility with a passport, the first item (phase, then position) the participant has still to tick.

    Two queries at most, for all the mobilities together: their checklists' items, and, for mobilities
    whose passport nobody has opened yet, the active template (its first item is what they will see).
    """
    mobilities = [m for m in mobilities if has_passport(m) and m.participant_id == participant.pk]
    if not mobilities:
        return {}
    items = ChecklistItem.objects.filter(checklist__mobility__in=[m.pk for m in mobilities]).select_related("checklist")
    opened: set[int] = set()
    first: dict[int, ChecklistItem] = {}
    for item in items:
        mobility_id = item.checklist.mobility_id
        opened.add(mobility_id)
        waiting = item.ticker in PARTICIPANT_TICKERS and item.participant_ticked_at is None
        if waiting and (mobility_id not in first or item.sort_key < first[mobility_id].sort_key):
            first[mobility_id] = item
    if any(m.pk not in opened for m in mobilities):
        template = template_items(active_only=True)
        template_first = next((item for item in template if item.ticker in PARTICIPANT_TICKERS), None)
        if template_first is not None:
            for mobility in mobilities:
                if mobility.pk not in opened:
                    first[mobility.pk] = template_first
    return {
        mobility_id: [
            NextStep(
                label=_("Tick in your passport: %(item)s") % {"item": item.display_name},
                url=reverse("passport:participant", kwargs={"pk": mobility_id}),
                order=NEXT_STEP_ORDER,
            )
        ]
        for mobility_id, item in first.items()
    }


def checklist_of(*, mobility: Mobility) -> Checklist | None:
    return Checklist.objects.filter(mobility=mobility).first()


def extra_support_export(participant) -> list[dict]:
    """The participant's extra support, for their data export (``participants.services.participant_export``,
    which logs the export)."""
    return [
        {
            "mobility": row.mobility_id,
            "support": row.description,
            "when": row.phase,
            "provided_by": row.provided_by,
            "created_at": row.created_at.isoformat(),
            "updated_at": row.updated_at.isoformat(),
        }
        for row in ExtraSupport.objects.filter(mobility__participant=participant).order_by("mobility_id", "pk")
    ]


def checklists_export(participant) -> list[dict]:
    """The participant's passports with what each side ticked and when, for their data export (the
    organisation's ticks without the member's name: that is the member's data, not the participant's)."""
    items = (
        ChecklistItem.objects.filter(checklist__mobility__participant=participant)
        .select_related("checklist")
        .order_by("checklist__mobility_id", "pk")
    )
    passports: dict[int, list[dict]] = {}
    for item in sorted(items, key=lambda item: (item.checklist.mobility_id, *item.sort_key)):
        passports.setdefault(item.checklist.mobility_id, []).append(
            {
                "item": item.name,
                "item_pl": item.name_pl,
                "description": item.description,
                "section": item.section,
                "phase": item.phase,
                "ticked_by": item.ticker,
                "added_by_organisation": item.from_organisation,
                "participant_ticked_at": _iso(item.participant_ticked_at),
                "organisation_ticked_at": _iso(item.organisation_ticked_at),
                "done": item.done,
            }
        )
    return [{"mobility": mobility_id, "items": rows} for mobility_id, rows in passports.items()]


def _iso(value):
    return value.isoformat() if value else None
