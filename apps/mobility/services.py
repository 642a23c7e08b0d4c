from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.mobility import rules
from apps.mobility.models import Project, ProjectStatus
from apps.reserve_list import services as reserve_list
from apps.reserve_list.models import ApplicationStatus, Offer, OfferStatus


@transaction.atomic
def project_create_from_agreement(
    *, offer: Offer, agreement_number: str, signed_on: date, start_date: date, end_date: date, by
) -> Project:
    """Record the grant agreement of an accepted offer: the application becomes contracted and the project exists."""
    errors = {}
    if offer.status != OfferStatus.ACCEPTED or offer.application.status != ApplicationStatus.ACCEPTED:
        errors["__all__"] = _("Only an accepted offer can be contracted.")
    if Project.objects.filter(agreement_number=agreement_number.strip()).exists():
        errors["agreement_number"] = _("This agreement number is already recorded.")
    if not rules.project_duration_ok(start_date, end_date):
        errors["end_date"] = _("A short-term project lasts from %(min)s to %(max)s months.") % {
            "min": rules.PROJECT_MIN_MONTHS,
            "max": rules.PROJECT_MAX_MONTHS,
        }
    if errors:
        raise ValidationError(errors)
    reserve_list.application_mark_contracted(application=offer.application, by=by)
    return Project.objects.create(
        application=offer.application,
        agreement_number=agreement_number.strip(),
        signed_on=signed_on,
        start_date=start_date,
        end_date=end_date,
        awarded_grant=offer.amount,
        recorded_by=by,
    )


@transaction.atomic
def project_withdraw(*, project: Project, reason: str, retained_amount: Decimal = Decimal(0), by) -> Project:
    """Withdraw a contracted project; the money not yet paid out returns to its call."""
    if project.status == ProjectStatus.WITHDRAWN:
        raise reserve_list.ReserveListError(_("This project is already withdrawn."))
    reserve_list.application_withdraw(
        application=project.application, by=by, reason=reason, retained_amount=retained_amount
    )
    project.status = ProjectStatus.WITHDRAWN
    project.withdrawal_reason = reason.strip()
    project.save(update_fields=["status", "withdrawal_reason"])
    return project
