"""Daily sweeps (CELERY_BEAT_SCHEDULE); each calls one service, which is idempotent."""

from celery import shared_task

from apps.participant_reports import services


@shared_task(name="participant_reports.request_due", acks_late=True)
def request_due() -> int:
    return services.reports_request_due()


@shared_task(name="participant_reports.mark_overdue", acks_late=True)
def mark_overdue() -> int:
    return services.reports_mark_overdue()


@shared_task(name="participant_reports.send_reminders", acks_late=True)
def send_reminders() -> int:
    return services.reports_remind_due()
