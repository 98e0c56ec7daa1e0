"""Security headers and cookies on real responses with the production settings.

The settings are read at import time, so a subprocess starts Django with DJANGO_ENV=production
(as tests/accounts/test_settings.py does), migrates a SQLite database and collects the static
files (the production storage needs the manifest), signs in through the login form over HTTPS
and reports what each response carried.
"""

import json
import re
import secrets

import pytest

from tests.accounts.test_settings import run_python

SCRIPT = """
import json
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("collectstatic", interactive=False, verbosity=0)
from django.test import Client
from accounts.models import Membership, Team, User
ada = User.objects.create_user(
    "ada@example.test", "a-long-enough-password-2026", display_name="Ada"
)
Membership.objects.create(team=Team.objects.create(name="Team A"), user=ada)

def seen(response):
    cookies = {
        name: {
            "secure": bool(morsel["secure"]),
            "httponly": bool(morsel["httponly"]),
            "samesite": morsel["samesite"],
        }
        for name, morsel in response.cookies.items()
    }
    return {"status": response.status_code, "headers": dict(response.items()), "cookies": cookies}

client = Client()
report = {
    "plain_http": seen(client.get("/accounts/login/")),
    "login_page": seen(client.get("/accounts/login/", secure=True)),
    "signing_in": seen(client.post(
        "/accounts/login/",
        {"username": "ada@example.test", "password": "a-long-enough-password-2026"},
        secure=True,
    )),
    "my_kols": seen(client.get("/kols/", secure=True)),
}
print("REPORT " + json.dumps(report))
"""


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> dict:
    tmp_path = tmp_path_factory.mktemp("production")
    result = run_python(
        tmp_path,
        SCRIPT,
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="testserver",
        SITE_URL="https://testserver",
        EMAIL_HOST="smtp.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("REPORT "))
    return json.loads(line.removeprefix("REPORT "))


def directives(csp: str) -> dict[str, list[str]]:
    parsed = {}
    for part in csp.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def test_it_sends_plain_http_to_https(report):
    response = report["plain_http"]
    assert response["status"] == 301
    assert response["headers"]["Location"] == "https://testserver/accounts/login/"


def test_it_signs_in_over_https_and_opens_a_signed_in_page(report):
    assert report["login_page"]["status"] == 200
    assert report["signing_in"]["status"] == 302
    assert report["my_kols"]["status"] == 200


@pytest.mark.parametrize("page", ["login_page", "signing_in", "my_kols"])
def test_every_response_carries_the_security_headers(report, page):
    headers = report[page]["headers"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    hsts = headers["Strict-Transport-Security"]
    max_age = int(re.search(r"max-age=(\d+)", hsts).group(1))
    assert max_age >= 60 * 60 * 24 * 365
    assert "includeSubDomains" in hsts and "preload" in hsts
    assert "Cross-Origin-Opener-Policy" in headers


@pytest.mark.parametrize("page", ["login_page", "my_kols"])
def test_the_content_security_policy_allows_no_inline_code(report, page):
    csp = directives(report[page]["headers"]["Content-Security-Policy"])
    for name in ("default-src", "script-src", "style-src"):
        assert "'unsafe-inline'" not in csp[name] and "'unsafe-eval'" not in csp[name]
    assert csp["default-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["script-src"][0] == "'self'"
    assert [value for value in csp["script-src"][1:] if not value.startswith("'nonce-")] == []
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]


def test_the_cookies_are_secure_and_same_site(report):
    csrf = report["login_page"]["cookies"]["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"
    session = report["signing_in"]["cookies"]["sessionid"]
    assert session == {"secure": True, "httponly": True, "samesite": "Lax"}
