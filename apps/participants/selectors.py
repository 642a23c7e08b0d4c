from apps.participants.models import Participant


def participant_of(*, user) -> Participant | None:
    """The participant record linked to this account, if any."""
    if not user.is_authenticated:
        return None
    return Participant.objects.select_related("organisation").filter(user=user).first()


def is_participant(user) -> bool:
    return user.is_authenticated and Participant.objects.filter(user=user).exists()
