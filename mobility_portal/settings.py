"""Mobility Portal settings: one module, configured from the environment.

Every variable is read through ``mobility_portal.env`` and documented in the
README ("Configuration"). A value that cannot be parsed stops start-up.
"""

from __future__ import annotations

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from mobility_portal.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var"), doc="Folder for the SQLite file, file cache and local media."))

DEBUG = env_bool("DEBUG", False, doc="Development mode. Never on in production.")

SECRET_KEY = env_str("SECRET_KEY", doc="Signing key; required when DEBUG is off (50+ random characters).")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"], doc="Comma-separated host names the site answers to."
)
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000", doc="Public base URL, used in e-mailed links.").rstrip("/")
CSRF_TRUSTED_ORIGINS = env_list(
    "CSRF_TRUSTED_ORIGINS", [SITE_URL], doc="Origins allowed to POST (defaults to SITE_URL)."
)

# --- Applications -----------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_countries",
    "django_filters",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and Redoc served from our static files, no CDN
    "simple_history",
    "django_celery_beat",
    # Ours, ground floor first (DESIGN.md §3: dependencies point downwards).
    "apps.accounts",
    "apps.notifications",
    "apps.reference",
    "apps.organisations",
    "apps.reserve_list",
    "apps.participants",
    "apps.mobility",
    "apps.passport",
    "apps.outcomes",
    "apps.participant_reports",
    "apps.certificates",
    "apps.reports",
    "apps.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "apps.accounts.middleware.AgencyMfaRequiredMiddleware",
]

ROOT_URLCONF = "mobility_portal.urls"
WSGI_APPLICATION = "mobility_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.portal.context_processors.navigation",
            ],
        },
    }
]

# --- Data -------------------------------------------------------------------

DATABASE_URL = env_str(
    "DATABASE_URL", doc="Database URL, e.g. postgres://user:pass@host:5432/name. Unset: SQLite in VAR_DIR."
)
if DATABASE_URL:
    DATABASES = {"default": environ.Env.db_url_config(DATABASE_URL)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": VAR_DIR / "db.sqlite3"}}
DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60, doc="Seconds a database connection is reused.")
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A reused connection is checked (SELECT 1) before its first query of a request or task: a database restart
# costs one reconnection, not an error page or a failed task.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHE_URL = env_str(
    "CACHE_URL",
    f"filecache://{VAR_DIR / 'cache'}",
    doc="Cache URL (sessions, login rate limits), e.g. redis://host:6379/1. Unset: files in VAR_DIR/cache.",
)
CACHES = {"default": environ.Env.cache_url_config(CACHE_URL)}
if CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache":
    # Django's own Redis backend: one library fewer than django-redis.
    CACHES["default"]["BACKEND"] = "django.core.cache.backends.redis.RedisCache"
    CACHES["default"].pop("OPTIONS", None)
# Sessions live in the cache and survive its loss in the database: web processes keep no state.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media"), doc="Where uploaded and generated files are stored."))
MEDIA_URL = "/media/"
# Certificates' public verification page (/verify/<code>/): anonymous look-ups per IP address and minute.
CERTIFICATE_VERIFY_PER_MINUTE = env_int(
    "CERTIFICATE_VERIFY_PER_MINUTE", 30, doc="Anonymous certificate look-ups per IP address and minute; 0: no limit."
)
# Uploaded mobility import files (personal data) and their row-level previews are deleted this many days after
# the upload (apps.mobility.imports_web.uploads_purge, daily on beat).
IMPORT_RETENTION_DAYS = env_int(
    "IMPORT_RETENTION_DAYS", 30, doc="Days an uploaded mobility import file and its preview are kept."
)
STATIC_ROOT = BASE_DIR / "var" / "static"
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Accounts ---------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "apps.accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# Participants sign in without a password: first from their invitation link, later with a code e-mailed
# to them (allauth's login by code; valid 15 minutes, 3 attempts). Sign-up stays by invitation only.
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 15 * 60
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Mobility Portal] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
# allauth's rate limits (login failures, password resets, ...) are on by default;
# they count in the cache above, which is shared by every web process.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "5/m/ip,5/5m/key",
    "login": "30/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "signup": "20/m/ip",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Mobility Portal"
MFA_REQUIRED_FOR_AGENCY = env_bool(
    "MFA_REQUIRED_FOR_AGENCY",
    not DEBUG,
    doc="Agency staff must enrol TOTP before using the portal (default: on unless DEBUG).",
)

# --- Internationalisation ---------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("pl", _("Polish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Warsaw"
USE_I18N = True
USE_TZ = True
COUNTRIES_FIRST = ["PL"]

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail -----------------------------------------------------------------

EMAIL_URL = env_str(
    "EMAIL_URL",
    "consolemail://",
    doc="E-mail delivery: consolemail:// (default), smtp+tls://user:pass@host:587, filemail:///path, memorymail://.",
)
_email = environ.Env.email_url_config(EMAIL_URL)
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
EMAIL_FILE_PATH = _email.get("EMAIL_FILE_PATH") or str(VAR_DIR / "mail")
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL", "Mobility Portal <no-reply@mobility.example>", doc="Sender of the portal's e-mails."
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery -----------------------------------------------------------------

CELERY_BROKER_URL = env_str(
    "CELERY_BROKER_URL", doc="Celery broker, e.g. redis://host:6379/0. Unset: tasks run eagerly in the web process."
)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://localhost/"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery's Django fix-up closes the database connection before and after every task unless this is set; a worker
# process then reuses its connection for this many tasks, within CONN_MAX_AGE (mobility_portal/celery.py checks
# it before each task, as Django does before each request).
CELERY_DB_REUSE_MAX = 1000
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "notifications-resend-pending": {
        "task": "notifications.resend_pending_emails",
        "schedule": crontab(minute="*/10"),
    },
    "reserve-list-expire-offers": {"task": "reserve_list.expire_offers", "schedule": crontab(minute="*/15")},
    "reserve-list-remind-offers": {"task": "reserve_list.remind_offers", "schedule": crontab(minute=5, hour="*")},
    # Participant reports, daily: request them after the end date, mark them overdue, remind (weekly per report).
    "participant-reports-request": {"task": "participant_reports.request_due", "schedule": crontab(minute=0, hour=6)},
    "participant-reports-overdue": {"task": "participant_reports.mark_overdue", "schedule": crontab(minute=10, hour=6)},
    "mobility-purge-import-files": {"task": "mobility.purge_import_files", "schedule": crontab(minute=30, hour=3)},
    "participant-reports-remind": {"task": "participant_reports.send_reminders", "schedule": crontab(minute=0, hour=9)},
}

# --- Security ---------------------------------------------------------------

HTTPS_ONLY = env_bool(
    "HTTPS_ONLY", not DEBUG, doc="Redirect to HTTPS, secure cookies and HSTS (default: on unless DEBUG)."
)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https")
    if env_bool("BEHIND_TLS_PROXY", False, doc="Trust X-Forwarded-Proto from the reverse proxy.")
    else None
)
SECURE_SSL_REDIRECT = HTTPS_ONLY
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS_ONLY else 0, doc="HSTS max-age in seconds.")
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS_ONLY
SECURE_HSTS_PRELOAD = HTTPS_ONLY
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO", doc="Root log level.")},
    # WeasyPrint logs seven INFO progress lines per PDF (every certificate): only its warnings are kept.
    "loggers": {"weasyprint": {"level": "WARNING"}, "weasyprint.progress": {"level": "WARNING"}},
}

# --- API (Django REST framework, OpenAPI schema by drf-spectacular) --------

API_ANON_RATE = env_str(
    "API_ANON_RATE",
    "60/hour",
    doc="Requests an anonymous client (one IP address) may make to the public API, e.g. 60/hour, 10/min.",
)
API_ANON_RATE = API_ANON_RATE.strip()
_requests, _slash, _period = API_ANON_RATE.partition("/")
_PERIODS = {"s", "sec", "second", "m", "min", "minute", "h", "hour", "d", "day"}  # DRF reads the first letter
if not (_requests.isdigit() and int(_requests) > 0 and _period in _PERIODS):
    raise ImproperlyConfigured(f"API_ANON_RATE={API_ANON_RATE!r} is not a rate: use requests/period, e.g. 60/hour.")
REST_FRAMEWORK = {
    # Secure defaults for any future endpoint: signed-in users through the session (with its CSRF check).
    # Public endpoints (the grant quote) say so themselves: no authentication, AllowAny, throttled.
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Throttle counters live in the cache (CACHE_URL), shared by every web process.
    "DEFAULT_THROTTLE_RATES": {"anon": API_ANON_RATE},
    # Behind the TLS proxy every request comes from the proxy: count clients by the address it adds
    # to X-Forwarded-For instead.
    "NUM_PROXIES": 1 if SECURE_PROXY_SSL_HEADER else None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Mobility Portal API",
    "DESCRIPTION": "Public API of the Mobility Portal (Erasmus+ VET learning mobility): grant quotes.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    # Swagger UI from drf-spectacular-sidecar's static files; no online validator badge (it would send
    # the schema's address to validator.swagger.io).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}
