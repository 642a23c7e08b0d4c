# The Mobility Portal image: one image for web (gunicorn), the Celery worker and Celery beat.
# docker-compose.yml runs it; the command below is the web process.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint renders PDFs with Pango/HarfBuzz and needs at least one font; gettext compiles the catalogues.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Requirements first, so that a code change does not reinstall them.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# Static files and the Polish catalogue are built into the image. Settings refuse to load without
# SECRET_KEY when DEBUG is off: this throw-away key exists only during these build steps.
RUN SECRET_KEY=build-only-dummy-key-never-used-at-run-time DEBUG=false \
        python manage.py collectstatic --noinput \
    && SECRET_KEY=build-only-dummy-key-never-used-at-run-time DEBUG=false \
        python manage.py compilemessages --locale pl \
    && rm -rf /app/var/cache /app/var/db.sqlite3

# Run as an unprivileged user; it owns only the folder that uploads and generated PDFs go to.
RUN groupadd --system app \
    && useradd --system --gid app --create-home --home-dir /home/app app \
    && mkdir -p /app/var/media \
    && chown -R app:app /app/var/media
USER app

EXPOSE 8000
CMD ["gunicorn", "mobility_portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", "--access-logfile", "-"]
