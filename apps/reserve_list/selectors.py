from apps.accounts.roles import is_agency
from apps.reserve_list.models import Call, Programme


def programmes_for_agency(*, user):
    if not is_agency(user):
        return Programme.objects.none()
    return Programme.objects.prefetch_related("calls")


def calls_for_agency(*, user):
    if not is_agency(user):
        return Call.objects.none()
    return Call.objects.select_related("programme")
