from django.db import transaction

from apps.participants.models import Participant


@transaction.atomic
def participant_ensure(*, organisation, email: str, first_name: str, last_name: str, category: str, user=None):
    """The organisation's participant with this e-mail address, created or updated (idempotent)."""
    participant, _created = Participant.objects.update_or_create(
        organisation=organisation,
        email=email.lower(),
        defaults={"first_name": first_name, "last_name": last_name, "category": category, "user": user},
    )
    return participant
