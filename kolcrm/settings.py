"""KOL CRM settings.

Everything comes from the environment with safe local defaults, so `make run` and `make test`
need nothing set. Production is chosen explicitly with DJANGO_ENV=production; then the
variables without a safe default are required. A malformed value raises
ImproperlyConfigured naming the variable.
"""

import datetime
import os
import secrets
import zoneinfo
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from kolcrm.environment import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("KOLCRM_VAR_DIR", BASE_DIR / "var"))


DJANGO_ENV = env_str("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"DJANGO_ENV must be 'development' or 'production', not {DJANGO_ENV!r}."
    )
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env_bool("DEBUG", not PRODUCTION)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION or not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DEBUG is off (DJANGO_ENV=production): "
            "set it to a long random string, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    # A development key kept in var/ so sessions survive restarts of `make run`.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "dev-secret-key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
    SECRET_KEY = key_file.read_text().strip()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is required in production: a comma-separated list of host names."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "common",
    "accounts",
    "contacts",
    "events",
    "engagements",
    "reviews",
    "search",
    "reminders",
    "voice",
    "privacy",
    "kolpage",
    "demo",
    "bench",
    "offline",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.LoginRequiredMiddleware",
    "accounts.middleware.TeamRequiredMiddleware",
    "accounts.middleware.UserTimeZoneMiddleware",
    "accounts.middleware.SessionIdleMiddleware",
    "common.middleware.PrivateResponsesMiddleware",
    "offline.middleware.OfflineUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as axes asks: turns a locked-out sign-in into our "locked out" page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kolcrm.urls"
WSGI_APPLICATION = "kolcrm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
            "builtins": ["common.templatetags.machine"],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL says otherwise.
_default_db = f"sqlite:///{VAR_DIR / 'kolcrm.sqlite3'}"
try:
    _db = dj_database_url.parse(env_str("DATABASE_URL", _default_db), conn_max_age=60)
except ValueError as error:
    raise ImproperlyConfigured(
        f"DATABASE_URL is malformed ({error}): use e.g. "
        "postgres://postgres@127.0.0.1:5432/kolcrm or sqlite:///path/to/db.sqlite3."
    ) from None
if _db["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # WAL + IMMEDIATE: the web process and a worker can write at once without "locked".
    _db["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    _db["CONN_MAX_AGE"] = 0
elif _db["ENGINE"] == "django.db.backends.postgresql":
    _db["CONN_HEALTH_CHECKS"] = True
    # JIT compilation cost more than it saved on our page queries (1.15 s of a 2.1 s board
    # query in `make bench`): the queries are short, so plan them without it.
    _db.setdefault("OPTIONS", {})["options"] = "-c jit=off"
    # Forms iterate their choices with QuerySet.iterator(), which on PostgreSQL declares a
    # server-side cursor: DECLARE, FETCH and CLOSE, three round trips for a dozen topics
    # (2.1 ms against 1.0 ms a query in `make bench`'s database). Nothing of ours streams a
    # result too big to fetch at once, so fetch every result at once.
    _db["DISABLE_SERVER_SIDE_CURSORS"] = True
else:
    raise ImproperlyConfigured(
        "DATABASE_URL must point at PostgreSQL (postgres://...) or SQLite (sqlite:///...)."
    )
if os.environ.get("TEST_DATABASE_NAME"):
    _db["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (django-axes): 5 wrong passwords for one email from one address pause
# sign-in for that pair for 15 minutes (counted from the last try); a right password before
# then clears the count. An admin clears a lock in Admin > Access attempts, or with
# `manage.py axes_reset_username <email>`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"  # the login form's field (it holds the email)
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
# How many proxies we run in front of the app (each adds to X-Forwarded-For): sign-in
# throttling and password-reset limits key on the client's address, not the proxy's.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "common.clients.client_address"
# Password reset emails: at most this many an hour for one address, and from one client.
PASSWORD_RESETS_PER_EMAIL_HOUR = 3
PASSWORD_RESETS_PER_CLIENT_HOUR = 10
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"  # managers land on what needs them (reviews.views.desk)
LOGOUT_REDIRECT_URL = "login"

# Sessions end after this much idle time: accounts.middleware.SessionIdleMiddleware renews
# the expiry while people use the app (every few minutes, not with a write per request).
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 8 * 60 * 60, minimum=600)
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS
SESSION_SAVE_EVERY_REQUEST = False

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
if TIME_ZONE not in zoneinfo.available_timezones():
    raise ImproperlyConfigured(
        f"TIME_ZONE must be an IANA time zone such as Europe/Berlin, not {TIME_ZONE!r}."
    )
# The app speaks English only. Without translation machinery every label, choice and
# date name is a plain lookup instead of a gettext call through the active language (8% of
# the function calls of a Today request). Formats still follow LANGUAGE_CODE (en-GB).
USE_I18N = False
USE_TZ = True

# Largest form body (files aside) before the 413 page of kolcrm.urls.bad_request: Django's
# 2.5 MB, far above the forms' 20,000-character notes (common.text.TEXT_MAX_CHARS).
# Imported files have their own limit (contacts.imports.MAX_BYTES, 5 MB).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Served at the site's root: the service worker (its scope is the folder it is served from)
# and the web app manifest (offline/, README: Offline and on the home screen).
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
WHITENOISE_MIMETYPES = {".webmanifest": "application/manifest+json"}
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it; collectstatic fills it
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Email: SMTP when EMAIL_HOST is set; else, with DEBUG, a readable outbox (the decoded text
# on the console, each message in var/outbox/ as .txt and .eml); else the raw console.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "KOL CRM <kolcrm@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
_email_backend = env_str(
    "EMAIL_BACKEND", "smtp" if env_str("EMAIL_HOST") else ("outbox" if DEBUG else "console")
)
_email_backends = {
    "outbox": "common.dev_mail.ReadableOutboxBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}
if _email_backend not in _email_backends:
    raise ImproperlyConfigured(
        f"EMAIL_BACKEND must be one of {', '.join(_email_backends)}, not {_email_backend!r}."
    )
if PRODUCTION and _email_backend in {"console", "locmem", "outbox"}:
    raise ImproperlyConfigured(
        "EMAIL_HOST is required in production (with EMAIL_PORT, EMAIL_HOST_USER, "
        "EMAIL_HOST_PASSWORD, EMAIL_USE_TLS as your mail server needs): otherwise password "
        "resets and reminders would never be sent."
    )
# Seconds an SMTP conversation may take (a reminder send task's hard limit counts on it).
SMTP_TIMEOUT_SECONDS = env_float("EMAIL_TIMEOUT", 10.0, minimum=0.1)
_mail_options: dict = {}
if _email_backend == "smtp":
    _mail_options = {
        "host": env_str("EMAIL_HOST", "127.0.0.1"),
        "port": env_int("EMAIL_PORT", 25, minimum=1),
        "username": env_str("EMAIL_HOST_USER", ""),
        "password": env_str("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "timeout": SMTP_TIMEOUT_SECONDS,
    }
elif _email_backend == "file":
    _mail_options = {"file_path": env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))}
elif _email_backend == "outbox":
    _mail_options = {"directory": str(VAR_DIR / "outbox")}
MAILERS = {"default": {"BACKEND": _email_backends[_email_backend], "OPTIONS": _mail_options}}

# Celery: Redis in production; locally a filesystem broker so no server is needed.
_queue_dir = VAR_DIR / "celery" / "queue"
_processed_dir = VAR_DIR / "celery" / "processed"
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if not CELERY_BROKER_URL.startswith(("redis://", "rediss://", "filesystem://", "memory://")):
    raise ImproperlyConfigured(
        "CELERY_BROKER_URL must be redis://host:port/db (or filesystem:// for local use)."
    )
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir.mkdir(parents=True, exist_ok=True)
    _processed_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_processed_dir),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# Default limits for tasks that set none (reminders.tasks and contacts.tasks set their own).
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
# The dispatcher has its own queue: a backlog of sends never delays it (or its sweep).
CELERY_TASK_ROUTES = {"reminders.tasks.dispatch_due_reminders": {"queue": "dispatch"}}
CELERY_TIMEZONE = "UTC"
# Short broker timeouts and no publish retries: a Redis outage delays a reminder (the
# dispatcher's sweep re-sends it later), it never turns a saved action into an error page.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        "max_retries": 0,
        "visibility_timeout": 60 * 60,
    }
REMINDER_DISPATCH_SECONDS = env_int("REMINDER_DISPATCH_SECONDS", 300, minimum=1)
# A send task stops taking rows after this many seconds and hands the rest back.
REMINDER_SEND_BUDGET_SECONDS = env_float("REMINDER_SEND_BUDGET_SECONDS", 45.0, minimum=0.1)
# Recording a send's outcome retries a lost database connection after this (doubling).
REMINDER_RECORD_RETRY_SECONDS = env_float("REMINDER_RECORD_RETRY_SECONDS", 0.5, minimum=0.0)
# The longest a web request waits on the broker (a frozen Redis must not hold a page).
WEB_BROKER_WAIT_SECONDS = env_float("WEB_BROKER_WAIT_SECONDS", 1.5, minimum=0.1)
CELERY_BEAT_SCHEDULE = {
    "dispatch-due-reminders": {
        "task": "reminders.tasks.dispatch_due_reminders",
        "schedule": REMINDER_DISPATCH_SECONDS,
        "options": {"queue": "dispatch"},
    },
    # Imports whose worker died go back to the queue; lost publishes are sent again.
    "sweep-imports": {"task": "contacts.tasks.sweep_imports", "schedule": 60},
}

# A KOL's personal link (voice/) stops working after this many days.
VOICE_LINK_DAYS = env_int("VOICE_LINK_DAYS", 30, minimum=1)

# Links in emails and calendar feeds are absolute: the address people reach the app at.
SITE_URL = (env_str("SITE_URL", "") or "").rstrip("/")
if PRODUCTION and not SITE_URL:
    raise ImproperlyConfigured(
        "SITE_URL is required in production (e.g. https://crm.example.com): every link in "
        "an email and in calendar feeds starts with it."
    )
SITE_URL = SITE_URL or "http://127.0.0.1:8000"
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL must start with http:// or https://, not {SITE_URL!r}.")

# Security headers. The CSP is strict everywhere: no inline scripts or styles.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
    "worker-src": [CSP.SELF],
    "manifest-src": [CSP.SELF],
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Lockouts are warnings; every successful sign-in is not worth a line.
        "axes": {"level": "WARNING"},
    },
}
