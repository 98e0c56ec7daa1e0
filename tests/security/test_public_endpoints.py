"""What the public endpoints (kolcrm.urls.public_urlpatterns) must refuse.

The test walks the list itself: a new public endpoint fails until REFUSALS says what it
refuses. Refusals are a 404 or a clear "this link is not valid" page that shows no data
and changes nothing. Static files are served by WhiteNoise, without path traversal.
"""

import datetime
import re
from types import SimpleNamespace

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import Membership, User
from contacts import services as contact_services
from kolcrm.urls import public_urlpatterns
from reminders.calendar import calendar_link_replace, new_token
from reminders.tokens import UNSUBSCRIBE_SALT, unsubscribe_token
from reviews.models import Invitation
from reviews.services import invitations
from reviews.services import team as team_services
from reviews.tokens import INVITE_SALT, invite_token
from tests.engagements.factories import FollowUpFactory
from tests.factories import PASSWORD, MembershipFactory, TeamFactory, UserFactory
from voice import services as voice_services
from voice.tokens import VOICE_SALT, voice_token

KOL_NAME = "Dr Zebedee Quistgaard"
NEW_PASSWORD = "a-brand-new-pass-2026"


@pytest.fixture
def people(db) -> SimpleNamespace:
    team = TeamFactory(name="Team A")
    owner = UserFactory(email="owner@example.test", display_name="Olivia Owner")
    MembershipFactory(team=team, user=owner)
    kol = contact_services.kol_create(by=owner, data={"name": KOL_NAME, "cadence_days": 90})
    FollowUpFactory(kol=kol, owner=owner, text="Send the registry protocol")
    owner.calendar_token = new_token()
    owner.save(update_fields=["calendar_token"])
    manager = UserFactory(email="manager@example.test", display_name="Mona Manager")
    MembershipFactory(team=team, user=manager, role=Membership.Role.MANAGER)
    invitation = invitations.member_invite(
        by=manager, team=team, email="invitee@example.test", display_name="Ivy Invitee", role="msl"
    )
    gone = UserFactory(email="gone@example.test", display_name="Gus Gone", is_active=False)
    return SimpleNamespace(
        owner=owner,
        kol=kol,
        team=team,
        manager=manager,
        invitation=invitation,
        invitee=invitation.user,
        gone=gone,
    )


def shows_nothing_of(body: str, *users: User) -> bool:
    private = [KOL_NAME, "BEGIN:VCALENDAR"]
    for user in users:
        private += [user.email, user.display_name]
    return not any(value in body for value in private)


def tamper(token: str) -> str:
    """The same token with one character of its signature changed."""
    last = token[-1]
    return token[:-1] + ("A" if last != "A" else "B")


# --- Each public endpoint and what it refuses -------------------------------------------------


def refuses_bad_sign_ins(people):
    def sign_in(email, password):
        client = Client()
        response = client.post(reverse("login"), {"username": email, "password": password})
        return response, client

    wrong, client = sign_in(people.owner.email, "wrong-password")
    assert wrong.status_code == 200
    assert "That email and password do not match" in wrong.content.decode()
    assert "_auth_user_id" not in client.session
    # An unknown email and a deactivated account get the very same answer: no enumeration.
    for email, password in [("nobody@example.test", "whatever"), (people.gone.email, PASSWORD)]:
        response, client = sign_in(email, password)
        assert response.status_code == 200, email
        assert "That email and password do not match" in response.content.decode(), email
        assert "_auth_user_id" not in client.session, email
    # An invited person has no password until they accept: nothing signs them in.
    response, client = sign_in(people.invitee.email, "")
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    # A right password never follows a `next` to another site.
    response = Client().post(
        reverse("login"),
        {"username": people.owner.email, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("home")


def refuses_to_disclose_accounts_on_reset(people, mailoutbox):
    def ask(email):
        return Client().post(reverse("password_reset"), {"email": email}, follow=True)

    known = ask(people.owner.email)
    assert len(mailoutbox) == 1
    for email in ["nobody@example.test", people.gone.email, people.invitee.email]:
        other = ask(email)
        assert other.redirect_chain == known.redirect_chain, email
        # The same page, but for the per-response nonce and CSRF token.
        assert without_secrets(other) == without_secrets(known), email
    assert len(mailoutbox) == 1, [mail.to for mail in mailoutbox]


def without_secrets(response) -> str:
    page = response.content.decode()
    page = re.sub(r'nonce="[^"]*"', 'nonce=""', page)
    return re.sub(r'(csrfmiddlewaretoken" value|x-csrftoken": )"[^"]*"', r"\1", page)


def shows_no_data(name):
    def check(people):
        for client in [Client(), signed_in(people.owner)]:
            response = client.get(reverse(name))
            assert response.status_code == 200
            assert shows_nothing_of(response.content.decode(), people.owner)
        assert Client().post(reverse(name)).status_code == 405

    return check


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def refuses_bad_reset_links(people):
    owner = people.owner
    uid = urlsafe_base64_encode(force_bytes(owner.pk))
    with time_machine.travel(
        timezone.now() - datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 3600)
    ):
        expired = default_token_generator.make_token(owner)
    good = default_token_generator.make_token(owner)
    links = {
        "tampered": (uid, tamper(good)),
        "expired": (uid, expired),
        "another user's uid": (urlsafe_base64_encode(force_bytes(people.gone.pk)), good),
        "garbage uid": ("Zm9v", good),
        "unknown uid": (urlsafe_base64_encode(force_bytes(999999)), good),
        "no session behind set-password": (uid, "set-password"),
    }
    for label, (uidb64, token) in links.items():
        url = reverse("password_reset_confirm", kwargs={"uidb64": uidb64, "token": token})
        for method in ("get", "post"):
            client = Client()
            data = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
            response = getattr(client, method)(url, data, follow=True)
            page = response.content.decode()
            assert response.status_code == 200, (label, method)
            assert "This link no longer works" in page, (label, method)
            assert 'type="password"' not in page, (label, method)
            assert shows_nothing_of(page, owner), (label, method)
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD) and not owner.check_password(NEW_PASSWORD)


def health_shows_no_data(people):
    """An uptime monitor's page: whether reminders flow, never whose (both answers)."""
    from reminders import services

    for client in [Client(), signed_in(people.owner)]:
        response = client.get(reverse("health"))
        assert response.status_code == 503  # the dispatcher never ran here
        assert shows_nothing_of(response.content.decode(), people.owner)
    services.dispatch_due_reminders()
    response = Client().get(reverse("health"))
    assert response.status_code == 200 and response.json() == {"ok": True, "problems": []}
    assert Client().post(reverse("health")).status_code == 405


def live_shows_no_data(people):
    response = Client().get(reverse("health_live"))
    assert (response.status_code, response.content) == (200, b"ok")
    assert response["Content-Type"].startswith("text/plain")
    assert Client().post(reverse("health_live")).status_code == 405


def refuses_bad_unsubscribe_links(people):
    owner = people.owner
    with time_machine.travel(timezone.now() - datetime.timedelta(days=366)):
        expired = unsubscribe_token(owner, "digest")
    tokens = {
        "tampered": tamper(unsubscribe_token(owner, "digest")),
        "expired": expired,
        "signed for another purpose": signing.dumps(
            {"u": owner.pk, "k": "digest"}, salt=INVITE_SALT, compress=True
        ),
        "unsigned": signing.dumps({"u": owner.pk, "k": "digest"}, salt=UNSUBSCRIBE_SALT).rsplit(
            ":", 2
        )[0],
        "unknown kind": signing.dumps({"u": owner.pk, "k": "everything"}, salt=UNSUBSCRIBE_SALT),
        "not a dict": signing.dumps([owner.pk, "digest"], salt=UNSUBSCRIBE_SALT),
        "unknown user": signing.dumps({"u": 999999, "k": "digest"}, salt=UNSUBSCRIBE_SALT),
        "deactivated user": unsubscribe_token(people.gone, "digest"),
        "an invitation token": invite_token(people.invitation),
        "garbage": "not-a-token",
    }
    for label, token in tokens.items():
        url = reverse("unsubscribe", kwargs={"token": token})
        for method in ("get", "post"):
            response = getattr(Client(), method)(url)
            page = response.content.decode()
            assert response.status_code in (400, 404), (label, method, response.status_code)
            assert "This link is not valid" in page, (label, method)
            assert shows_nothing_of(page, owner, people.gone), (label, method)
    owner.refresh_from_db()
    people.gone.refresh_from_db()
    assert owner.digest_enabled and people.gone.digest_enabled
    # The link itself works, so the refusals above are about the token.
    good = reverse("unsubscribe", kwargs={"token": unsubscribe_token(owner, "digest")})
    assert Client().post(good).status_code == 200
    owner.refresh_from_db()
    assert not owner.digest_enabled


def refuses_bad_calendar_links(people):
    owner = people.owner
    old = owner.calendar_token
    calendar_link_replace(user=owner)
    gone = people.gone
    gone.calendar_token = new_token()
    gone.save(update_fields=["calendar_token"])
    tokens = {
        "empty": "",
        "too short": "abc",
        "unknown": new_token(),
        "revoked": old,
        "other case": owner.calendar_token.swapcase(),
        "with a space": owner.calendar_token[:-1] + " ",
        "deactivated user": gone.calendar_token,
        "an unsubscribe token": unsubscribe_token(owner, "digest"),
    }
    for label, token in tokens.items():
        url = f"/calendar/{token}.ics"
        response = Client().get(url)
        page = response.content.decode()
        assert response.status_code == 404, (label, response.status_code)
        assert not response["Content-Type"].startswith("text/calendar"), label
        assert "This link is not valid" in page, label
        assert shows_nothing_of(page, owner, gone), label
    good = reverse("calendar_feed", kwargs={"token": owner.calendar_token})
    feed = Client().get(good)
    assert feed.status_code == 200 and "Send the registry protocol" in feed.content.decode()
    assert feed["Cache-Control"] == "private, no-store"
    # Read only: a POST is refused before the token is even read.
    assert Client().post(good).status_code == 405


def refuses_bad_invitations(people):
    """Tampered or foreign tokens, and every state of the row that is not "pending"
    (used, declined, withdrawn, expired, the person removed, the account deactivated)."""
    invitee, manager, team = people.invitee, people.manager, people.team

    def invited(email: str, name: str, role: str = "msl") -> Invitation:
        return invitations.member_invite(
            by=manager, team=team, email=email, display_name=name, role=role
        )

    with time_machine.travel(timezone.now() - datetime.timedelta(days=8)):
        expired = invite_token(invited("late@example.test", "Lee Late"))
    used = invited("used@example.test", "Una Used")
    invitations.invitation_accept(invitation=used, user=used.user, password=PASSWORD)
    withdrawn = invited("withdrawn@example.test", "Wes Withdrawn")
    invitations.invitation_revoke(by=manager, invitation=withdrawn)
    declined = invited(UserFactory(display_name="Dee Declined").email, "")
    invitations.invitation_decline(invitation=declined, user=declined.user)
    # Joined with one link; a second one (another role) dies when they are removed.
    joined = invited("joined@example.test", "Jo Joined")
    invitations.invitation_accept(invitation=joined, user=joined.user, password=PASSWORD)
    second = invited("joined@example.test", "", role="manager")
    team_services.member_remove(by=manager, team=team, user=joined.user)
    staffed = invited("staffed@example.test", "Sy Staffed")
    invitations.invitation_accept(invitation=staffed, user=staffed.user, password=PASSWORD)
    again = invited("staffed@example.test", "", role="manager")
    User.objects.filter(pk=again.user_id).update(is_active=False)  # staff, in the admin
    good = invite_token(people.invitation)
    others = [used.user, withdrawn.user, declined.user, joined.user, staffed.user]
    tokens = {
        "tampered": tamper(good),
        "expired": expired,
        "used": invite_token(used),
        "withdrawn": invite_token(withdrawn),
        "declined": invite_token(declined),
        "withdrawn by removing the person": invite_token(second),
        "for an account staff deactivated": invite_token(again),
        "signed for another purpose": signing.dumps(
            {"i": people.invitation.pk, "c": 0}, salt=UNSUBSCRIBE_SALT
        ),
        "forged creation stamp": signing.dumps(
            {"i": people.invitation.pk, "c": 0}, salt=INVITE_SALT
        ),
        "id as text": signing.dumps({"i": str(people.invitation.pk)}, salt=INVITE_SALT),
        "unknown invitation": signing.dumps({"i": 999999, "c": 0}, salt=INVITE_SALT),
        "an old-style user token": signing.dumps(
            {"u": invitee.pk, "h": "0" * 20}, salt=INVITE_SALT, compress=True
        ),
        "an unsubscribe token": unsubscribe_token(people.owner, "digest"),
        "garbage": "not-a-token",
    }
    data = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    for label, token in tokens.items():
        url = reverse("team_join", kwargs={"token": token})
        for method in ("get", "post"):
            client = Client()
            response = getattr(client, method)(url, data)
            page = response.content.decode()
            assert response.status_code in (400, 404), (label, method, response.status_code)
            assert "This link is not valid" in page, (label, method)
            assert 'type="password"' not in page, (label, method)
            assert shows_nothing_of(page, invitee, *others, people.owner), (label, method)
            assert "_auth_user_id" not in client.session, (label, method)
    invitee.refresh_from_db()
    assert not invitee.is_active and not invitee.has_usable_password()
    refused = [invitee, withdrawn.user, declined.user, joined.user]
    assert not Membership.objects.filter(user__in=refused).exists()
    assert not User.objects.get(pk=again.user_id).is_active
    assert set(Membership.objects.filter(user=staffed.user).values_list("role", flat=True)) == {
        "msl"
    }
    # A good link works once: after use, the same link is refused.
    good_url = reverse("team_join", kwargs={"token": good})
    assert Client().post(good_url, data).status_code == 302
    assert Membership.objects.filter(user=invitee, team=team).exists()
    again = Client().get(good_url)
    assert again.status_code == 400 and "This link is not valid" in again.content.decode()


def refuses_bad_kol_links(people):
    """The KOL's personal link (voice/): tampered, expired, revoked, another KOL's, signed
    for another purpose, consent withdrawn; GET and POST find nothing and write nothing.
    tests/voice/test_public_page.py walks more of them against every part."""
    cache.clear()  # the page's rate limits count in the cache
    owner, kol = people.owner, people.kol
    Kol = type(kol)
    Kol.objects.filter(pk=kol.pk).update(email_consent=True)
    kol.refresh_from_db()

    def made():
        return voice_services.link_create(
            kol=kol, by=owner, ask_interests=True, share_plan=False, gives=[]
        )

    with time_machine.travel(timezone.now() - datetime.timedelta(days=31)):
        expired = made()
    revoked = made()
    voice_services.link_revoke(link=revoked, by=owner)
    good = made()
    other = contact_services.kol_create(by=owner, data={"name": "Dr Other", "cadence_days": 90})
    stamp = int(good.created_at.timestamp())
    tokens = {
        "tampered": tamper(voice_token(good)),
        "expired": voice_token(expired),
        "revoked": voice_token(revoked),
        "another KOL": signing.dumps({"l": good.pk, "k": other.pk, "c": stamp}, salt=VOICE_SALT),
        "signed for another purpose": signing.dumps(
            {"l": good.pk, "k": kol.pk, "c": stamp}, salt=UNSUBSCRIBE_SALT
        ),
        "an unsubscribe token": unsubscribe_token(owner, "digest"),
        "garbage": "not-a-token",
    }
    for label, token in tokens.items():
        url = reverse("kol_link", kwargs={"token": token})
        for method in ("get", "post"):
            response = getattr(Client(), method)(url, {"part": "interests", "goals": "x"})
            page = response.content.decode()
            assert response.status_code == 404, (label, method, response.status_code)
            assert "This link is not valid" in page, (label, method)
            assert shows_nothing_of(page, owner), (label, method)
    good_url = reverse("kol_link", kwargs={"token": voice_token(good)})
    assert Client().get(good_url).status_code == 200
    Kol.objects.filter(pk=kol.pk).update(email_consent=False)  # withdrawn: dead at once
    refused = Client().get(good_url)
    assert refused.status_code == 404 and shows_nothing_of(refused.content.decode(), owner)
    assert not good.kol.voice_links.exclude(answered_at=None).exists()


# Keyed by url name: every entry of public_urlpatterns needs one.
REFUSALS = {
    "login": refuses_bad_sign_ins,
    "password_reset": refuses_to_disclose_accounts_on_reset,
    "password_reset_done": shows_no_data("password_reset_done"),
    "password_reset_confirm": refuses_bad_reset_links,
    "password_reset_complete": shows_no_data("password_reset_complete"),
    "health": health_shows_no_data,
    "health_live": live_shows_no_data,
    "unsubscribe": refuses_bad_unsubscribe_links,
    "calendar_feed": refuses_bad_calendar_links,
    "team_join": refuses_bad_invitations,
    "kol_link": refuses_bad_kol_links,
}

PUBLIC_NAMES = [pattern.name for pattern in public_urlpatterns]


def test_the_public_list_and_the_checks_name_the_same_endpoints():
    assert len(PUBLIC_NAMES) == len(set(PUBLIC_NAMES)), "a public endpoint is listed twice"
    assert set(REFUSALS) == set(PUBLIC_NAMES), (
        f"not checked: {sorted(set(PUBLIC_NAMES) - set(REFUSALS))}; "
        f"no longer public: {sorted(set(REFUSALS) - set(PUBLIC_NAMES))}"
    )


@pytest.mark.parametrize("name", PUBLIC_NAMES)
def test_each_public_endpoint_refuses_what_it_must(name, people, request):
    assert name in REFUSALS, f"{name} is public: add what it must refuse to REFUSALS"
    check = REFUSALS[name]
    wanted = check.__code__.co_varnames[: check.__code__.co_argcount]
    check(**{arg: people if arg == "people" else request.getfixturevalue(arg) for arg in wanted})


@pytest.mark.parametrize("name", PUBLIC_NAMES)
def test_each_public_endpoint_answers_without_a_login(name, people):
    """Public means reachable: never the login page, never a 500, whatever the token."""
    pattern = next(p for p in public_urlpatterns if p.name == name)
    kwargs = dict.fromkeys(pattern.pattern.regex.groupindex, "x" * 43)
    response = Client().get(reverse(name, kwargs=kwargs))
    # /health/ answers 503 on purpose when reminders are stuck (here: never dispatched).
    assert response.status_code < 500 or (name == "health" and response.status_code == 503)
    assert not response.get("Location", "").startswith(f"{reverse('login')}?next=")


# --- Static files ------------------------------------------------------------------------------

TRAVERSALS = [
    "/static/../kolcrm/settings.py",
    "/static/css/../../kolcrm/settings.py",
    "/static/%2e%2e/kolcrm/settings.py",
    "/static/%2e%2e%2fkolcrm%2fsettings.py",
    "/static/..%2f..%2fkolcrm/settings.py",
    "/static/..%5ckolcrm%5csettings.py",
    "/static//etc/passwd",
    "/static/../../../../etc/passwd",
]


@pytest.fixture(params=["collected", "finders"])
def static_client(request, settings, tmp_path, db):
    """A client whose WhiteNoise serves collected files (production) or finds them live
    (WHITENOISE_USE_FINDERS, as under DEBUG)."""
    if request.param == "collected":
        settings.STATIC_ROOT = tmp_path / "static"
        call_command("collectstatic", interactive=False, verbosity=0)
    else:
        settings.WHITENOISE_USE_FINDERS = True
        settings.WHITENOISE_AUTOREFRESH = True
    return Client()  # a new client builds its middleware, WhiteNoise included, from settings


def test_static_files_are_served(static_client):
    response = static_client.get("/static/css/app.css")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body, "app.css is empty"


@pytest.mark.parametrize("path", TRAVERSALS)
def test_static_paths_cannot_climb_out(static_client, path):
    response = static_client.get(path)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code in (400, 404) or (
        response.status_code == 302 and response["Location"].startswith(reverse("login"))
    ), (path, response.status_code)
    assert b"SECRET_KEY" not in body and b"root:" not in body
    assert not re.search(rb"^import |^from ", body, re.MULTILINE), path
