from celery import shared_task

from apps.notifications import services

MAX_RETRIES = 5


@shared_task(bind=True, name="notifications.send_email", acks_late=True, max_retries=MAX_RETRIES)
def send_notification_email(self, notification_id: int) -> None:
    try:
        services.notification_deliver_email(notification_id=notification_id)
    except services.DeliveryError as exc:
        if self.request.retries >= MAX_RETRIES:
            services.notification_mark_failed(notification_id=notification_id, error=str(exc))
            raise
        raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from exc


@shared_task(name="notifications.resend_pending_emails", acks_late=True)
def resend_pending_emails() -> int:
    """Re-enqueue e-mails whose task was lost (a broker outage at commit time); the claim keeps them single."""
    ids = services.notifications_pending_ids()
    for notification_id in ids:
        send_notification_email.delay(notification_id)
    return len(ids)
