from datetime import date
from decimal import Decimal

from django.db import transaction

from apps.reserve_list.models import Call, Programme


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
