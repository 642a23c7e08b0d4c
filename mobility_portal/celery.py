import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mobility_portal.settings")

app = Celery("mobility_portal")
# Every CELERY_* setting configures the app; tasks are discovered in each app's tasks.py.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.task_prerun.connect
def replace_unusable_database_connections(sender=None, **kwargs) -> None:
    """Before each task, as Django does before each request: close the database connections that failed or are
    older than CONN_MAX_AGE, so that the next query opens a fresh one.

    The worker keeps its connection between tasks (CELERY_DB_REUSE_MAX in the settings): opening one per task
    costs more than a small task's own queries (a certificate's render has ten). Not for eager tasks, which run
    inside the caller's request or transaction, on the caller's connection.
    """
    if getattr(sender.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()
