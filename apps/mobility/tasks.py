from celery import shared_task

from apps.mobility import imports_web


@shared_task(name="mobility.purge_import_files")
def purge_import_files() -> int:
    """Delete uploaded import files and previews past ``IMPORT_RETENTION_DAYS`` (daily on beat)."""
    return imports_web.uploads_purge()
