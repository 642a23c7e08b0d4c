"""Settings for bench/bench_mobility_list.py's gunicorn: the project's own, with static files collected into
the benchmark's temporary VAR_DIR (production serves them from STATIC_ROOT, which is in the source tree)."""

from mobility_portal.settings import *  # noqa: F403
from mobility_portal.settings import VAR_DIR

STATIC_ROOT = VAR_DIR / "static"
# The manifest (hashed names) as in production, without compressing every file at collectstatic (two minutes on
# two cores): pages look their static files up the same way; the benchmark never downloads them.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}  # noqa: F405
