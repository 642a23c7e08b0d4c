"""Settings come from the environment, fail loudly, and pass `check --deploy` in production."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k3V9pQz7-production-like-secret-with-enough-entropy-8fJ2xL0wR5tY1uI4oP6aS9dF",
    "ALLOWED_HOSTS": "mobility.example.org",
    "SITE_URL": "https://mobility.example.org",
    "DATABASE_URL": "postgres://mobility:secret@db.internal:5432/mobility",
    "CELERY_BROKER_URL": "redis://redis.internal:6379/0",
    "CACHE_URL": "redis://redis.internal:6379/1",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.org:587",
    "DEFAULT_FROM_EMAIL": "Mobility Portal <no-reply@mobility.example.org>",
}


def _manage(*args, env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in PRODUCTION and k not in ("HTTPS_ONLY", "MFA_REQUIRED_FOR_AGENCY")
    }
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_documented_production_variables():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_secret_key_is_required_without_debug():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = _manage("check", env=env)
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_a_bad_boolean_stops_start_up():
    result = _manage("check", env={**PRODUCTION, "DEBUG": "maybe"})
    assert result.returncode != 0 and "DEBUG='maybe' is not a boolean" in result.stderr


def test_every_variable_is_documented_in_the_readme():
    from mobility_portal.env import ENV_VARIABLES

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in ENV_VARIABLES if not re.search(rf"`{name}`", readme)]
    assert not missing, f"README does not document: {missing}"


@pytest.mark.parametrize(("broker", "eager"), [(None, "True"), ("redis://redis.internal:6379/0", "False")])
def test_unset_broker_means_eager_tasks(broker, eager):
    env = {k: v for k, v in PRODUCTION.items() if k != "CELERY_BROKER_URL"}
    if broker:
        env["CELERY_BROKER_URL"] = broker
    code = "from django.conf import settings; print(settings.CELERY_TASK_ALWAYS_EAGER)"
    result = _manage("shell", "--no-imports", "-c", code, env=env)
    assert result.stdout.strip() == eager, result.stderr


def test_every_requirement_is_pinned():
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / name).read_text().splitlines():
            line = line.strip()
            if line and not line.startswith(("#", "-r")):
                assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[\w.]+", line), f"{name}: {line} is not pinned"
