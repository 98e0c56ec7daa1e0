"""Settings come from the environment; a malformed value stops startup naming the variable.

Each case runs Django in a fresh subprocess with a controlled environment, so the values
read at import time are the ones under test. KOLCRM_VAR_DIR and STATIC_ROOT point into a
temporary folder so nothing is written into the project.
"""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

# Every variable kolcrm/settings.py reads; none of them leaks in from the outer shell.
SETTINGS_VARIABLES = {
    "ALLOWED_HOSTS",
    "CELERY_BROKER_URL",
    "CELERY_TASK_ALWAYS_EAGER",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "DEBUG",
    "DEFAULT_FROM_EMAIL",
    "DJANGO_ENV",
    "EMAIL_BACKEND",
    "EMAIL_FILE_PATH",
    "EMAIL_HOST",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_HOST_USER",
    "EMAIL_PORT",
    "EMAIL_TIMEOUT",
    "EMAIL_USE_TLS",
    "KOLCRM_VAR_DIR",
    "LOG_LEVEL",
    "SECRET_KEY",
    "SECURE_HSTS_SECONDS",
    "SECURE_SSL_REDIRECT",
    "SESSION_IDLE_SECONDS",
    "SITE_URL",
    "REMINDER_DISPATCH_SECONDS",
    "REMINDER_SEND_BUDGET_SECONDS",
    "REMINDER_RECORD_RETRY_SECONDS",
    "WEB_BROKER_WAIT_SECONDS",
    "STATIC_ROOT",
    "TEST_DATABASE_NAME",
    "TIME_ZONE",
    "TRUSTED_PROXY_COUNT",
}


# Set by tests/conftest.py for Playwright; a deployment never has it (async.E001).
TEST_ONLY_VARIABLES = {"DJANGO_ALLOW_ASYNC_UNSAFE"}


def clean_env(tmp_path, **overrides) -> dict[str, str]:
    dropped = SETTINGS_VARIABLES | TEST_ONLY_VARIABLES
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env["DJANGO_SETTINGS_MODULE"] = "kolcrm.settings"
    env["KOLCRM_VAR_DIR"] = str(tmp_path / "var")
    env["STATIC_ROOT"] = str(tmp_path / "staticfiles")
    env.update(overrides)
    return env


def run_python(tmp_path, code: str, **overrides) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        env=clean_env(tmp_path, **overrides),
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


SETUP = "import django; django.setup()"


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"SESSION_IDLE_SECONDS": "abc"}, "SESSION_IDLE_SECONDS"),
        ({"SESSION_IDLE_SECONDS": "5"}, "SESSION_IDLE_SECONDS"),
        ({"TIME_ZONE": "Mars/Olympus"}, "TIME_ZONE"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"DJANGO_ENV": "staging"}, "DJANGO_ENV"),
        ({"EMAIL_BACKEND": "pigeon"}, "EMAIL_BACKEND"),
        ({"CELERY_BROKER_URL": "amqp://x"}, "CELERY_BROKER_URL"),
        ({"DJANGO_ENV": "production"}, "SECRET_KEY"),
        (
            {"DJANGO_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(50)},
            "ALLOWED_HOSTS",
        ),
        (
            {
                "DJANGO_ENV": "production",
                "SECRET_KEY": secrets.token_urlsafe(50),
                "ALLOWED_HOSTS": "kolcrm.example.org",
            },
            "EMAIL_HOST",
        ),
        (
            {
                "DJANGO_ENV": "production",
                "SECRET_KEY": secrets.token_urlsafe(50),
                "ALLOWED_HOSTS": "kolcrm.example.org",
                "EMAIL_HOST": "smtp.example.org",
            },
            "SITE_URL",
        ),
        ({"REMINDER_SEND_BUDGET_SECONDS": "soon"}, "REMINDER_SEND_BUDGET_SECONDS"),
        ({"EMAIL_TIMEOUT": "0"}, "EMAIL_TIMEOUT"),
    ],
    ids=[
        "debug-not-a-bool",
        "idle-not-a-number",
        "idle-below-minimum",
        "unknown-time-zone",
        "unsupported-database",
        "unknown-environment",
        "unknown-email-backend",
        "unsupported-broker",
        "production-without-secret-key",
        "production-without-allowed-hosts",
        "production-without-a-mail-server",
        "production-without-site-url",
        "send-budget-not-a-number",
        "smtp-timeout-below-minimum",
    ],
)
def test_a_bad_setting_stops_startup_naming_the_variable(tmp_path, overrides, named):
    result = run_python(tmp_path, SETUP, **overrides)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr


def test_with_no_environment_it_starts_in_debug_on_sqlite(tmp_path):
    result = run_python(
        tmp_path,
        SETUP + "; from django.conf import settings; "
        "print(settings.DEBUG, settings.DATABASES['default']['ENGINE'])",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "django.db.backends.sqlite3"]
    # The generated development key lives in the var folder it was pointed at.
    assert (tmp_path / "var" / "dev-secret-key").exists()


def test_a_production_configuration_passes_the_deploy_checks(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=clean_env(
            tmp_path,
            DJANGO_ENV="production",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="kolcrm.example.org",
            SITE_URL="https://kolcrm.example.org",
            EMAIL_HOST="smtp.example.org",
        ),
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in output
