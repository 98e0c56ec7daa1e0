"""Undo after done, skip or snooze; reopening a completed follow-up; drafting the thank-you."""

import datetime
import re
from html import unescape
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import AuditEntry, Collaborator
from engagements.models import FollowUp
from engagements.services import followups as services
from tests.conftest import HTMX, client_for
from tests.engagements.factories import FollowUpFactory, TouchpointFactory
from tests.factories import MembershipFactory, UserFactory

TODAY_URL = "/today/"


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def words(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def url(name, followup):
    return reverse(f"kol:{name}", args=[followup.kol_id, followup.pk])


def state(followup: FollowUp) -> tuple:
    followup.refresh_from_db()
    return (followup.status, followup.due_on, followup.done_at, followup.text)


def token_in(html: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


@pytest.fixture
def followup(kol):
    return FollowUpFactory(kol=kol, due_on=days(-2), text="Send the registry protocol")


@pytest.fixture
def collaborator(kol):
    user = UserFactory(email="collab@example.test", display_name="Cleo Collaborator")
    MembershipFactory(user=user)
    Collaborator.objects.create(kol=kol, user=user)
    return user


# The service ------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["done", "skipped", "snooze"])
def test_it_undoes_every_field_the_action_changed(followup, owner, action):
    was = state(followup)
    before = services.FollowUpState.of(followup)
    if action == "snooze":
        services.followup_snooze(followup=followup, until=days(9), by=owner)
    else:
        services.followup_complete(followup=followup, status=action, by=owner)
    assert state(followup) != was
    token = services.undo_token(followup=followup, before=before, by=owner)

    services.followup_undo(followup=followup, token=token, by=owner)

    assert state(followup) == was
    entry = AuditEntry.objects.filter(subject="follow-up", subject_id=followup.pk).latest("pk")
    assert entry.summary.startswith("Undone") and entry.actor == owner and entry.changes


def test_an_action_that_changed_nothing_offers_no_undo(followup, owner):
    services.followup_complete(followup=followup, status="done", by=owner)
    before = services.FollowUpState.of(followup)
    services.followup_complete(followup=followup, status="skipped", by=owner)
    assert services.undo_token(followup=followup, before=before, by=owner) is None


def test_a_stale_undo_is_refused_and_overwrites_nothing(followup, owner):
    before = services.FollowUpState.of(followup)
    services.followup_complete(followup=followup, status="done", by=owner)
    token = services.undo_token(followup=followup, before=before, by=owner)
    services.followup_reopen(followup=followup, text="Changed since", due_on=days(4), by=owner)
    later = state(followup)

    with pytest.raises(services.UndoRefused, match="changed since"):
        services.followup_undo(followup=followup, token=token, by=owner)
    assert state(followup) == later


def test_an_undo_twice_is_refused_the_second_time(followup, owner):
    before = services.FollowUpState.of(followup)
    services.followup_snooze(followup=followup, until=days(7), by=owner)
    token = services.undo_token(followup=followup, before=before, by=owner)
    services.followup_undo(followup=followup, token=token, by=owner)
    with pytest.raises(services.UndoRefused):
        services.followup_undo(followup=followup, token=token, by=owner)
    assert followup.due_on == days(-2)


def test_an_old_forged_or_borrowed_token_is_refused(followup, owner, collaborator, monkeypatch):
    before = services.FollowUpState.of(followup)
    services.followup_complete(followup=followup, status="done", by=owner)
    token = services.undo_token(followup=followup, before=before, by=owner)
    with pytest.raises(services.UndoRefused, match="Too late"):
        services.followup_undo(followup=followup, token=token + "x", by=owner)
    with pytest.raises(services.UndoRefused):  # made for someone else
        services.followup_undo(followup=followup, token=token, by=collaborator)
    other = FollowUpFactory(kol=followup.kol)
    with pytest.raises(services.UndoRefused):  # made for another follow-up
        services.followup_undo(followup=other, token=token, by=owner)
    monkeypatch.setattr(services, "UNDO_SECONDS", -1)  # older than it may be
    with pytest.raises(services.UndoRefused, match="Too late"):
        services.followup_undo(followup=followup, token=token, by=owner)
    assert state(followup)[0] == "done"


def test_reopen_opens_it_with_its_new_text_and_date(followup, owner):
    services.followup_complete(followup=followup, status="skipped", by=owner)
    services.followup_reopen(followup=followup, text="  Send v2  ", due_on=days(3), by=owner)
    assert state(followup) == ("open", days(3), None, "Send v2")
    entry = AuditEntry.objects.filter(subject_id=followup.pk).latest("pk")
    assert entry.summary.startswith("Reopened") and entry.changes["status"] == ["Skipped", "Open"]
    with pytest.raises(services.ValidationError):  # open already
        services.followup_reopen(followup=followup, text="x", due_on=days(3), by=owner)


# The views --------------------------------------------------------------------------------


def test_done_answers_htmx_with_a_notice_whose_undo_restores_the_card(owner_client, followup):
    was = state(followup)
    notice = owner_client.post(url("followup_done", followup), {"next": TODAY_URL}, **HTMX)
    html = notice.content.decode()
    assert notice.status_code == 200 and "followup-notice" in html
    assert "Done ✓ Dr Ada Lovelace: Send the registry protocol Undo" in words(html)
    assert f'hx-post="{url("followup_undo", followup)}"' in html

    undo = owner_client.post(
        url("followup_undo", followup), {"token": token_in(html), "next": TODAY_URL}, **HTMX
    )

    assert undo.status_code == 200
    card = undo.content.decode()
    assert card.lstrip().startswith(
        f'<li id="followup-{followup.pk}" class="followup followup-open'
    )
    assert "Undone." in card and ">Done<" in card
    assert state(followup) == was


def test_skip_and_snooze_offer_undo_too(owner_client, followup):
    skipped = owner_client.post(url("followup_skip", followup), **HTMX).content.decode()
    assert "Skipped" in words(skipped) and "Undo" in skipped
    owner_client.post(url("followup_undo", followup), {"token": token_in(skipped)}, **HTMX)
    snoozed = owner_client.post(url("followup_snooze", followup), {"days": "7"}, **HTMX)
    assert f"Snoozed · Due {days(7):%a %-d %b %Y}" in words(snoozed.content.decode())
    owner_client.post(
        url("followup_undo", followup), {"token": token_in(snoozed.content.decode())}, **HTMX
    )
    assert state(followup)[:3] == ("open", days(-2), None)


def test_a_plain_done_leaves_the_undo_on_the_page_it_goes_back_to(owner_client, followup):
    was = state(followup)
    response = owner_client.post(url("followup_done", followup), {"next": TODAY_URL})
    assert response.status_code == 302 and response["Location"] == TODAY_URL

    page = owner_client.get(TODAY_URL).content.decode()
    assert "Done ✓" in page and f'action="{url("followup_undo", followup)}"' in page
    token = token_in(page)
    assert token_in(page) and 'hx-post="' + url("followup_undo", followup) not in page
    # The notice shows once; the undo itself still works after a reload.
    assert "followup-notice" not in owner_client.get(TODAY_URL).content.decode()

    undone = owner_client.post(url("followup_undo", followup), {"token": token, "next": TODAY_URL})
    assert undone.status_code == 302 and undone["Location"] == TODAY_URL
    assert "Undone." in owner_client.get(TODAY_URL).content.decode()
    assert state(followup) == was


def test_a_plain_done_on_the_kol_page_shows_the_undo_there(owner_client, followup):
    owner_client.post(url("followup_done", followup))
    page = owner_client.get(reverse("kol:kol_detail", args=[followup.kol_id])).content.decode()
    section = page[page.index('<section id="followups"') :]
    assert "Done ✓" in section and "Undo" in section


def test_a_stale_undo_says_so_and_keeps_the_later_change(owner_client, followup):
    html = owner_client.post(url("followup_done", followup), **HTMX).content.decode()
    reopen = {
        f"reopen-{followup.pk}-text": "Send the new protocol",
        f"reopen-{followup.pk}-due_on": days(5).isoformat(),
    }
    owner_client.post(url("followup_reopen", followup), reopen, **HTMX)
    later = state(followup)

    stale = owner_client.post(url("followup_undo", followup), {"token": token_in(html)}, **HTMX)

    assert stale.status_code == 409
    assert "This follow-up changed since: nothing was undone." in words(stale.content.decode())
    assert state(followup) == later

    plain = owner_client.post(url("followup_undo", followup), {"token": token_in(html)})
    assert plain.status_code == 302
    assert "changed since" in owner_client.get(plain["Location"]).content.decode()
    assert state(followup) == later


def test_undo_is_refused_for_someone_who_may_not_act(kol, followup, owner_client, collaborator):
    html = owner_client.post(url("followup_done", followup), **HTMX).content.decode()
    response = client_for(collaborator).post(
        url("followup_undo", followup), {"token": token_in(html)}
    )
    assert response.status_code == 403
    assert state(followup)[0] == "done"


@pytest.mark.parametrize("who", ["teammate", "outsider", "other_manager"])
def test_undo_and_reopen_are_404_for_someone_who_cannot_see_the_kol(
    request, followup, owner_client, who
):
    html = owner_client.post(url("followup_done", followup), **HTMX).content.decode()
    client = client_for(request.getfixturevalue(who))
    assert client.post(url("followup_undo", followup), {"token": token_in(html)}).status_code == 404
    assert client.post(url("followup_reopen", followup), {}).status_code == 404
    assert state(followup)[0] == "done"


@pytest.mark.parametrize("name", ["followup_undo", "followup_reopen"])
def test_they_want_a_post(owner_client, followup, name):
    assert owner_client.get(url(name, followup)).status_code == 405


# Reopen and edit from the KOL page ------------------------------------------------------


def test_a_completed_follow_up_can_be_reopened_and_edited_from_the_kol_page(owner_client, followup):
    owner_client.post(url("followup_done", followup), **HTMX)
    part = owner_client.get(reverse("kol:kol_followups", args=[followup.kol_id]), **HTMX)
    recent = part.content.decode()
    recent = recent[recent.index('<details class="followups-recent">') :]
    assert "Reopen or edit" in recent and f'name="reopen-{followup.pk}-text"' in recent

    data = {
        f"reopen-{followup.pk}-text": "Send the protocol, version 2",
        f"reopen-{followup.pk}-due_on": days(6).isoformat(),
    }
    response = owner_client.post(url("followup_reopen", followup), data, **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="followups"')
    assert "Send the protocol, version 2" in html and "(1 open)" in html
    assert state(followup) == ("open", days(6), None, "Send the protocol, version 2")


def test_a_plain_reopen_goes_back_to_the_page_and_a_bad_one_says_why(owner_client, followup):
    services.followup_complete(followup=followup, status="done")
    bad = {f"reopen-{followup.pk}-text": " ", f"reopen-{followup.pk}-due_on": days(-1)}
    response = owner_client.post(url("followup_reopen", followup), bad, **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert "Say what to do." in html and "Pick today or a later date." in html
    assert '<details class="followup-reopen" open>' in html
    assert state(followup)[0] == "done"

    good = {f"reopen-{followup.pk}-text": "Again", f"reopen-{followup.pk}-due_on": days(1)}
    response = owner_client.post(url("followup_reopen", followup), good)
    assert response.status_code == 302
    assert response["Location"] == f"/kols/{followup.kol_id}/#followups"
    assert state(followup)[:2] == ("open", days(1))


def test_reopening_an_open_follow_up_says_it_is_open(owner_client, followup):
    data = {f"reopen-{followup.pk}-text": "x", f"reopen-{followup.pk}-due_on": days(1)}
    response = owner_client.post(url("followup_reopen", followup), data, **HTMX)
    assert response.status_code == 409
    assert "This follow-up is open already: nothing to reopen." in response.content.decode()
    assert state(followup)[3] == "Send the registry protocol"


# Draft the thank-you ------------------------------------------------------------------------


def thank_you(kol, owner):
    touchpoint = TouchpointFactory(
        kol=kol,
        by=owner,
        they_said="Referral pathways & the 6-week wait are the bottleneck?",
        occurred_at=timezone.now() - datetime.timedelta(days=1),
    )
    return FollowUpFactory(
        kol=kol, kind="thank_you", source_touchpoint=touchpoint, text="Thank them", due_on=days(0)
    )


def test_a_thank_you_offers_a_mailto_draft_when_they_agreed_to_email(owner_client, kol, owner):
    kol.email, kol.email_consent = "ada+kol@example.org", True
    kol.save()
    followup = thank_you(kol, owner)

    page = owner_client.get(TODAY_URL).content.decode()

    link = re.search(r'<a class="followup-draft" href="([^"]+)"', page).group(1)
    assert "Draft the thank-you" in page
    parts = urlsplit(unescape(link))
    assert parts.scheme == "mailto" and unquote(parts.path) == "ada+kol@example.org"
    assert "+" not in parts.query and " " not in parts.query  # spaces are %20, not +
    query = {k: unquote(v) for k, v in (p.split("=", 1) for p in parts.query.split("&"))}
    assert set(query) == {"subject", "body"}
    assert re.fullmatch(r"Thank you for the in-person meeting on \d+ \w+", query["subject"])
    assert "Referral pathways & the 6-week wait are the bottleneck?" in query["body"]
    assert "Dear Dr Ada Lovelace,\r\n" in query["body"]
    assert parse_qs(parts.query)  # well formed
    # Marking it done stays one tap.
    assert f'action="{url("followup_done", followup)}"' in page


@pytest.mark.parametrize(
    "email,consent,why",
    [
        ("ada@example.org", False, "they have not agreed to be contacted by email"),
        ("", True, "we have no email address for them"),
    ],
)
def test_without_consent_or_address_it_says_why_there_is_no_draft(
    owner_client, kol, owner, email, consent, why
):
    kol.email, kol.email_consent = email, consent
    kol.save()
    followup = thank_you(kol, owner)
    for html in [
        owner_client.get(TODAY_URL).content.decode(),
        owner_client.get(reverse("kol:kol_followups", args=[kol.pk]), **HTMX).content.decode(),
    ]:
        assert "mailto:" not in html and "Draft the thank-you" not in html
        assert f"No draft: {why}." in html
        assert f'action="{url("followup_done", followup)}"' in html
