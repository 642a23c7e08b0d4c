"""Writes of the mobility passport: the template, each mobility's checklist, ticks and extra support."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.mobility.models import Mobility
from apps.participants.models import AccessAction, PersonalDataAccess
from apps.passport import selectors
from apps.passport.models import (
    Checklist,
    ChecklistItem,
    ExtraSupport,
    ProjectItem,
    Side,
    TemplateItem,
    Tick,
)

ITEM_FIELDS = ("name", "name_pl", "description", "description_pl", "section", "phase", "ticker")
TEMPLATE_FIELDS = (*ITEM_FIELDS, "active")
SUPPORT_FIELDS = ("description", "phase", "provided_by")
# Items an organisation adds come after the template's in their phase.
ADDED_POSITION_START = 10_000


class PassportError(Exception):
    """A passport action that the current state does not allow (shown to the user as it is)."""


def _require(allowed_reason: tuple[bool, str]) -> None:
    allowed, reason = allowed_reason
    if not allowed:
        raise PermissionDenied(reason)


def _assign(row, fields: dict, allowed: Iterable[str]) -> None:
    allowed = set(allowed)
    for name, value in fields.items():
        if name not in allowed:
            raise ValueError(f"{name} is not an editable field here")
        setattr(row, name, value.strip() if isinstance(value, str) else value)


def _validated(row, *, exclude=()):
    """The row, or a ValidationError keyed by field naming everything that is wrong (nothing saved)."""
    row.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    return row


def _copy_text(source) -> dict:
    return {name: getattr(source, name) for name in (*ITEM_FIELDS, "position")}


# --- The template (agency) ------------------------------------------------------------------------


@transaction.atomic
def template_item_create(*, by, **fields) -> TemplateItem:
    """Add an item to the template; mobilities whose checklist exists already do not get it (see README)."""
    _require(selectors.can_maintain_template(user=by))
    item = TemplateItem()
    _assign(item, fields, TEMPLATE_FIELDS)
    last = TemplateItem.objects.aggregate(last=Max("position"))["last"] or 0
    item.position = last + 10
    _validated(item).save()
    return item


@transaction.atomic
def template_item_update(*, item: TemplateItem, by, **fields) -> TemplateItem:
    """Correct or (de)activate an item; existing checklists keep their copy as it was."""
    _require(selectors.can_maintain_template(user=by))
    item = TemplateItem.objects.select_for_update().get(pk=item.pk)
    _assign(item, fields, TEMPLATE_FIELDS)
    _validated(item).save()
    return item


@transaction.atomic
def template_item_move(*, item: TemplateItem, by, direction: str) -> TemplateItem:
    """Swap the item with its neighbour above ("up") or below ("down") in its phase."""
    _require(selectors.can_maintain_template(user=by))
    if direction not in ("up", "down"):
        raise PassportError(_("Move an item up or down."))
    items = sorted(TemplateItem.objects.select_for_update().filter(phase=item.phase), key=lambda i: i.sort_key)
    index = next(i for i, row in enumerate(items) if row.pk == item.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(items):
        return items[index]
    before = {row.pk: row.position for row in items}
    items[index], items[other] = items[other], items[index]
    # Renumber the phase, so that two items with the same position swap too; save() keeps the history.
    for position, row in enumerate(items, start=1):
        row.position = position * 10
        if row.position != before[row.pk]:
            row.save(update_fields=["position", "updated_at"])
    return items[other]


# --- Checklists -----------------------------------------------------------------------------------


@transaction.atomic
def checklists_ensure(*, mobilities: Iterable[Mobility]) -> dict[int, Checklist]:
    """Each mobility's checklist (those with a passport: not draft, not cancelled), copied when missing.

    Idempotent and safe when two requests do it at once: a checklist is copied only when it did not
    exist, and the unique constraints on (checklist, template item) and (checklist, project item) drop
    a second copy. A checklist that exists is never refilled: template changes do not rewrite it.
    A constant number of queries, however many mobilities.
    """
    mobilities = [m for m in mobilities if selectors.has_passport(m)]
    if not mobilities:
        return {}
    ids = [m.pk for m in mobilities]
    existing = set(Checklist.objects.filter(mobility_id__in=ids).values_list("mobility_id", flat=True))
    missing = [m for m in mobilities if m.pk not in existing]
    if missing:
        Checklist.objects.bulk_create([Checklist(mobility_id=m.pk) for m in missing], ignore_conflicts=True)
        project_of = {m.pk: m.project_id for m in missing}
        _copy_into(Checklist.objects.filter(mobility_id__in=[m.pk for m in missing]), project_of=project_of)
    return {c.mobility_id: c for c in Checklist.objects.filter(mobility_id__in=ids)}


def _copy_into(checklists, *, project_of: dict[int, int]) -> None:
    """Copy the active template and the projects' own items into ``checklists`` (three queries); a copy
    already there is skipped by the unique constraints, so a second run (a lost race) adds nothing."""
    template = list(TemplateItem.objects.filter(active=True))
    project_items: dict[int, list[ProjectItem]] = {}
    for row in ProjectItem.objects.filter(project_id__in=set(project_of.values())):
        project_items.setdefault(row.project_id, []).append(row)
    copies = []
    for checklist in checklists:
        copies += [ChecklistItem(checklist=checklist, template_item=t, **_copy_text(t)) for t in template]
        copies += [
            ChecklistItem(
                checklist=checklist, project_item=p, added_by_id=p.added_by_id, from_organisation=True, **_copy_text(p)
            )
            for p in project_items.get(project_of[checklist.mobility_id], [])
        ]
    ChecklistItem.objects.bulk_create(copies, ignore_conflicts=True)


def checklist_ensure(*, mobility: Mobility) -> Checklist | None:
    """The mobility's checklist (copied from the template the first time), or None without a passport."""
    return checklists_ensure(mobilities=[mobility]).get(mobility.pk)


def _next_added_position(checklist: Checklist) -> int:
    last = checklist.items.filter(position__gte=ADDED_POSITION_START).aggregate(last=Max("position"))["last"]
    return (last or ADDED_POSITION_START - 10) + 10


@transaction.atomic
def checklist_item_add(*, mobility: Mobility, by, whole_project: bool = False, **fields) -> ChecklistItem:
    """The sending organisation adds an item to this mobility, or (``whole_project``) to every mobility of
    the project with a passport, now and later: recorded once as a project item and copied to each."""
    _require(selectors.can_add_items(user=by, mobility=mobility))
    checklist = checklist_ensure(mobility=mobility)
    item = ChecklistItem(checklist=checklist, added_by=by, from_organisation=True)
    item._history_user = by
    _assign(item, fields, ITEM_FIELDS)
    item.position = _next_added_position(checklist)
    _validated(item, exclude=["checklist"])
    if not whole_project:
        item.save()
        return item
    project_item = ProjectItem(project=mobility.project, added_by=by, position=item.position)
    project_item._history_user = by
    _assign(project_item, fields, ITEM_FIELDS)
    project_item.save()
    siblings = Mobility.objects.filter(project=mobility.project).exclude(status__in=selectors.WITHOUT_PASSPORT)
    # Checklists copied just now already hold the project item; the others get a copy.
    checklists = checklists_ensure(mobilities=siblings)
    ChecklistItem.objects.bulk_create(
        [
            ChecklistItem(
                checklist=c, project_item=project_item, added_by=by, from_organisation=True, **_copy_text(project_item)
            )
            for c in checklists.values()
        ],
        ignore_conflicts=True,
    )
    return ChecklistItem.objects.get(checklist=checklist, project_item=project_item)


@transaction.atomic
def checklist_item_delete(*, item: ChecklistItem, by, whole_project: bool = False) -> int:
    """Delete an item the sending organisation added (never one of the template's): from this mobility, or
    (``whole_project``, for an item added to the project) from every mobility of the project and from
    those recorded later. Its ticks go with it; the item's history keeps who deleted it and when, with
    its last state (who had ticked it). Returns how many mobilities' items were deleted.
    """
    item = ChecklistItem.objects.select_for_update().select_related("checklist").get(pk=item.pk)
    mobility = Mobility.objects.select_related("participant", "project__application__organisation").get(
        pk=item.checklist.mobility_id
    )
    _require(selectors.can_delete_item(user=by, mobility=mobility, item=item))
    if not whole_project:
        copies = [item]
    elif item.project_item_id is None:
        raise PassportError(_("This item was added to this mobility only."))
    else:
        project_item = ProjectItem.objects.select_for_update().get(pk=item.project_item_id)
        copies = list(ChecklistItem.objects.filter(project_item=project_item))
    # One by one, so that each deletion is recorded in the history with who deleted it.
    for copy in copies:
        copy._history_user = by
        copy.delete()
    if whole_project:
        project_item._history_user = by
        project_item.delete()
    return len(copies)


@transaction.atomic
def item_tick(*, item: ChecklistItem, by, side: str, ticked: bool) -> ChecklistItem:
    """Tick (or untick) one side of an item; who and when are kept on the item and in its tick history.

    Ticking what is already ticked (a double submit) changes nothing and records nothing.
    """
    item = ChecklistItem.objects.select_for_update().select_related("checklist").get(pk=item.pk)
    mobility = Mobility.objects.select_related("participant", "project__application__organisation").get(
        pk=item.checklist.mobility_id
    )
    _require(selectors.can_tick(user=by, mobility=mobility, side=side))
    if side not in item.sides:
        raise PassportError(_("This item is ticked by %(who)s.") % {"who": item.get_ticker_display()})
    if (item.ticked_at(side) is not None) == ticked:
        return item
    setattr(item, f"{side}_ticked_at", timezone.now() if ticked else None)
    setattr(item, f"{side}_ticked_by", by if ticked else None)
    item.done = all(item.ticked_at(s) is not None for s in item.sides)
    item._history_user = by
    item.save(update_fields=[f"{side}_ticked_at", f"{side}_ticked_by", "done"])
    Tick.objects.create(item=item, side=side, ticked=ticked, by=by)
    return item


# --- Extra support (special-category data) --------------------------------------------------------


def _log_change(*, mobility: Mobility, by, context: str) -> None:
    PersonalDataAccess.objects.create(
        participant=mobility.participant,
        user=by,
        action=AccessAction.CHANGE,
        fields=selectors.EXTRA_SUPPORT_FIELDS,
        context=context[:200],
    )


@transaction.atomic
def extra_support_create(*, mobility: Mobility, by, context: str = "", **fields) -> ExtraSupport:
    """Record support planned for the participant (what, before/during/after, by whom); the change is logged."""
    _require(selectors.can_change_extra_support(user=by, mobility=mobility))
    row = ExtraSupport(mobility=mobility, created_by=by, updated_by=by)
    _assign(row, fields, SUPPORT_FIELDS)
    _validated(row, exclude=["mobility"]).save()
    _log_change(mobility=mobility, by=by, context=context or "passport: extra support added")
    return row


@transaction.atomic
def extra_support_update(*, support: ExtraSupport, by, context: str = "", **fields) -> ExtraSupport:
    mobility = support.mobility
    _require(selectors.can_change_extra_support(user=by, mobility=mobility))
    row = ExtraSupport.objects.select_for_update().get(pk=support.pk)
    before = [getattr(row, name) for name in SUPPORT_FIELDS]
    _assign(row, fields, SUPPORT_FIELDS)
    if [getattr(row, name) for name in SUPPORT_FIELDS] == before:
        return row
    row.updated_by = by
    _validated(row, exclude=["mobility"]).save()
    _log_change(mobility=mobility, by=by, context=context or "passport: extra support changed")
    return row


@transaction.atomic
def extra_support_delete(*, support: ExtraSupport, by, context: str = "") -> None:
    mobility = support.mobility
    _require(selectors.can_change_extra_support(user=by, mobility=mobility))
    support.delete()
    _log_change(mobility=mobility, by=by, context=context or "passport: extra support removed")


# --- Erasure (apps.participants.signals.participant_erased) ---------------------------------------

ERASED_ITEM_TEXT = {
    "name": "Item erased with the participant's personal data",
    "name_pl": "Pozycja usunięta wraz z danymi osobowymi uczestnika",
    "description": "",
    "description_pl": "",
}


@transaction.atomic
def participant_passport_erase(*, participant, former_user_id: int | None = None) -> list[str]:
    """Erase what the passports hold about an erased participant; the names of the fields erased.

    Called inside ``participants.services.participant_erase`` (which checks who may, and logs the
    erasure with the names returned here). Extra support goes; the text of items added to one of their
    mobilities only (which may describe the person) is replaced, in the items' history too; their ticks
    keep when but no longer who (their former account). Items of the template and of the whole project,
    and the organisation's ticks, say nothing about the person and stay, so completion figures hold.
    """
    erased = []
    deleted, _by_model = ExtraSupport.objects.filter(mobility__participant=participant).delete()
    if deleted:
        erased.append(selectors.EXTRA_SUPPORT_FIELDS[0])
    checklist_ids = list(Checklist.objects.filter(mobility__participant=participant).values_list("pk", flat=True))
    if not checklist_ids:
        return erased
    own = {"checklist_id__in": checklist_ids, "from_organisation": True, "project_item_id__isnull": True}
    if ChecklistItem.objects.filter(**own).update(**ERASED_ITEM_TEXT):
        erased.append("passport_item_text")
    ChecklistItem.history.filter(**own).update(**ERASED_ITEM_TEXT)
    in_checklists = {"checklist_id__in": checklist_ids}
    unlinked = ChecklistItem.objects.filter(**in_checklists, participant_ticked_by__isnull=False).update(
        participant_ticked_by=None
    )
    participant_ticks = Tick.objects.filter(item__checklist_id__in=checklist_ids, side=Side.PARTICIPANT)
    unlinked += participant_ticks.filter(by__isnull=False).update(by=None)
    ChecklistItem.history.filter(**in_checklists, participant_ticked_by__isnull=False).update(
        participant_ticked_by=None
    )
    if former_user_id is not None:
        ChecklistItem.history.filter(**in_checklists, history_user_id=former_user_id).update(history_user=None)
    if unlinked:
        erased.append("passport_ticked_by")
    return erased
