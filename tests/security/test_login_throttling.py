"""Login throttling (django-axes): 5 wrong passwords for one email from one address pause
sign-in for that pair; an admin can clear the lock; a right password before then resets."""

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
EMAIL = "ada@example.test"
HOME = "198.51.100.7"
ELSEWHERE = "203.0.113.9"


@pytest.fixture
def ada():
    return UserFactory(email=EMAIL, display_name="Ada Lovelace")


def sign_in(client: Client, password: str, *, email: str = EMAIL, ip: str = HOME):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ip)


def fail(times: int, *, email: str = EMAIL, ip: str = HOME) -> list[int]:
    client = Client()
    return [sign_in(client, "wrong-guess", email=email, ip=ip).status_code for _ in range(times)]


def assert_locked_out(response) -> None:
    page = response.content.decode()
    assert response.status_code == 429
    assert "Sign-in paused" in page
    assert "after 5 failed attempts" in page
    assert "paused for 15 minutes" in page
    assert "Ask your KOL CRM administrator" in page
    assert "_auth_user_id" not in response.wsgi_request.session


def test_it_pauses_sign_in_after_five_wrong_passwords_even_with_the_right_one(ada):
    # The first four answer with the form again; the fifth already shows the pause.
    assert fail(5) == [200, 200, 200, 200, 429]
    client = Client()
    response = sign_in(client, PASSWORD)
    assert_locked_out(response)
    assert EMAIL in response.content.decode()
    # The page is ours: the base layout, no inline script (the strict CSP applies).
    assert "Skip to content" in response.content.decode()
    assert client.get("/today/").status_code == 302


def test_it_counts_email_and_address_together(ada):
    fail(5)
    # The same person from another network, and another person from the same one, get in.
    assert sign_in(Client(), PASSWORD, ip=ELSEWHERE).status_code == 302
    UserFactory(email="grace@example.test")
    assert sign_in(Client(), PASSWORD, email="grace@example.test").status_code == 302


def test_the_right_password_before_the_limit_resets_the_count(ada):
    assert fail(4) == [200] * 4
    assert sign_in(Client(), PASSWORD).status_code == 302
    # Four more wrong ones are not the fifth and beyond: the count started again.
    assert fail(4) == [200] * 4
    assert sign_in(Client(), PASSWORD).status_code == 302


def test_the_password_is_not_stored_with_the_failed_attempt(ada):
    fail(1)
    attempt = AccessAttempt.objects.get(username=EMAIL)
    assert "wrong-guess" not in attempt.post_data


def test_an_admin_clears_the_lock_in_the_admin(ada):
    fail(5)
    attempt = AccessAttempt.objects.get(username=EMAIL, ip_address=HOME)
    assert attempt.failures_since_start == 5
    root = client_for(UserFactory(email="root@example.test", is_staff=True, is_superuser=True))
    changelist = root.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert EMAIL in changelist
    delete = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert root.post(delete, {"post": "yes"}).status_code == 302
    assert not AccessAttempt.objects.exists()
    assert sign_in(Client(), PASSWORD).status_code == 302


def test_the_reset_command_clears_the_lock(ada):
    fail(5)
    assert_locked_out(sign_in(Client(), PASSWORD))
    call_command("axes_reset_username", EMAIL)
    assert sign_in(Client(), PASSWORD).status_code == 302


def test_the_admin_login_is_throttled_too(ada):
    ada.is_staff = True
    ada.save()
    client = Client()
    for _ in range(5):
        client.post("/admin/login/", {"username": EMAIL, "password": "wrong-guess"})
    response = client.post("/admin/login/", {"username": EMAIL, "password": PASSWORD})
    assert response.status_code == 429
    assert "Sign-in paused" in response.content.decode()


def test_a_test_client_login_needs_a_request_to_pass_the_throttle(ada):
    # Axes refuses to judge an attempt it cannot place; Client.login passes no request.
    assert Client().login(request=HttpRequest(), username=EMAIL, password=PASSWORD)
