"""Issue 15, "Sign-in and headers": each item as the request an attacker would send."""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from accounts.models import PasswordResetRequest
from contacts.models import Collaborator
from reminders.tokens import email_links_revoke, unsubscribe_token
from tests.conftest import client_for
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

RESET = "/accounts/password-reset/"
LOGIN = "/accounts/login/"


# Password reset limits ------------------------------------------------------------------


def test_it_sends_one_address_at_most_three_reset_emails_an_hour(mailoutbox):
    UserFactory(email="victim@example.test")
    answers = [
        Client().post(RESET, {"email": "victim@example.test"}, REMOTE_ADDR=f"198.51.100.{n}")
        for n in range(10)
    ]
    # Every answer looks the same (nothing disclosed); only three emails went out.
    assert {a.status_code for a in answers} == {302}
    assert {a["Location"] for a in answers} == {reverse("password_reset_done")}
    assert len(mailoutbox) == 3
    assert PasswordResetRequest.objects.filter(email="victim@example.test").count() == 10


def test_one_client_asking_for_many_addresses_is_stopped(mailoutbox):
    for n in range(12):
        UserFactory(email=f"user{n}@example.test")
    client = Client()
    codes = [
        client.post(RESET, {"email": f"user{n}@example.test"}, REMOTE_ADDR="203.0.113.5")
        for n in range(12)
    ]
    assert [c.status_code for c in codes] == [302] * 10 + [429, 429]
    assert "Too many reset requests" in codes[-1].content.decode()
    assert len(mailoutbox) == 10
    # Another client is not affected.
    other = Client().post(RESET, {"email": "user11@example.test"}, REMOTE_ADDR="192.0.2.1")
    assert other.status_code == 302 and len(mailoutbox) == 11


def test_the_limits_end_after_an_hour(mailoutbox):
    UserFactory(email="victim@example.test")
    with time_machine.travel(datetime.datetime(2026, 12, 3, 9, 0, tzinfo=datetime.UTC)):
        for _ in range(4):
            Client().post(RESET, {"email": "victim@example.test"})
    assert len(mailoutbox) == 3
    with time_machine.travel(datetime.datetime(2026, 12, 3, 10, 1, tzinfo=datetime.UTC)):
        Client().post(RESET, {"email": "victim@example.test"})
    assert len(mailoutbox) == 4


# The client's address behind our proxy ---------------------------------------------------


def test_behind_one_proxy_a_lockout_hits_only_the_attackers_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    ada = UserFactory(email="ada@example.test")
    proxy = "10.0.0.2"
    attacker = Client()
    for _ in range(5):
        attacker.post(
            LOGIN,
            {"username": ada.email, "password": "wrong"},
            REMOTE_ADDR=proxy,
            # The attacker forges an entry; our proxy appends the address it really saw.
            HTTP_X_FORWARDED_FOR="192.0.2.77, 203.0.113.66",
        )
    assert AccessAttempt.objects.get().ip_address == "203.0.113.66"
    ada_signs_in = Client().post(
        LOGIN,
        {"username": ada.email, "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )
    assert ada_signs_in.status_code == 302  # not locked out by someone else's guesses


def test_without_a_trusted_proxy_a_forged_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    ada = UserFactory(email="ada@example.test")
    for n in range(5):
        Client().post(
            LOGIN,
            {"username": ada.email, "password": "wrong"},
            REMOTE_ADDR="203.0.113.66",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",  # a new "address" each time: ignored
        )
    locked = Client().post(
        LOGIN, {"username": ada.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.66"
    )
    assert locked.status_code == 429


# Personal data is not cached; partials vary -------------------------------------------------


def test_signed_in_pages_and_exports_are_private_and_never_stored(owner, kol):
    client = client_for(owner)
    for url in [
        reverse("engagements:today"),
        reverse("kol:kol_detail", args=[kol.pk]),
        reverse("contacts:kol_export_csv"),
        reverse("contacts:kol_export_xlsx"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "private" in response["Cache-Control"], url
        assert "no-store" in response["Cache-Control"], url
        assert "HX-Request" in response["Vary"], url


def test_a_partial_and_its_page_vary_on_hx_request(owner):
    response = client_for(owner).get(reverse("engagements:today"), HTTP_HX_REQUEST="true")
    assert "HX-Request" in response["Vary"]
    assert "HX-Request" in Client().get(LOGIN)["Vary"]


# Sharing a KOL stays within the owner's teams ----------------------------------------------


def test_the_collaborator_picker_offers_only_the_owners_teammates(owner, teammate, outsider, kol):
    client = client_for(owner)
    page = client.get(reverse("kol:kol_detail", args=[kol.pk]), {"open": "collaborator"})
    html = page.content.decode()
    assert teammate.display_name in html and outsider.display_name not in html
    response = client.post(
        reverse("kol:collaborator_add", args=[kol.pk]),
        {"user": outsider.pk, "role": "msl"},
    )
    assert response.status_code == 422
    assert not Collaborator.objects.filter(kol=kol, user=outsider).exists()


# Unsubscribe links: 90 days, and revocable --------------------------------------------------


def test_an_unsubscribe_link_stops_after_90_days(owner):
    with time_machine.travel(datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)):
        token = unsubscribe_token(owner, "digest")
    with time_machine.travel(datetime.datetime(2026, 4, 5, tzinfo=datetime.UTC)):
        response = Client().post(reverse("unsubscribe", args=[token]))
    assert response.status_code == 400
    owner.refresh_from_db()
    assert owner.digest_enabled


def test_old_email_links_stop_working_when_the_person_says_so(owner):
    token = unsubscribe_token(owner, "digest")
    response = client_for(owner).post(reverse("email_links_stop"))
    assert response.status_code == 302
    assert Client().post(reverse("unsubscribe", args=[token])).status_code == 400
    owner.refresh_from_db()
    assert owner.digest_enabled
    fresh = unsubscribe_token(owner, "digest")
    assert Client().post(reverse("unsubscribe", args=[fresh])).status_code == 200


def test_revoking_is_a_service_too(owner):
    before = owner.email_links_version
    email_links_revoke(user=owner)
    assert owner.email_links_version == before + 1
