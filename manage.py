#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mobility_portal.settings")
    # Like cookiecutter-django's manage.py defaulting to local settings: a developer's shell gets
    # DEBUG unless the environment says otherwise. Production sets DEBUG=false explicitly (see
    # docker-compose.yml); gunicorn (wsgi.py) and Celery never read this default.
    os.environ.setdefault("DEBUG", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
