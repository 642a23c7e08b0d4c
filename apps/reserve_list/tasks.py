from celery import shared_task

from apps.reserve_list import services


@shared_task(name="reserve_list.expire_offers", acks_late=True)
def expire_offers() -> int:
    return services.offers_expire_due()


@shared_task(name="reserve_list.remind_offers", acks_late=True)
def remind_offers() -> int:
    return services.offers_remind_due()
