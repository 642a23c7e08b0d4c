"""docker-compose.yml and the Dockerfile agree with the settings: services, commands and variables.

There is no Docker engine in the test run; the files are read as data and checked against
what the code expects (the variables the settings read, the Celery app, the beat scheduler).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
SERVICES = {"postgres", "redis", "web", "worker", "beat"}
APP_SERVICES = ("web", "worker", "beat")
TEST_SECRET_KEY = "compose-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"

# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}; $$ is a literal $.
_INTERPOLATION = re.compile(r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def interpolate(value: str, given: dict[str, str] | None = None) -> str:
    """The value as Compose would substitute it in an empty shell environment plus ``given``."""
    given = given or {}

    def substitute(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name"), match.group("op"), match.group("arg")
        if name in given:
            return given[name]
        if op and op.endswith("-"):
            return arg
        if op and op.endswith("?"):
            raise KeyError(f"{name} is required: {arg}")
        return ""

    return _INTERPOLATION.sub(substitute, value)


@pytest.fixture(scope="module")
def compose() -> dict:
    with COMPOSE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def environment_of(service: dict) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):  # the KEY=value list form
        environment = dict(item.split("=", 1) if "=" in item else (item, "") for item in environment)
    return {name: "" if value is None else str(value) for name, value in environment.items()}


def resolved_environment(service: dict) -> dict[str, str]:
    return {
        name: interpolate(value, {"SECRET_KEY": TEST_SECRET_KEY}) for name, value in environment_of(service).items()
    }


def command_of(service: dict) -> list[str]:
    command = service.get("command") or []
    return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]


def depends_on(service: dict) -> dict[str, str]:
    """Service name -> condition (Compose's short list form means service_started)."""
    depends = service.get("depends_on") or {}
    if isinstance(depends, list):
        return dict.fromkeys(depends, "service_started")
    return {name: (options or {}).get("condition", "service_started") for name, options in depends.items()}


def option(command: list[str], *names: str) -> str | None:
    """The value of a command-line option given as ``-x value``, ``--name value`` or ``--name=value``."""
    for index, part in enumerate(command):
        for name in names:
            if part == name and index + 1 < len(command):
                return command[index + 1]
            if name.startswith("--") and part.startswith(name + "="):
                return part.split("=", 1)[1]
    return None


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    instructions, pending = [], ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        full = (pending + stripped).strip()
        pending = ""
        if full:
            keyword, _, arguments = full.partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def exec_form(arguments: str) -> list[str]:
    """CMD/ENTRYPOINT arguments as a list: the JSON exec form, or the shell form split like a shell."""
    try:
        parsed = json.loads(arguments)
    except json.JSONDecodeError:
        return ["/bin/sh", "-c", arguments]
    assert isinstance(parsed, list), arguments
    return parsed


# --- Services and commands ---------------------------------------------------------------------


def test_the_five_services_exist(services):
    assert set(services) >= SERVICES
    assert services["postgres"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"


def test_web_serves_the_wsgi_application_with_gunicorn(services):
    web = services["web"]
    command = command_of(web)
    assert command[0] == "gunicorn"
    assert {"mobility_portal.wsgi", "mobility_portal.wsgi:application"} & set(command)
    assert option(command, "-b", "--bind") == "0.0.0.0:8000"
    assert any(str(port).endswith("8000:8000") for port in web.get("ports", []))

    from django.conf import settings
    from django.utils.module_loading import import_string

    assert settings.WSGI_APPLICATION == "mobility_portal.wsgi.application"
    assert callable(import_string(settings.WSGI_APPLICATION))


def test_worker_and_beat_run_the_project_celery_app(services):
    from django.conf import settings
    from django.utils.module_loading import import_string

    import mobility_portal

    for name, subcommand in (("worker", "worker"), ("beat", "beat")):
        command = command_of(services[name])
        assert command[0] == "celery", f"{name}: {command}"
        assert option(command, "-A", "--app") == "mobility_portal", f"{name}: {command}"
        assert subcommand in command, f"{name}: {command}"
    assert mobility_portal.celery_app.main == "mobility_portal"

    scheduler = option(command_of(services["beat"]), "-S", "--scheduler")
    assert scheduler == settings.CELERY_BEAT_SCHEDULER == "django_celery_beat.schedulers:DatabaseScheduler"
    assert import_string(scheduler.replace(":", "."))


def test_migrations_run_before_web_worker_and_beat_start(services):
    """Either the service migrates itself, or it waits for a one-off service that does."""

    def migrates(service: dict) -> bool:
        return "manage.py migrate" in " ".join(command_of(service))

    for name in APP_SERVICES:
        service = services[name]
        migrated_by = [
            other
            for other, condition in depends_on(service).items()
            if condition == "service_completed_successfully" and migrates(services[other])
        ]
        assert migrates(service) or migrated_by, f"{name} may start before the database is migrated"


# --- Environment ------------------------------------------------------------------------------


def test_every_variable_given_to_a_service_is_read_by_the_settings(services):
    from django.conf import settings

    assert settings.DEBUG in (True, False)  # the settings module is loaded, so ENV_VARIABLES is filled
    from mobility_portal.env import ENV_VARIABLES

    assert ENV_VARIABLES, "settings did not register any variable"
    unknown = {}
    for name, service in services.items():
        image = str(service.get("image", ""))
        own_prefix = "POSTGRES_" if image.startswith("postgres") else "REDIS_" if image.startswith("redis") else None
        names = [var for var in environment_of(service) if not (own_prefix and var.startswith(own_prefix))]
        if missing := sorted(set(names) - set(ENV_VARIABLES)):
            unknown[name] = missing
    assert not unknown, f"variables the settings never read (typo, or undocumented): {unknown}"


def test_app_services_share_one_environment(services):
    environments = {name: environment_of(services[name]) for name in APP_SERVICES}
    assert environments["web"], "web has no environment"
    assert environments["worker"] == environments["web"]
    assert environments["beat"] == environments["web"]


def test_production_switches(services):
    environment = environment_of(services["web"])
    assert re.fullmatch(r"\$\{SECRET_KEY:\?[^}]+\}", environment["SECRET_KEY"]), "SECRET_KEY must be required"
    with pytest.raises(KeyError, match="SECRET_KEY"):
        interpolate(environment["SECRET_KEY"])
    resolved = resolved_environment(services["web"])
    assert resolved["DEBUG"] == "false"
    assert resolved["HTTPS_ONLY"] == "false", "the local stack serves plain HTTP"
    for name in ("ALLOWED_HOSTS", "SITE_URL", "EMAIL_URL", "DEFAULT_FROM_EMAIL"):
        assert resolved.get(name), f"{name} has no value"


def test_database_url_points_at_the_postgres_service(services):
    postgres = resolved_environment(services["postgres"])
    url = urlparse(resolved_environment(services["web"])["DATABASE_URL"])
    assert url.scheme in ("postgres", "postgresql", "pgsql")
    assert url.hostname == "postgres"
    assert url.port in (None, 5432)
    assert url.path.lstrip("/") == postgres["POSTGRES_DB"]
    assert url.username == postgres.get("POSTGRES_USER", "postgres")
    assert url.password == postgres["POSTGRES_PASSWORD"]


def test_broker_and_cache_point_at_the_redis_service(services):
    environment = resolved_environment(services["web"])
    broker, cache = urlparse(environment["CELERY_BROKER_URL"]), urlparse(environment["CACHE_URL"])
    for url in (broker, cache):
        assert url.scheme == "redis"
        assert url.hostname == "redis"
        assert url.port in (None, 6379)
    assert cache.path == "/1"
    assert broker.path != cache.path, "the cache is flushed on its own; it must not share the broker's database"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_wait_for_postgres_and_redis(services, name):
    depends = depends_on(services[name])
    assert depends.get("postgres") == "service_healthy"
    assert depends.get("redis") == "service_healthy"


def test_waited_on_services_have_healthchecks(services):
    for name, service in services.items():
        for other, condition in depends_on(service).items():
            assert other in services, f"{name} depends on unknown service {other}"
            if condition == "service_healthy":
                assert services[other].get("healthcheck"), f"{name} waits for {other}, which has no healthcheck"


def test_web_healthcheck_calls_healthz(services):
    from django.urls import resolve

    test = services["web"]["healthcheck"]["test"]
    test = test if isinstance(test, str) else " ".join(test)
    script = re.search(r"docker/\S+\.py", test)
    source = (ROOT / script.group(0)).read_text(encoding="utf-8") if script else test
    assert "/healthz" in source
    assert resolve("/healthz").url_name == "healthz"


def test_compose_environment_loads_the_settings():
    """The settings accept the compose values as they are and configure the services from them."""
    with COMPOSE.open(encoding="utf-8") as handle:
        environment = resolved_environment(yaml.safe_load(handle)["services"]["web"])
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'db': [s.DATABASES['default']['ENGINE'], s.DATABASES['default']['HOST']], "
        "'cache': [s.CACHES['default']['BACKEND'], s.CACHES['default']['LOCATION']], "
        "'eager': s.CELERY_TASK_ALWAYS_EAGER, 'debug': s.DEBUG, 'ssl_redirect': s.SECURE_SSL_REDIRECT}))"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **environment},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded["db"] == ["django.db.backends.postgresql", "postgres"]
    assert loaded["cache"][0] == "django.core.cache.backends.redis.RedisCache"
    assert urlparse(loaded["cache"][1]).hostname == "redis"
    assert loaded["eager"] is False, "tasks must go to the worker"
    assert loaded["debug"] is False
    assert loaded["ssl_redirect"] is False


# --- Image --------------------------------------------------------------------------------------


def test_app_services_run_the_image_built_from_the_dockerfile(services):
    images = {services[name].get("image") for name in APP_SERVICES}
    assert len(images) == 1, f"web, worker and beat run different images: {images}"
    for name in APP_SERVICES:
        build = services[name].get("build")
        context = build if isinstance(build, str) else (build or {}).get("context", ".")
        dockerfile = "Dockerfile" if isinstance(build, str) else (build or {}).get("dockerfile", "Dockerfile")
        assert build is not None, f"{name} has no build section"
        assert (ROOT / context / dockerfile).resolve() == DOCKERFILE.resolve()


def test_dockerfile_runs_gunicorn_like_the_web_service(services):
    instructions = dockerfile_instructions()
    commands = [arguments for keyword, arguments in instructions if keyword == "CMD"]
    entrypoints = [arguments for keyword, arguments in instructions if keyword == "ENTRYPOINT"]
    assert commands, "the Dockerfile has no CMD"
    command = exec_form(commands[-1])  # only the last CMD counts
    # An entrypoint (if any) runs first and is handed the command; gunicorn must be what ends up running.
    effective = (exec_form(entrypoints[-1]) if entrypoints else []) + command
    assert "gunicorn" in effective, effective
    gunicorn = effective[effective.index("gunicorn") :]
    assert "mobility_portal.wsgi" in gunicorn
    assert option(gunicorn, "-b", "--bind") == "0.0.0.0:8000"
    assert command == command_of(services["web"]), "the image's default command and the web service differ"
    assert any(keyword == "EXPOSE" and "8000" in arguments.split() for keyword, arguments in instructions)
    requirements = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    assert re.search(r"(?m)^gunicorn==", requirements), "gunicorn is not in requirements.txt"


def test_dockerfile_builds_a_production_image():
    instructions = dockerfile_instructions()
    froms = [arguments for keyword, arguments in instructions if keyword == "FROM"]
    assert froms[-1].split()[0] == "python:3.11-slim"
    runs = " ".join(arguments for keyword, arguments in instructions if keyword == "RUN")
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-dejavu-core", "gettext"):
        assert re.search(rf"apt-get install[^&;]*\b{re.escape(package)}\b", runs), f"{package} is not installed"
    assert "pip install -r requirements.txt" in runs
    assert re.search(r"SECRET_KEY=\S+[^&;]*manage\.py collectstatic", runs), "collectstatic needs a build-time key"
    users = [arguments for keyword, arguments in instructions if keyword == "USER"]
    assert users and users[-1] not in ("root", "0"), "the image must not run as root"
    keywords = [keyword for keyword, _ in instructions]
    assert keywords.index("USER") < keywords.index("CMD")


def test_build_context_leaves_out_local_state_and_secrets():
    ignored = {
        line.strip().rstrip("/")
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".git", ".venv", ".env", "var"} <= ignored
