"""Reading the environment strictly.

Every variable the settings read goes through these helpers, so that
``ENV_VARIABLES`` lists exactly what the project can be configured with (the
README and the docker-compose test check themselves against it) and a value
that cannot be understood stops the process at start-up instead of being
silently replaced by a default.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

# name -> one-line description; filled in as the settings module reads them.
ENV_VARIABLES: dict[str, str] = {}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _register(name: str, doc: str) -> str | None:
    ENV_VARIABLES[name] = doc
    return os.environ.get(name)


def env_str(name: str, default: str | None = None, *, doc: str) -> str | None:
    value = _register(name, doc)
    return default if value is None else value


def env_bool(name: str, default: bool, *, doc: str) -> bool:
    value = _register(name, doc)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean: use one of 1/0, true/false, yes/no, on/off.")


def env_int(name: str, default: int, *, doc: str) -> int:
    value = _register(name, doc)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None


def env_list(name: str, default: list[str], *, doc: str) -> list[str]:
    value = _register(name, doc)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]
