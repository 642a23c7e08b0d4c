import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mobility_portal.settings")

app = Celery("mobility_portal")
# Every CELERY_* setting configures the app; tasks are discovered in each app's tasks.py.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
