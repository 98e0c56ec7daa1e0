"""Events: the list, create, edit, detail pages; congress-overview suggestions (the event
nudges of the daily digest: test_event_nudges.py)."""

import pytest
from django.test import Client
from django.urls import reverse

from contacts.models import AssumptionStatus, Collaborator
from engagements.models import Give
from events.models import Event
from tests.conftest import HTMX, client_for
from tests.engagements.factories import GiveFactory
from tests.events.factories import EventFactory, assumed, days, stated
from tests.factories import KolFactory, TopicFactory, UserFactory

LIST_URL = reverse("events:event_list")
CREATE_URL = reverse("events:event_create")


def detail_url(event: Event) -> str:
    return reverse("events:event_detail", args=[event.pk])


def edit_url(event: Event) -> str:
    return reverse("events:event_edit", args=[event.pk])


def form_data(**overrides) -> dict:
    data = {
        "name": "ESC Congress 2026",
        "starts_on": days(10).isoformat(),
        "ends_on": days(13).isoformat(),
        "location": "Munich",
    }
    return data | overrides


# The list ------------------------------------------------------------------------------


def test_it_lists_upcoming_and_recent_events_newest_first(owner_client, manager_client):
    EventFactory(name="Old Summit", starts_on=days(-60), ends_on=days(-58))
    EventFactory(name="Next Congress", starts_on=days(20), ends_on=days(22))
    EventFactory(name="Last Week Meeting", starts_on=days(-7), ends_on=days(-6))
    for client in (owner_client, manager_client):
        response = client.get(LIST_URL)
        assert response.status_code == 200
        page = response.content.decode()
        assert page.index("Next Congress") < page.index("Last Week Meeting")
        assert page.index("Last Week Meeting") < page.index("Old Summit")
        assert "Upcoming" in page and "Ended" in page


def test_it_searches_by_name(owner_client):
    EventFactory(name="ESC Congress")
    EventFactory(name="ASCO Annual Meeting")
    page = owner_client.get(LIST_URL, {"q": "esc"}).content.decode()
    assert "ESC Congress" in page and "ASCO" not in page
    page = owner_client.get(LIST_URL, {"q": "nothing like it"}).content.decode()
    assert "No event matches" in page


def test_htmx_gets_only_the_results(owner_client):
    EventFactory(name="ESC Congress")
    response = owner_client.get(LIST_URL, {"q": "esc"}, **HTMX)
    part = response.content.decode()
    assert part.lstrip().startswith('<section id="results"')
    assert "ESC Congress" in part and "<form" not in part
    assert "HX-Request" in response["Vary"]


def test_anonymous_users_are_sent_to_the_login_page(db):
    event = EventFactory()
    for url in (LIST_URL, CREATE_URL, detail_url(event), edit_url(event)):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_wrong_method_gets_405(owner_client, owner):
    event = EventFactory(created_by=owner)
    assert owner_client.post(LIST_URL).status_code == 405
    assert owner_client.post(detail_url(event)).status_code == 405
    assert owner_client.put(CREATE_URL).status_code == 405
    assert owner_client.delete(edit_url(event)).status_code == 405


# Create and edit -----------------------------------------------------------------------


def test_anyone_signed_in_creates_an_event(owner_client, owner, kol):
    topic = TopicFactory(name="Heart failure")
    response = owner_client.post(
        CREATE_URL, form_data(topics=[topic.pk], attendees=[kol.pk], areas=[topic.area_id])
    )
    event = Event.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(event)
    assert (event.name, event.location, event.created_by) == ("ESC Congress 2026", "Munich", owner)
    assert list(event.topics.all()) == [topic]
    assert list(event.attendees.all()) == [kol]
    assert list(event.areas.all()) == [topic.area]


def test_the_form_renders_for_an_msl_and_a_manager(owner_client, manager_client):
    for client in (owner_client, manager_client):
        response = client.get(CREATE_URL)
        assert response.status_code == 200
        page = response.content.decode()
        assert '<label for="id_ends_on">' in page and '<label for="id_attendees">' in page


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"ends_on": days(8).isoformat()}, "The event cannot end before it starts."),
        ({"name": "  "}, "Give the event&#x27;s name."),
        ({"starts_on": ""}, "Give the day the event starts."),
    ],
)
def test_an_invalid_event_is_refused_with_a_message_and_nothing_saved(
    owner_client, overrides, message
):
    response = owner_client.post(CREATE_URL, form_data(**overrides))
    assert response.status_code == 422
    page = response.content.decode()
    assert message in page and "Nothing was saved" in page
    assert not Event.objects.exists()


def test_the_creator_edits_the_event(owner_client, owner):
    event = EventFactory(created_by=owner, name="ESC 2026")
    assert "Edit ESC 2026" in owner_client.get(edit_url(event)).content.decode()
    response = owner_client.post(edit_url(event), form_data(name="ESC Congress 2026, Munich"))
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.name == "ESC Congress 2026, Munich" and event.ends_on == days(13)


def test_an_invalid_edit_changes_nothing(owner_client, owner):
    event = EventFactory(created_by=owner, name="ESC 2026")
    response = owner_client.post(
        edit_url(event), form_data(name="Renamed", ends_on=days(1).isoformat())
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "The event cannot end before it starts." in page and "Edit ESC 2026" in page
    event.refresh_from_db()
    assert event.name == "ESC 2026"


def test_someone_else_may_not_edit_but_staff_may(teammate_client, manager_client, owner):
    event = EventFactory(created_by=owner, name="ESC 2026")
    for client in (teammate_client, manager_client):
        response = client.get(edit_url(event))
        assert response.status_code == 403
        assert "Only the person who added this event" in response.content.decode()
        assert client.post(edit_url(event), form_data(name="Hijacked")).status_code == 403
    event.refresh_from_db()
    assert event.name == "ESC 2026"
    assert "Edit<span" not in teammate_client.get(detail_url(event)).content.decode()

    staff = client_for(UserFactory(email="admin@example.test", is_staff=True))
    assert staff.post(edit_url(event), form_data(name="Fixed by admin")).status_code == 302
    event.refresh_from_db()
    assert event.name == "Fixed by admin"


# Attendees and visibility --------------------------------------------------------------


def test_the_attendee_choices_are_the_users_visible_kols(owner_client, owner, outsider, kol):
    hidden = KolFactory(name="Dr Hidden Person", owner=outsider)
    KolFactory(name="Dr Archived Person", owner=owner, is_archived=True)
    page = owner_client.get(CREATE_URL).content.decode()
    assert "Dr Ada Lovelace" in page
    assert "Dr Hidden Person" not in page and "Dr Archived Person" not in page

    response = owner_client.post(CREATE_URL, form_data(attendees=[hidden.pk]))
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    assert not Event.objects.exists()


def test_saving_keeps_attendees_the_editor_cannot_see(owner_client, owner, outsider, kol):
    theirs = KolFactory(name="Dr Hidden Person", owner=outsider)
    mine = KolFactory(name="Dr Mine Too", owner=owner)
    event = EventFactory(created_by=owner, attendees=[kol, theirs])

    page = owner_client.get(edit_url(event)).content.decode()
    assert "Dr Hidden Person" not in page

    response = owner_client.post(edit_url(event), form_data(attendees=[mine.pk]))
    assert response.status_code == 302
    assert set(event.attendees.all()) == {theirs, mine}


def test_the_detail_shows_only_the_attendees_the_user_may_see(
    owner_client, outsider_client, manager_client, owner, outsider, kol
):
    theirs = KolFactory(name="Dr Hidden Person", owner=outsider)
    event = EventFactory(name="ESC 2026", attendees=[kol, theirs])
    page = owner_client.get(detail_url(event)).content.decode()
    assert "Dr Ada Lovelace" in page and "Dr Hidden Person" not in page
    page = manager_client.get(detail_url(event)).content.decode()
    assert "Dr Ada Lovelace" in page and "Dr Hidden Person" not in page
    page = outsider_client.get(detail_url(event)).content.decode()
    assert "Dr Hidden Person" in page and "Dr Ada Lovelace" not in page


def test_an_unknown_event_is_404(owner_client):
    assert owner_client.get(reverse("events:event_detail", args=[999])).status_code == 404


# Congress-overview suggestions ---------------------------------------------------------


def test_after_the_event_it_suggests_who_to_send_an_overview_to(
    owner_client, owner, outsider, teammate, heart_failure
):
    other_topic = TopicFactory(name="Oncology")
    told_us = KolFactory(name="Dr Told Us", owner=owner)
    stated(told_us, heart_failure)
    confirmed = KolFactory(name="Dr Confirmed", owner=owner)
    assumed(confirmed, heart_failure, AssumptionStatus.CONFIRMED)
    only_assumed = KolFactory(name="Dr Only Assumed", owner=owner)
    assumed(only_assumed, heart_failure)
    went = KolFactory(name="Dr Went There", owner=owner)
    stated(went, heart_failure)
    elsewhere = KolFactory(name="Dr Other Topic", owner=owner)
    stated(elsewhere, other_topic)
    archived = KolFactory(name="Dr Archived", owner=owner, is_archived=True)
    stated(archived, heart_failure)
    not_mine = KolFactory(name="Dr Not Mine", owner=outsider)
    stated(not_mine, heart_failure)
    shared = KolFactory(name="Dr Shared", owner=teammate)
    stated(shared, heart_failure)
    Collaborator.objects.create(kol=shared, user=owner)
    event = EventFactory(topics=[heart_failure], attendees=[went])

    page = owner_client.get(detail_url(event)).content.decode()

    section = page[page.index("Send a congress overview to") :]
    for name in ("Dr Told Us", "Dr Confirmed", "Dr Shared"):
        assert name in section, name
    for name in ("Dr Only Assumed", "Dr Went There", "Dr Other Topic", "Dr Archived"):
        assert name not in section, name
    assert "Dr Not Mine" not in page
    kol_url = reverse("kol:kol_detail", args=[told_us.pk])
    assert f'href="{kol_url}?give_kind=congress_overview#ledger"' in section
    assert "Told you: Heart failure" in section


def test_a_sent_overview_is_shown_and_no_suggestions_before_the_end(
    owner_client, owner, heart_failure
):
    kol = KolFactory(name="Dr Told Us", owner=owner)
    stated(kol, heart_failure)
    ended = EventFactory(topics=[heart_failure], ends_on=days(-3))
    GiveFactory(kol=kol, kind=Give.Kind.CONGRESS_OVERVIEW, given_on=days(-1))
    page = owner_client.get(detail_url(ended)).content.decode()
    assert "Overview sent" in page

    upcoming = EventFactory(topics=[heart_failure], starts_on=days(5), ends_on=days(7))
    page = owner_client.get(detail_url(upcoming)).content.decode()
    assert "Send a congress overview to" not in page and "Dr Told Us" not in page
    assert "Once the event has ended" in page


@pytest.mark.parametrize("count", [5, 50])
def test_the_detail_query_count_does_not_grow_with_the_kols(
    count, owner, manager, client, heart_failure, django_assert_max_num_queries
):
    kols = KolFactory.create_batch(count, owner=owner)
    for kol in kols:
        stated(kol, heart_failure)
    event = EventFactory(topics=[heart_failure], attendees=kols[:2])
    for user in (owner, manager):
        client.force_login(user)
        with django_assert_max_num_queries(12):  # incl. session, user
            response = client.get(detail_url(event))
        assert response.status_code == 200
        assert response.content.decode().count('id="overview-') == count - 2
