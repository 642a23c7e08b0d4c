"""Writes of participants: personal data, special-category data and its log, export and erasure."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.instances import builder
from apps.notifications.services import notifications_erase
from apps.participants import selectors
from apps.participants.models import (
    AccessAction,
    FewerOpportunitiesReason,
    Participant,
    ParticipantCategory,
    ParticipantInvitation,
    PersonalDataAccess,
    SpecialCategoryData,
)
from apps.participants.signals import participant_erased

PARTICIPANT_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "birth_date",
    "gender",
    "nationality",
    "category",
    "graduation_date",
)
SPECIAL_CATEGORY_FIELDS = selectors.SPECIAL_CATEGORY_FIELDS
ERASED_NAME = "Erased"
# Cleared by erasure; category and graduation date stay, for the programme's statistics.
ERASED_FIELDS = ("first_name", "last_name", "email", "birth_date", "gender", "nationality", "user")

# Sections that higher apps (mobility, outcomes) add to a participant's export: they know their own
# tables, this app may not import them (DESIGN.md §3). Filled once at start-up, from AppConfig.ready().
ExportSection = Callable[[Participant], object]
_export_sections: dict[str, tuple[ExportSection, tuple[str, ...]]] = {}


def export_section_register(*, key: str, build: ExportSection, fields: Iterable[str] = ()) -> None:
    """Add ``key`` to every participant export, built by ``build(participant)`` as JSON-ready data.

    ``fields`` names the personal data the section holds (``["extra_support"]``; the key itself when
    none are given): the export's entry in the access log names them whenever the section is not empty.
    """
    _export_sections[key] = (build, tuple(fields) or (key,))


@transaction.atomic
def participant_ensure(*, organisation, email: str, first_name: str, last_name: str, category: str, user=None):
    """The organisation's participant with this e-mail address, created or updated (idempotent)."""
    participant, _created = Participant.objects.update_or_create(
        organisation=organisation,
        email=email.lower(),
        defaults={"first_name": first_name, "last_name": last_name, "category": category, "user": user},
    )
    return participant


# --- Personal data --------------------------------------------------------------------------------


def _require(rule, *, user, organisation) -> None:
    allowed, reason = rule(user=user, organisation=organisation)
    if not allowed:
        raise PermissionDenied(reason)


def _refuse_if_erased(participant: Participant) -> None:
    """Lock the participant's row (first, as every use case here does: no deadlock with an erasure) and
    refuse when it is erased, as read under the lock: an erasure that committed meanwhile wins."""
    locked = Participant.objects.select_for_update(of=("self",)).only("pk", "email").get(pk=participant.pk)
    if selectors.is_erased(participant) or selectors.is_erased(locked):
        raise ValidationError({NON_FIELD_ERRORS: [_("This participant's personal data has been erased.")]})


def _assign(participant: Participant, fields: dict) -> None:
    for name, value in fields.items():
        if name not in PARTICIPANT_FIELDS:
            raise ValueError(f"{name} is not an editable participant field")
        if isinstance(value, str):
            value = value.strip()
        if name == "email":
            value = value.lower()
        if name in ("gender", "nationality") and value is None:
            value = ""
        setattr(participant, name, value)
    if participant.category != ParticipantCategory.RECENT_GRADUATE:
        # Only recent graduates have one; a category change must not leave a stale date behind.
        participant.graduation_date = None


def _validated(participant: Participant, *, skip=(), check_email: bool = True, today=None) -> Participant:
    """The participant, or a ValidationError keyed by field saying everything that is wrong (``skip``: fields
    the caller checked already; ``check_email``: whether to look up the address in the organisation;
    ``today``: the local date, when the caller has it)."""
    errors: dict[str, list[str]] = {}
    try:
        participant.full_clean(
            exclude=["organisation", "user", *skip], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        errors = exc.message_dict
    if (
        "birth_date" not in errors
        and participant.birth_date
        and participant.birth_date > (today or timezone.localdate())
    ):
        errors["birth_date"] = [_("The date of birth cannot be in the future.")]
    if (
        "graduation_date" not in errors
        and participant.category == ParticipantCategory.RECENT_GRADUATE
        and participant.graduation_date is None
    ):
        errors["graduation_date"] = [_("Enter the graduation date of a recent graduate.")]
    if check_email and "email" not in errors and _email_taken(participant):
        errors["email"] = [_email_taken_message()]
    if errors:
        raise ValidationError(errors)
    return participant


def _email_taken(participant: Participant) -> bool:
    others = Participant.objects.filter(organisation=participant.organisation_id, email__iexact=participant.email)
    return others.exclude(pk=participant.pk).exists()


def _email_taken_message() -> str:
    return _("This organisation already has a participant with this e-mail address.")


def _save(participant: Participant, update_fields: list[str] | None = None) -> Participant:
    try:
        # A savepoint: a concurrent insert of the same address loses here, not in the caller's transaction.
        with transaction.atomic():
            participant.save(update_fields=update_fields)
    except IntegrityError as exc:
        raise ValidationError({"email": [_email_taken_message()]}) from exc
    return participant


def participant_build(*, organisation, fields: dict, already_checked=(), today=None) -> Participant:
    """An unsaved participant of ``organisation`` as ``participant_create`` would record it, checked without a
    query: for bulk imports, which check a whole file's addresses at once and some fields while reading it
    (built as its constructor would, without its walk over every field: ``apps.core.instances``)."""
    participant = builder(Participant).build(organisation=organisation)
    _assign(participant, fields)
    return _validated(participant, skip=already_checked, check_email=False, today=today)


@transaction.atomic
def participant_create(*, organisation, by, **fields) -> Participant:
    """Record a participant of ``organisation`` (its members and agency officers may)."""
    _require(selectors.can_edit_participants, user=by, organisation=organisation)
    participant = Participant(organisation=organisation)
    _assign(participant, fields)
    return _save(_validated(participant))


@transaction.atomic
def participant_update(*, participant: Participant, by, **fields) -> Participant:
    """Correct personal data (not the special-category data: ``participant_set_special_category``)."""
    _require(selectors.can_edit_participants, user=by, organisation=participant.organisation)
    _refuse_if_erased(participant)
    _assign(participant, fields)
    # Only the corrected columns: a concurrent redemption of the invitation sets the account link meanwhile.
    changed = sorted({*fields, "graduation_date", "updated_at"})
    return _save(_validated(participant), update_fields=changed)


# --- Special-category data ------------------------------------------------------------------------


def _log(*, participant: Participant, by, action: str, fields, context: str = "") -> PersonalDataAccess:
    return PersonalDataAccess.objects.create(
        participant=participant, user=by, action=action, fields=list(fields), context=context[:200]
    )


@transaction.atomic
def participant_set_special_category(
    *, participant: Participant, by, fewer_opportunities: bool, reasons: list[str], context: str = ""
) -> SpecialCategoryData:
    """Record whether the participant has fewer opportunities and why; each change is logged (fields, not values).

    A save that changes nothing writes nothing and logs nothing.
    """
    _require(selectors.can_change_special_category, user=by, organisation=participant.organisation)
    _refuse_if_erased(participant)
    reasons = list(reasons or [])
    unknown = sorted({code for code in reasons if code not in FewerOpportunitiesReason.values})
    if unknown:
        raise ValidationError({"reasons": [_("Unknown reason: %(codes)s.") % {"codes": ", ".join(unknown)}]})
    if reasons and not fewer_opportunities:
        raise ValidationError({"reasons": [_("Give reasons only for a participant with fewer opportunities.")]})
    # The choices' order, without duplicates: the same answer is always stored the same way.
    reasons = [code for code in FewerOpportunitiesReason.values if code in reasons]
    data = SpecialCategoryData.objects.select_for_update().filter(participant=participant).first()
    if data is None:
        data = SpecialCategoryData(participant=participant)
    wanted = {"fewer_opportunities": bool(fewer_opportunities), "reasons": reasons}
    changed = [name for name in SPECIAL_CATEGORY_FIELDS if getattr(data, name) != wanted[name]]
    if not changed:
        return data
    for name in changed:
        setattr(data, name, wanted[name])
    data.updated_by = by
    data.save()
    _log(participant=participant, by=by, action=AccessAction.CHANGE, fields=changed, context=context)
    return data


# --- Export and erasure ---------------------------------------------------------------------------


def _iso(value):
    return value.isoformat() if value else None


@transaction.atomic
def participant_export(*, participant: Participant, by) -> dict:
    """Everything the portal holds on the participant, as JSON-ready data; logged as an export.

    The organisation's managers and agency officers may export, and the participant themself
    (the right of access). Special-category data is included when ``by`` may see it.
    """
    organisation = participant.organisation
    allowed, reason = selectors.can_manage_personal_data(user=by, organisation=organisation)
    if not allowed and not (by.is_authenticated and participant.user_id == by.pk):
        raise PermissionDenied(reason)
    may_see, _reason = selectors.can_see_special_category(user=by, organisation=organisation, participant=participant)
    account = participant.user
    export = {
        "exported_at": timezone.now().isoformat(),
        "participant": {
            "id": participant.pk,
            "first_name": participant.first_name,
            "last_name": participant.last_name,
            "email": participant.email,
            "birth_date": _iso(participant.birth_date),
            "gender": participant.gender,
            "nationality": str(participant.nationality or ""),
            "category": participant.category,
            "graduation_date": _iso(participant.graduation_date),
            "created_at": _iso(participant.created_at),
            "updated_at": _iso(participant.updated_at),
        },
        "sending_organisation": {"id": organisation.pk, "oid": organisation.oid, "name": organisation.legal_name},
        "account": None
        if account is None
        else {
            "email": account.email,
            "first_name": account.first_name,
            "last_name": account.last_name,
            "language": account.language,
            "date_joined": _iso(account.date_joined),
            "last_login": _iso(account.last_login),
        },
    }
    invitation = ParticipantInvitation.objects.filter(participant=participant).first()
    export["invitation"] = (
        None
        if invitation is None
        else {
            "sent_to": invitation.email,
            "sent_at": _iso(invitation.sent_at),
            "expires_at": _iso(invitation.expires_at),
            "used_at": _iso(invitation.used_at),
        }
    )
    if may_see:
        data = SpecialCategoryData.objects.filter(participant=participant).first()
        export["special_category_data"] = {
            "fewer_opportunities": bool(data and data.fewer_opportunities),
            "reasons": list(data.reasons) if data else [],
            "updated_at": _iso(data.updated_at) if data else None,
        }
    export["personal_data_accesses"] = [
        {
            "at": _iso(entry.at),
            "by": entry.user.email if entry.user else None,
            "action": entry.action,
            "fields": entry.fields,
            "context": entry.context,
        }
        for entry in selectors.access_log_for(participant=participant)
    ]
    exported = list(SPECIAL_CATEGORY_FIELDS) if may_see else []
    for key, (build, fields) in _export_sections.items():
        export[key] = build(participant)
        if export[key]:  # an empty section discloses nothing: the log names what was handed over
            exported.extend(name for name in fields if name not in exported)
    _log(participant=participant, by=by, action=AccessAction.EXPORT, fields=exported, context="export")
    return export


@transaction.atomic
def participant_erase(*, participant: Participant, by) -> Participant:
    """Anonymise the participant on request (the organisation's managers and agency officers).

    The row stays, with its category and graduation date, so that mobilities and the programme's
    figures still count the person; names, address, birth date, gender, nationality, the account
    link and the special-category data go. Mobilities in progress do not stop it: the right to
    erasure wins, and the organisation sees the anonymised name on them. Logged as an erasure.
    """
    _require(selectors.can_manage_personal_data, user=by, organisation=participant.organisation)
    participant = (
        Participant.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=participant.pk)
    )
    deleted, _by_model = SpecialCategoryData.objects.filter(participant=participant).delete()
    # It holds the address, and a pending link must no longer sign anyone in (nor create an account).
    invitations, _by_model = ParticipantInvitation.objects.filter(participant=participant).delete()
    # The messages sent to them (invitation links, report reminders): the address, the name, the links.
    notifications = notifications_erase(email=participant.email, user_id=participant.user_id)
    participant.first_name = ERASED_NAME
    participant.last_name = ERASED_NAME
    # Unique per organisation because the primary key is.
    participant.email = f"erased-{participant.pk}@{selectors.ERASED_EMAIL_DOMAIN}"
    participant.birth_date = None
    participant.gender = ""
    participant.nationality = ""
    former_user_id = participant.user_id
    participant.user = None
    participant.save()
    # The apps above (the passport's extra support, ...) erase what they hold, in this transaction.
    erased_elsewhere = [
        name
        for _receiver, fields in participant_erased.send(
            sender=Participant, participant=participant, by=by, former_user_id=former_user_id
        )
        for name in fields or ()
    ]
    _log(
        participant=participant,
        by=by,
        action=AccessAction.ERASE,
        fields=[
            *ERASED_FIELDS,
            *(SPECIAL_CATEGORY_FIELDS if deleted else ()),
            *(["invitation"] if invitations else []),
            *(["notifications"] if notifications else []),
            *erased_elsewhere,
        ],
        context="erasure",
    )
    return participant
