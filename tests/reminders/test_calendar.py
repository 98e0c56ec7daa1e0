import datetime
from urllib.parse import quote

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from contacts.models import Collaborator, Kol
from engagements.models import FollowUp
from reminders import calendar
from tests.engagements.factories import FollowUpFactory
from tests.factories import KolFactory

CREATE_URL = reverse("calendar_link_create")
REPLACE_URL = reverse("calendar_link_replace")


def feed_path(token: str) -> str:
    return reverse("calendar_feed", kwargs={"token": token})


def with_link(user):
    calendar.calendar_link_create(user=user)
    return user


def get_feed(user) -> Calendar:
    """The user's feed as a calendar app sees it: fetched without a session, parsed back."""
    response = Client().get(feed_path(user.calendar_token))
    assert response.status_code == 200
    return Calendar.from_ical(response.content)


def events_by_uid(feed: Calendar) -> dict:
    return {str(event["uid"]): event for event in feed.walk("VEVENT")}


def kol_url(kol) -> str:
    return f"{settings.SITE_URL}{reverse('kol:kol_detail', args=[kol.pk])}"


def set_check_in(kol, day: datetime.date) -> None:
    Kol.objects.filter(pk=kol.pk).update(next_check_in_on=day)


def test_it_serves_open_followups_and_due_check_ins_as_all_day_events(owner, kol):
    with_link(owner)
    today = timezone.localdate()
    followup = FollowUpFactory(kol=kol, due_on=today + datetime.timedelta(days=3))
    other_kol = KolFactory(owner=owner, name="Dr Grace Hopper")
    set_check_in(other_kol, today + datetime.timedelta(days=10))

    response = Client().get(feed_path(owner.calendar_token))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'inline; filename="kolcrm.ics"'
    assert response["Cache-Control"] == "private, no-store"
    feed = Calendar.from_ical(response.content)
    assert str(feed["prodid"]) == "-//KOL CRM//EN" and str(feed["version"]) == "2.0"
    assert str(feed["x-wr-calname"]) == "KOL CRM: Olivia Owner"
    assert str(feed["x-wr-timezone"]) == "UTC"
    assert (
        b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\nX-PUBLISHED-TTL:PT1H\r\n" in response.content
    )
    events = events_by_uid(feed)
    assert set(events) == {
        f"followup-{followup.pk}@kolcrm",
        f"checkin-{other_kol.pk}-{(today + datetime.timedelta(days=10)).isoformat()}@kolcrm",
    }
    event = events[f"followup-{followup.pk}@kolcrm"]
    assert str(event["summary"]) == "Promised resource: Dr Ada Lovelace"
    assert event.decoded("dtstart") == today + datetime.timedelta(days=3)
    assert type(event.decoded("dtstart")) is datetime.date  # all-day, not a datetime
    assert str(event["description"]) == f"Send the HFpEF registry protocol\n\n{kol_url(kol)}"
    assert str(event["url"]) == kol_url(kol)
    assert event.decoded("dtstamp").tzinfo is not None
    check_in = events[f"checkin-{other_kol.pk}-{today + datetime.timedelta(days=10)}@kolcrm"]
    assert str(check_in["summary"]) == "Check in with Dr Grace Hopper"
    assert check_in.decoded("dtstart") == today + datetime.timedelta(days=10)
    assert kol_url(other_kol) in str(check_in["description"])


def test_it_leaves_out_other_peoples_closed_and_archived_items(owner, teammate, outsider, kol):
    with_link(owner)
    with_link(teammate)
    today = timezone.localdate()
    mine = FollowUpFactory(kol=kol, due_on=today)
    FollowUpFactory(kol=kol, status=FollowUp.Status.DONE, done_at=timezone.now())
    FollowUpFactory(kol=kol, status=FollowUp.Status.SKIPPED, done_at=timezone.now())
    Collaborator.objects.create(kol=kol, user=teammate)
    theirs = FollowUpFactory(kol=kol, owner=teammate, text="Teammate's own")
    FollowUpFactory(kol=KolFactory(owner=outsider), due_on=today)
    archived = KolFactory(owner=owner, is_archived=True)
    FollowUpFactory(kol=archived, due_on=today)
    set_check_in(archived, today)
    set_check_in(KolFactory(owner=outsider), today)

    assert set(events_by_uid(get_feed(owner))) == {f"followup-{mine.pk}@kolcrm"}
    assert set(events_by_uid(get_feed(teammate))) == {f"followup-{theirs.pk}@kolcrm"}


def test_a_check_in_shows_once_overdue_or_within_30_days(owner, kol):
    with_link(owner)
    today = timezone.localdate()
    overdue = KolFactory(owner=owner, name="Dr Overdue")
    set_check_in(overdue, today - datetime.timedelta(days=12))
    edge = KolFactory(owner=owner, name="Dr In Thirty Days")
    set_check_in(edge, today + datetime.timedelta(days=30))
    set_check_in(KolFactory(owner=owner, name="Dr Later"), today + datetime.timedelta(days=31))
    KolFactory(owner=owner, name="Dr Never")  # no check-in date
    # An open check-in follow-up is already an event: no second one for that KOL.
    set_check_in(kol, today)
    scheduled = FollowUpFactory(kol=kol, kind=FollowUp.Kind.CHECK_IN, text="Check in", due_on=today)
    # A done check-in follow-up does not hide the next check-in.
    FollowUpFactory(
        kol=overdue, kind=FollowUp.Kind.CHECK_IN, status=FollowUp.Status.DONE, text="Done"
    )

    events = events_by_uid(get_feed(owner))

    assert {str(event["summary"]) for event in events.values()} == {
        "Check-in: Dr Ada Lovelace",
        "Check in with Dr Overdue",
        "Check in with Dr In Thirty Days",
    }
    assert f"followup-{scheduled.pk}@kolcrm" in events
    overdue_event = events[f"checkin-{overdue.pk}-{today - datetime.timedelta(days=12)}@kolcrm"]
    assert overdue_event.decoded("dtstart") == today - datetime.timedelta(days=12)


def test_names_and_text_with_special_characters_parse_back_identically(owner):
    with_link(owner)
    name = 'Dr <script>alert("x")</script> Smith, Jr.; "Zoë"\nÜnal \\ Ø'
    text = "Send: slides, notes; and the\nprotocol\\draft <b>v2</b> " + "long " * 40
    tricky = KolFactory(owner=owner, name=name)
    followup = FollowUpFactory(kol=tricky, text=text)
    set_check_in(tricky, timezone.localdate())
    FollowUp.objects.filter(pk=followup.pk).update(kind=FollowUp.Kind.OTHER)

    raw = Client().get(feed_path(owner.calendar_token)).content
    events = events_by_uid(Calendar.from_ical(raw))

    assert str(events[f"followup-{followup.pk}@kolcrm"]["summary"]) == f"Other: {name}"
    assert str(events[f"followup-{followup.pk}@kolcrm"]["description"]).startswith(text + "\n\n")
    assert "&lt;" not in raw.decode() and r"Smith\, Jr.\; " in raw.decode()
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))  # folded, as RFC 5545 says


def test_a_new_link_revokes_the_old_one(owner_client, owner, kol):
    assert owner_client.post(CREATE_URL).status_code == 302
    owner.refresh_from_db()
    old_token = owner.calendar_token
    assert len(old_token) >= 43
    assert Client().get(feed_path(old_token)).status_code == 200

    response = owner_client.post(REPLACE_URL)

    assert response.status_code == 302
    assert response["Location"] == reverse("preferences") + "#calendar-feed"
    owner.refresh_from_db()
    assert owner.calendar_token not in {"", old_token}
    gone = Client().get(feed_path(old_token))
    assert gone.status_code == 404 and "This link is not valid" in gone.content.decode()
    assert Client().get(feed_path(owner.calendar_token)).status_code == 200


def test_getting_the_link_twice_keeps_the_first_one(owner_client, owner):
    owner_client.post(CREATE_URL)
    owner.refresh_from_db()
    first = owner.calendar_token

    response = owner_client.post(CREATE_URL, follow=True)

    owner.refresh_from_db()
    assert owner.calendar_token == first
    assert "You already have a calendar link" in response.content.decode()


@pytest.mark.parametrize(
    "token",
    [
        "",
        "nope",
        "x" * 43,
        "x" * 200,
        "a b c d e f g h i j k l m n o p q r s t u v w x y z 0 1 2 3",
        "%00" * 20,
        "' OR 1=1 --' OR 1=1 --' OR 1=1 --' OR 1=1 --",
    ],
)
def test_an_unknown_empty_or_malformed_token_gets_404_and_changes_nothing(owner, teammate, token):
    with_link(owner)  # teammate has no link: an empty token must not find them
    before = owner.calendar_token

    response = Client().get(f"/calendar/{quote(token, safe='%')}.ics")

    assert response.status_code == 404
    assert "This link is not valid" in response.content.decode()
    owner.refresh_from_db()
    teammate.refresh_from_db()
    assert (owner.calendar_token, teammate.calendar_token) == (before, "")


def test_a_near_miss_of_a_real_token_gets_404(owner):
    token = with_link(owner).calendar_token
    for wrong in (token.swapcase(), token[:-1], token + "A", token[:-1] + "."):
        assert Client().get(feed_path(wrong)).status_code == 404


def test_an_inactive_users_link_stops_working(owner):
    with_link(owner)
    owner.is_active = False
    owner.save(update_fields=["is_active"])

    assert Client().get(feed_path(owner.calendar_token)).status_code == 404


def test_the_feed_needs_no_login_and_only_reads(client, owner, outsider_client):
    token = with_link(owner).calendar_token
    assert client.get(feed_path(token)).status_code == 200
    # The link shows its owner's feed, whoever is signed in: it is the secret that counts.
    feed = Calendar.from_ical(outsider_client.get(feed_path(token)).content)
    assert str(feed["x-wr-calname"]) == "KOL CRM: Olivia Owner"
    assert client.head(feed_path(token)).status_code == 200
    assert client.post(feed_path(token)).status_code == 405


def test_getting_or_replacing_the_link_needs_a_login_and_a_post(client, owner_client, owner):
    for url in (CREATE_URL, REPLACE_URL):
        response = client.post(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        assert owner_client.get(url).status_code == 405
    owner.refresh_from_db()
    assert owner.calendar_token == ""


def test_the_preferences_page_offers_the_link_and_says_who_can_see_it(owner_client, owner):
    page = owner_client.get(reverse("preferences")).content.decode()
    assert "Get my calendar link" in page and "Anyone who has it can see" in page
    assert 'id="calendar-feed-url"' not in page

    page = owner_client.post(CREATE_URL, follow=True).content.decode()

    owner.refresh_from_db()
    url = f"{settings.SITE_URL}{feed_path(owner.calendar_token)}"
    assert '<label for="calendar-feed-url">Your calendar link</label>' in page
    assert f'id="calendar-feed-url" value="{url}" readonly' in page
    assert "Make a new link; the old one stops working" in page
    assert "Get my calendar link" not in page


@pytest.mark.parametrize("followups", [5, 200])
def test_the_number_of_queries_does_not_grow_with_the_rows(
    owner, followups, django_assert_max_num_queries
):
    with_link(owner)
    today = timezone.localdate()
    kols = KolFactory.create_batch(5, owner=owner)
    Kol.objects.filter(pk__in=[k.pk for k in kols]).update(next_check_in_on=today)
    FollowUp.objects.bulk_create(
        FollowUp(kol=kols[n % 5], owner=owner, due_on=today, text=f"Item {n}")
        for n in range(followups)
    )
    client = Client()

    with django_assert_max_num_queries(5):
        response = client.get(feed_path(owner.calendar_token))

    assert len(Calendar.from_ical(response.content).walk("VEVENT")) == followups + 5
