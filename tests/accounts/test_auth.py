"""Signing in and out, password reset and change, sessions, security headers, CSRF, admin."""

import re

import pytest
from django.conf import settings
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from accounts.models import User
from contacts.models import Kol
from tests.conftest import HTMX, client_for
from tests.factories import PASSWORD, MembershipFactory, UserFactory

NEW_PASSWORD = "a-brand-new-pass-2026"


# --- Everything but the public pages needs a login ------------------------------------------


@pytest.mark.django_db
def test_an_anonymous_page_request_is_sent_to_the_login_page():
    response = Client().get("/kols/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/kols/"


@pytest.mark.django_db
def test_an_anonymous_htmx_request_gets_a_full_page_redirect_back_to_where_it_was():
    response = Client().get(
        "/kols/5/stage/", **HTMX, HTTP_HX_CURRENT_URL="http://testserver/kols/5/"
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=/kols/5/"
    assert b"Sign in" not in response.content  # no login form swapped into a part


@pytest.mark.django_db
def test_the_public_pages_work_without_a_login():
    client = Client()
    health = client.get("/health/live/")
    assert health.status_code == 200 and health.content == b"ok"
    assert client.get("/health/").status_code in {200, 503}  # 503: reminders stuck
    for url in ["/accounts/login/", "/accounts/password-reset/", "/accounts/password-reset/sent/"]:
        assert client.get(url).status_code == 200, url


# --- Signing in ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_login_page_renders_a_form():
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sign in" in page
    assert re.search(r'<input[^>]*type="password"', page)
    assert re.search(r'name="csrfmiddlewaretoken" value="[^"]+"', page)


@pytest.mark.django_db
def test_signing_in_with_email_and_password_opens_today():
    user = UserFactory(email="ada@example.test")
    MembershipFactory(user=user)  # someone in no team gets the page saying so instead
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "ada@example.test", "password": PASSWORD}
    )
    # Home sends an MSL to Today (a manager to what needs them: tests/reviews/test_landing.py).
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/")["Location"] == "/today/"
    assert client.get("/today/").status_code == 200
    assert int(client.session["_auth_user_id"]) == user.pk


@pytest.mark.django_db
def test_signing_in_returns_to_the_page_asked_for(kol):
    client = Client()
    response = client.post(
        "/accounts/login/",
        {"username": kol.owner.email, "password": PASSWORD, "next": f"/kols/{kol.pk}/"},
    )
    assert response.status_code == 302 and response["Location"] == f"/kols/{kol.pk}/"


@pytest.mark.django_db
def test_a_wrong_password_shows_the_form_again_with_a_message():
    UserFactory(email="ada@example.test")
    client = Client()
    response = client.post("/accounts/login/", {"username": "ada@example.test", "password": "nope"})
    assert response.status_code == 200
    assert "That email and password do not match" in response.content.decode()
    assert "_auth_user_id" not in client.session


# --- Password reset -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_password_reset_email_lets_the_user_choose_a_new_password(mailoutbox):
    user = UserFactory(email="ada@example.test", display_name="Ada Lovelace")
    client = Client()
    response = client.post("/accounts/password-reset/", {"email": "ada@example.test"}, follow=True)
    assert response.status_code == 200 and "Check your email" in response.content.decode()
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["ada@example.test"]
    assert mail.subject == "Reset your KOL CRM password"
    assert "Hello Ada," in mail.body
    match = re.search(r"http://testserver(/accounts/reset/[^/\s]+/[^/\s]+/)", mail.body)
    assert match, mail.body

    # The link hides the token in the session and redirects to a set-password URL.
    landing = client.get(match.group(1))
    assert landing.status_code == 302
    set_password_url = landing["Location"]
    form = client.get(set_password_url)
    assert form.status_code == 200 and "Choose a new password" in form.content.decode()

    done = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302 and done["Location"] == "/accounts/reset/done/"
    assert "Password set" in client.get(done["Location"]).content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(PASSWORD)

    # The link works once.
    again = Client().get(match.group(1), follow=True)
    assert "This link no longer works" in again.content.decode()


@pytest.mark.django_db
def test_an_unknown_email_gets_the_same_answer_and_no_mail(mailoutbox):
    UserFactory(email="ada@example.test")
    response = Client().post(
        "/accounts/password-reset/", {"email": "nobody@example.test"}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain == [("/accounts/password-reset/sent/", 302)]
    assert "Check your email" in response.content.decode()
    assert mailoutbox == []


# --- Signing out and changing the password -----------------------------------------------------


def test_logout_is_post_only_and_ends_the_session(owner_client):
    assert owner_client.get("/accounts/logout/").status_code == 405
    assert owner_client.get("/kols/").status_code == 200  # a GET did not sign out
    response = owner_client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    after = owner_client.get("/kols/")
    assert after.status_code == 302 and after["Location"] == "/accounts/login/?next=/kols/"


@pytest.mark.django_db
def test_the_password_change_page_needs_a_login():
    response = Client().get("/accounts/password-change/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/password-change/"


def test_a_signed_in_user_can_change_their_password(owner_client, owner):
    page = owner_client.get("/accounts/password-change/")
    assert page.status_code == 200 and "Change your password" in page.content.decode()
    response = owner_client.post(
        "/accounts/password-change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password-change/done/"
    assert "Password changed" in owner_client.get(response["Location"]).content.decode()
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)
    assert owner_client.get("/kols/").status_code == 200  # still signed in


def test_a_wrong_old_password_changes_nothing(owner_client, owner):
    response = owner_client.post(
        "/accounts/password-change/",
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)


# --- Sessions -------------------------------------------------------------------------------------


def test_sessions_expire_after_the_idle_time_by_default():
    assert settings.SESSION_IDLE_SECONDS == 8 * 60 * 60
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_SECONDS
    # Renewed by SessionIdleMiddleware every few minutes, not written on every request.
    assert settings.SESSION_SAVE_EVERY_REQUEST is False


@pytest.mark.django_db
def test_the_session_cookie_lasts_the_idle_time_and_is_renewed_while_in_use():
    import time_machine

    UserFactory(email="ada@example.test")
    client = Client()
    with time_machine.travel("2026-11-23 09:00Z", tick=False):
        client.post("/accounts/login/", {"username": "ada@example.test", "password": PASSWORD})
        assert int(client.cookies["sessionid"]["max-age"]) == 28800
        assert client.cookies["sessionid"]["httponly"]
        assert "sessionid" not in client.get("/kols/").cookies  # no write a moment later
    with time_machine.travel("2026-11-23 09:06Z", tick=False):
        renewed = client.get("/kols/")
        assert int(renewed.cookies["sessionid"]["max-age"]) == 28800  # in use: renewed
    with time_machine.travel("2026-11-23 17:07Z", tick=False):
        # More than 8 idle hours after the last renewal: signed out.
        assert client.get("/kols/").status_code == 302


# --- Security headers and a strict CSP --------------------------------------------------------


def assert_strict_page(response):
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self' 'nonce-" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    page = response.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", page, re.S)
    assert scripts
    # Every script is a file of ours; htmx's carries the nonce; none has a body.
    assert all(re.search(r'\ssrc="/static/', attrs) and not body.strip() for attrs, body in scripts)
    assert any(f'nonce="{nonce}"' in attrs for attrs, _ in scripts)
    assert not re.search(r"\sstyle\s*=", page)
    assert "hx-on" not in page


def test_security_headers_on_my_kols(owner_client, kol):
    response = owner_client.get("/kols/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert_strict_page(response)


def test_the_kol_page_has_no_inline_scripts_or_styles(owner_client, kol):
    assert_strict_page(owner_client.get(reverse("kol:kol_detail", args=[kol.pk])))


@pytest.mark.django_db
def test_the_login_page_has_no_inline_scripts_or_styles():
    assert_strict_page(Client().get("/accounts/login/"))


def test_each_response_gets_a_fresh_nonce(owner_client):
    first = owner_client.get("/kols/")["Content-Security-Policy"]
    second = owner_client.get("/kols/")["Content-Security-Policy"]
    assert re.search(r"'nonce-([^']+)'", first).group(1) != re.search(
        r"'nonce-([^']+)'", second
    ).group(1)


# --- CSRF -------------------------------------------------------------------------------------


def test_a_post_without_the_csrf_token_is_refused(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    page = client.get(reverse("contacts:kol_create")).content.decode()
    token = re.search(r"""hx-headers='\{"x-csrftoken": "([^"]+)"\}'""", page).group(1)
    assert "csrftoken" in client.cookies
    data = {"name": "Dr Grace Hopper", "cadence_days": 60, "stage": "developing"}

    refused = client.post(reverse("contacts:kol_create"), data)
    assert refused.status_code == 403
    assert not Kol.objects.filter(name="Dr Grace Hopper").exists()

    accepted = client.post(reverse("contacts:kol_create"), data, HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 302
    kol = Kol.objects.get(name="Dr Grace Hopper")
    assert accepted["Location"] == f"/kols/{kol.pk}/"
    assert kol.owner == owner


# --- The Django admin ---------------------------------------------------------------------------

REGISTERED = sorted(
    (
        (model._meta.app_label, model._meta.model_name, model_admin)
        for model, model_admin in admin.site._registry.items()
    ),
    key=lambda row: row[:2],
)


@pytest.fixture
def admin_client(kol, manager, teammate):
    """A superuser, with some rows in the tables so the changelists render them."""
    from contacts import services

    services.kol_create(by=teammate, data={"name": "Dr Grace Hopper", "cadence_days": 60})
    return client_for(UserFactory(email="root@example.test", is_staff=True, is_superuser=True))


@pytest.mark.parametrize(
    ("app_label", "model_name", "model_admin"),
    REGISTERED,
    ids=[f"{app}.{model}" for app, model, _ in REGISTERED],
)
def test_the_admin_opens_every_registered_model(admin_client, app_label, model_name, model_admin):
    changelist = reverse(f"admin:{app_label}_{model_name}_changelist")
    assert admin_client.get(changelist).status_code == 200
    add = admin_client.get(reverse(f"admin:{app_label}_{model_name}_add")).status_code
    # Read-only: the History and what it records (KOLs, stages, collaborators, interests,
    # goals: the app's services write them), team invitations (the People page's) and the
    # login-throttle records.
    read_only = {"auditentry", "kol", "stagechange", "collaborator", "interest", "goal"}
    read_only |= {"invitation"}
    assert add == (403 if model_name in read_only or app_label == "axes" else 200)
    if model_admin.search_fields:
        assert admin_client.get(changelist, {"q": "x"}).status_code == 200


def test_the_admin_user_search_finds_by_email(admin_client):
    response = admin_client.get(reverse("admin:accounts_user_changelist"), {"q": "manager@"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Mona Manager" in page and "Olivia Owner" not in page


def test_the_admin_opens_a_kol_and_a_user(admin_client, kol, owner):
    assert admin_client.get(reverse("admin:contacts_kol_change", args=[kol.pk])).status_code == 200
    assert (
        admin_client.get(reverse("admin:accounts_user_change", args=[owner.pk])).status_code == 200
    )


def test_the_admin_is_closed_to_non_staff(owner_client):
    response = owner_client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert User.objects.filter(is_staff=True).count() == 0
