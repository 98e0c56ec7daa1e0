"""The KOL page's "In their own words" panel: links made, listed with their state, revoked;
what the KOL told us shown beside what we recorded, on the plan and in the ledger."""

import datetime
import re
from urllib.parse import quote

import time_machine
from django.test import Client
from django.utils import timezone

from contacts.models import Collaborator
from tests.conftest import HTMX, client_for
from tests.voice.conftest import KOL_NAME, url_of
from voice import services
from voice.models import VoiceLink


def create_url(kol) -> str:
    return f"/kols/{kol.pk}/links/"


def test_it_makes_a_link_and_shows_its_address(owner_client, consenting, gives):
    data = {"ask_interests": "on", "share_plan": "on", "gives": [gives[0].pk]}
    response = owner_client.post(create_url(consenting), data)
    assert response.status_code == 302 and response["Location"].endswith("#voice")
    link = VoiceLink.objects.get(kol=consenting)
    assert link.ask_interests and link.share_plan and list(link.gives.all()) == gives[:1]
    assert link.expires_at - link.created_at == datetime.timedelta(days=30)
    page = owner_client.get(f"/kols/{consenting.pk}/").content.decode()
    assert "http://testserver" + url_of(link) in page
    assert "<strong>Sent</strong>" in page
    # Or straight into a message from the MSL's own mail app, the link in its body.
    mailto = re.search(r'class="voice-mailto" href="([^"]+)"', page).group(1)
    assert mailto.startswith(f"mailto:{consenting.email}?subject=What%20matters%20to%20you")
    assert quote("http://testserver" + url_of(link), safe="") in mailto
    history = consenting.audit_entries.get(subject="personal link")
    assert history.actor.pk == link.created_by_id


def test_htmx_gets_the_panel_and_an_empty_choice_is_refused(owner_client, consenting):
    response = owner_client.post(create_url(consenting), {}, **HTMX)
    assert response.status_code == 422
    assert "Choose at least one part for the link." in response.content.decode()
    assert not VoiceLink.objects.exists()
    response = owner_client.post(create_url(consenting), {"ask_interests": "on"}, **HTMX)
    assert response.status_code == 200
    assert 'id="voice"' in response.content.decode() and "<html" not in response.content.decode()
    assert VoiceLink.objects.count() == 1


def test_it_needs_email_consent(owner_client, kol):
    page = owner_client.get(f"/kols/{kol.pk}/").content.decode()
    assert "Record their email consent to give them a personal link." in page
    response = owner_client.post(create_url(kol), {"ask_interests": "on"})
    assert response.status_code == 302
    assert not VoiceLink.objects.exists()


def test_who_may_make_and_revoke_links(
    consenting, link, teammate, teammate_client, outsider_client, manager_client, owner_client
):
    revoke = f"/kols/{consenting.pk}/links/{link.pk}/revoke/"
    for client in (outsider_client,):
        assert client.post(create_url(consenting), {"ask_interests": "on"}).status_code == 404
        assert client.post(revoke).status_code == 404
    assert manager_client.post(create_url(consenting), {"ask_interests": "on"}).status_code == 403
    assert manager_client.post(revoke).status_code == 403
    assert owner_client.get(create_url(consenting)).status_code == 405
    assert owner_client.get(revoke).status_code == 405
    Collaborator.objects.create(kol=consenting, user=teammate)
    assert teammate_client.post(create_url(consenting), {"ask_interests": "on"}).status_code == 302
    assert VoiceLink.objects.filter(revoked_at=None).count() == 2
    response = owner_client.post(revoke, **HTMX)
    assert response.status_code == 200 and "<strong>Revoked</strong>" in response.content.decode()
    assert Client().get(url_of(link)).status_code == 404
    other = owner_client.post(f"/kols/{consenting.pk}/links/{link.pk + 1000}/revoke/")
    assert other.status_code == 404


def test_the_panel_shows_each_state(owner_client, consenting, owner, link):
    answered = services.link_create(
        kol=consenting, by=owner, ask_interests=True, share_plan=False, gives=[]
    )
    Client().post(url_of(answered), {"part": "interests", "interest_kinds": ["speaking"]})
    opened = services.link_create(
        kol=consenting, by=owner, ask_interests=True, share_plan=False, gives=[]
    )
    Client().get(url_of(opened))
    revoked = services.link_create(
        kol=consenting, by=owner, ask_interests=True, share_plan=False, gives=[]
    )
    services.link_revoke(link=revoked, by=owner)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
        page = client_for(owner).get(f"/kols/{consenting.pk}/").content.decode()
        assert page.count("<strong>Expired</strong>") == 3
    page = owner_client.get(f"/kols/{consenting.pk}/").content.decode()
    for state in ("Sent", "Opened", "Answered", "Revoked"):
        assert f"<strong>{state}</strong>" in page, state


def test_what_they_told_us_shows_on_the_page_plan_and_ledger(owner_client, link, gives):
    client = Client()
    client.post(
        url_of(link),
        {"part": "interests", "interest_kinds": ["speaking", "research"], "goals": "Run an IIS"},
    )
    client.post(url_of(link), {"part": "plan", "comment": "Add nurses, please"})
    client.post(
        url_of(link),
        {"part": "gives", "give": gives[0].pk, "rating": "useful", "comment": "Spot on"},
    )
    page = owner_client.get(f"/kols/{link.kol.pk}/").content.decode()
    assert "Stated by the KOL" in page and "told us through the survey on" in page
    assert "confirms what we assumed" in page  # speaking was our assumption
    assert "new to us" in page  # research was not recorded
    assert "Run an IIS" in page
    assert "Add nurses, please" in page and "Their comment through their link" in page
    assert "They rated it: Useful" in page and "Spot on" in page
    assert f"Read what {KOL_NAME} told us" in page
    # Nothing we recorded was changed: the assumption is still an assumption.
    assert link.kol.interests.get(kind="speaking").provenance == "assumed"
    history = owner_client.get(f"/kols/{link.kol.pk}/?open=history").content.decode()
    # The KOL spoke, not "someone": the line says who, in their name.
    assert f"{link.kol.name} told us through their link" in history
    assert "Someone created" not in history
