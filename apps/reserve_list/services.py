"""Every write of the reserve list: calls and envelopes, funding rounds, offers and their answers.

Budget integrity: anything that changes what a call has committed (a round, an
answer, an expiry, a withdrawal, an envelope change) first locks the call's row
with SELECT ... FOR UPDATE and recomputes the committed sum inside the lock, so
no interleaving of concurrent actions can commit more than the envelope.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.selectors import agency_staff
from apps.notifications.services import notify
from apps.organisations.selectors import managers_of
from apps.reserve_list import rules
from apps.reserve_list.models import (
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    Call,
    EnvelopeChange,
    FundingRound,
    Offer,
    OfferStatus,
    OfferStatusChange,
    Programme,
)
from apps.reserve_list.selectors import call_committed, round_candidates

DEFAULT_RESPONSE_DAYS = 14
REMINDER_BEFORE_DEADLINE = timedelta(days=3)

A, OS = ApplicationStatus, OfferStatus
# The only moves each status may make. Declined and expired applications return to the
# reserve list only by an agency decision (application_reinstate).
APPLICATION_TRANSITIONS: dict[str, set[str]] = {
    A.RESERVE: {A.OFFERED},
    A.OFFERED: {A.ACCEPTED, A.DECLINED, A.EXPIRED},
    A.ACCEPTED: {A.CONTRACTED, A.WITHDRAWN},
    A.CONTRACTED: {A.WITHDRAWN},
    A.DECLINED: {A.RESERVE},
    A.EXPIRED: {A.RESERVE},
    A.WITHDRAWN: set(),
    A.BELOW_THRESHOLD: set(),
}
OFFER_TRANSITIONS: dict[str, set[str]] = {
    OS.OPEN: {OS.ACCEPTED, OS.DECLINED, OS.EXPIRED},
    OS.ACCEPTED: {OS.WITHDRAWN},
    OS.DECLINED: set(),
    OS.EXPIRED: set(),
    OS.WITHDRAWN: set(),
}


class ReserveListError(Exception):
    """A reserve-list action that cannot be carried out; the message says why."""


class BudgetError(ReserveListError):
    """The action would commit more than the call's envelope."""


def _money(value) -> Decimal:
    return Decimal(value).quantize(rules.CENT)


def application_set_status(*, application: Application, to: str, by=None, reason: str = "") -> None:
    if to not in APPLICATION_TRANSITIONS[application.status]:
        raise ReserveListError(
            _("Application %(number)s cannot move from %(from)s to %(to)s.")
            % {"number": application.number, "from": application.get_status_display(), "to": A(to).label}
        )
    ApplicationStatusChange.objects.create(
        application=application, from_status=application.status, to_status=to, changed_by=by, reason=reason
    )
    application.status = to
    application.save(update_fields=["status"])


def _offer_set_status(*, offer: Offer, to: str, by=None, reason: str = "") -> None:
    if to not in OFFER_TRANSITIONS[offer.status]:
        raise ReserveListError(
            _("This offer is %(status)s and can no longer be changed that way.")
            % {"status": offer.get_status_display()}
        )
    OfferStatusChange.objects.create(offer=offer, from_status=offer.status, to_status=to, changed_by=by, reason=reason)
    offer.status = to


def _lock_call(call_id: int) -> Call:
    return Call.objects.select_for_update().get(pk=call_id)


def _lock_offer(offer_id: int) -> tuple[Offer, Call]:
    """Lock the offer's call first, then the offer: every budget writer takes locks in this order."""
    call_id = Offer.objects.filter(pk=offer_id).values_list("application__call_id", flat=True).get()
    call = _lock_call(call_id)
    offer = (
        Offer.objects.select_for_update().select_related("application", "application__organisation").get(pk=offer_id)
    )
    return offer, call


# --- Programme and calls -----------------------------------------------------


@transaction.atomic
def programme_ensure(
    *,
    name: str,
    sending_country: str,
    target_learners: int,
    target_staff: int,
    starts_on: date,
    ends_on: date,
    envelopes: dict[int, Decimal],
) -> Programme:
    """Create the programme and its calls, or leave them as they are when they exist (idempotent set-up)."""
    programme, _created = Programme.objects.get_or_create(
        name=name,
        defaults={
            "sending_country": sending_country,
            "target_learners": target_learners,
            "target_staff": target_staff,
            "starts_on": starts_on,
            "ends_on": ends_on,
        },
    )
    for year, envelope in envelopes.items():
        Call.objects.get_or_create(programme=programme, year=year, defaults={"envelope": envelope})
    return programme


@transaction.atomic
def call_change_envelope(*, call: Call, new_envelope: Decimal, reason: str, by) -> EnvelopeChange:
    """Raise or lower a call's envelope, never below what is committed; the change is kept with its reason."""
    if not reason.strip():
        raise ReserveListError(_("Give the reason for the change."))
    new_envelope = _money(new_envelope)
    if new_envelope < 0:
        raise ReserveListError(_("The envelope cannot be negative."))
    call = _lock_call(call.pk)
    committed = call_committed(call)
    if new_envelope < committed:
        raise BudgetError(
            _("The envelope cannot be lower than the %(committed)s EUR already committed.") % {"committed": committed}
        )
    change = EnvelopeChange.objects.create(
        call=call, old_envelope=call.envelope, new_envelope=new_envelope, reason=reason.strip(), changed_by=by
    )
    call.envelope = new_envelope
    call.save(update_fields=["envelope"])
    return change


# --- Funding rounds ------------------------------------------------------------


def round_simulate(*, call: Call, amount: Decimal, policy: str, min_share: Decimal | None = None) -> rules.RoundPlan:
    """What a round would offer: any amount may be asked, so staff can see what a larger budget would fund."""
    candidates = [rules.Candidate(a.number, a.requested_grant) for a in round_candidates(call)]
    return rules.plan_round(candidates, amount=_money(amount), policy=policy, min_share=min_share)


@transaction.atomic
def round_commit(
    *,
    call: Call,
    amount: Decimal,
    policy: str,
    min_share: Decimal | None = None,
    response_days: int = DEFAULT_RESPONSE_DAYS,
    by,
) -> FundingRound:
    """Commit a round: recompute the plan under the call's lock and create the offers."""
    amount = _money(amount)
    if amount <= 0:
        raise ReserveListError(_("The amount to distribute must be positive."))
    call = _lock_call(call.pk)
    free = call.envelope - call_committed(call)
    if amount > free:
        raise BudgetError(
            _("%(amount)s EUR is more than the call's uncommitted budget of %(free)s EUR.")
            % {"amount": amount, "free": free}
        )
    plan = round_simulate(call=call, amount=amount, policy=policy, min_share=min_share)
    funding_round = FundingRound.objects.create(
        call=call, amount=amount, policy=policy, min_share=min_share, response_days=response_days, created_by=by
    )
    deadline = timezone.now() + timedelta(days=response_days)
    applications = Application.objects.select_for_update().in_bulk([p.number for p in plan.offers], field_name="number")
    for planned in plan.offers:
        application = applications[planned.number]
        application_set_status(application=application, to=A.OFFERED, by=by, reason=_("Funding round"))
        offer = Offer.objects.create(
            application=application,
            funding_round=funding_round,
            amount=planned.amount,
            is_partial=planned.is_partial,
            deadline=deadline,
        )
        OfferStatusChange.objects.create(offer=offer, to_status=OS.OPEN, changed_by=by)
        _notify_managers(offer, kind="offer_made")
    return funding_round


# --- Offers ----------------------------------------------------------------------


def _notify_managers(offer: Offer, *, kind: str) -> None:
    organisation = offer.application.organisation
    for manager in managers_of(organisation=organisation):
        notify(
            kind=kind,
            recipient=manager,
            url=reverse("reserve_list:offer", args=[offer.pk]),
            context={"offer": offer, "application": offer.application, "organisation": organisation},
        )


def _notify_officers(offer: Offer, *, kind: str) -> None:
    for officer in agency_staff("officer"):
        notify(
            kind=kind,
            recipient=officer,
            url=reverse("reserve_list:ranking", args=[offer.application.call.year]),
            context={"offer": offer, "application": offer.application, "organisation": offer.application.organisation},
        )


@transaction.atomic
def offer_accept(*, offer: Offer, by) -> Offer:
    offer, _call = _lock_offer(offer.pk)
    if offer.status == OS.OPEN and offer.deadline <= timezone.now():
        raise ReserveListError(_("The deadline to answer this offer has passed."))
    _offer_set_status(offer=offer, to=OS.ACCEPTED, by=by)
    offer.answered_at, offer.answered_by = timezone.now(), by
    offer.save(update_fields=["status", "answered_at", "answered_by"])
    application_set_status(application=offer.application, to=A.ACCEPTED, by=by)
    _notify_officers(offer, kind="offer_accepted")
    return offer


@transaction.atomic
def offer_decline(*, offer: Offer, by, reason: str) -> Offer:
    if not reason.strip():
        raise ReserveListError(_("Say why you decline the offer."))
    offer, _call = _lock_offer(offer.pk)
    _offer_set_status(offer=offer, to=OS.DECLINED, by=by, reason=reason.strip())
    offer.answered_at, offer.answered_by, offer.decline_reason = timezone.now(), by, reason.strip()
    offer.save(update_fields=["status", "answered_at", "answered_by", "decline_reason"])
    application_set_status(application=offer.application, to=A.DECLINED, by=by, reason=reason.strip())
    _notify_officers(offer, kind="offer_declined")
    return offer


def offers_expire_due(*, now: datetime | None = None) -> int:
    """Expire every open offer whose deadline has passed; each in its own transaction. Idempotent."""
    now = now or timezone.now()
    expired = 0
    for offer_id in Offer.objects.filter(status=OS.OPEN, deadline__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            offer, _call = _lock_offer(offer_id)
            if offer.status != OS.OPEN:  # answered meanwhile
                continue
            _offer_set_status(offer=offer, to=OS.EXPIRED, reason=_("No answer by the deadline"))
            offer.save(update_fields=["status"])
            application_set_status(application=offer.application, to=A.EXPIRED, reason=_("Offer expired"))
            _notify_officers(offer, kind="offer_expired")
            expired += 1
    return expired


def offers_remind_due(*, now: datetime | None = None) -> int:
    """Remind managers of offers due within three days, once per offer (claimed by a conditional UPDATE)."""
    now = now or timezone.now()
    due = Offer.objects.filter(
        status=OS.OPEN, reminder_sent_at=None, deadline__gt=now, deadline__lte=now + REMINDER_BEFORE_DEADLINE
    )
    sent = 0
    for offer_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            if not Offer.objects.filter(pk=offer_id, reminder_sent_at=None).update(reminder_sent_at=now):
                continue
            offer = Offer.objects.select_related("application__organisation").get(pk=offer_id)
            _notify_managers(offer, kind="offer_reminder")
            sent += 1
    return sent


# --- After acceptance --------------------------------------------------------------


@transaction.atomic
def application_mark_contracted(*, application: Application, by) -> Application:
    """Called by the projects' service when the grant agreement is recorded."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    application_set_status(application=application, to=A.CONTRACTED, by=by, reason=_("Grant agreement signed"))
    return application


@transaction.atomic
def application_withdraw(*, application: Application, by, reason: str, retained_amount: Decimal = Decimal(0)):
    """Withdraw an accepted or contracted application; what was not paid out returns to the call."""
    if not reason.strip():
        raise ReserveListError(_("Give the reason for the withdrawal."))
    _lock_call(application.call_id)
    application = Application.objects.select_for_update().get(pk=application.pk)
    try:
        offer = Offer.objects.select_for_update().get(application=application, status=OS.ACCEPTED)
    except Offer.DoesNotExist:
        # Only an accepted or contracted application holds an accepted offer: refuse it like any illegal move.
        raise ReserveListError(
            _("Application %(number)s cannot move from %(from)s to %(to)s.")
            % {"number": application.number, "from": application.get_status_display(), "to": A.WITHDRAWN.label}
        ) from None
    retained_amount = _money(retained_amount)
    if not Decimal(0) <= retained_amount <= offer.amount:
        raise ReserveListError(_("The amount already paid must be between 0 and the offered amount."))
    _offer_set_status(offer=offer, to=OS.WITHDRAWN, by=by, reason=reason.strip())
    offer.retained_amount = retained_amount
    offer.save(update_fields=["status", "retained_amount"])
    application_set_status(application=application, to=A.WITHDRAWN, by=by, reason=reason.strip())
    _notify_officers(offer, kind="offer_withdrawn")
    return application


@transaction.atomic
def application_reinstate(*, application: Application, by, reason: str) -> Application:
    """Put a declined or expired application back on the reserve list (an agency decision)."""
    if not reason.strip():
        raise ReserveListError(_("Give the reason for the decision."))
    application = Application.objects.select_for_update().get(pk=application.pk)
    application_set_status(application=application, to=A.RESERVE, by=by, reason=reason.strip())
    return application
