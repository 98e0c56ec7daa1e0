"""The event nudges of Today and the daily digest: KOLs who care about an event's topics
and missed it (engagements.selectors.nudges)."""

import datetime

import pytest
from django.utils import timezone

from engagements.models import Give
from engagements.selectors.nudges import event_nudges
from reminders import services as reminders
from reminders.models import Reminder
from reminders.selectors import digest_for
from tests.engagements.factories import GiveFactory
from tests.events.factories import TODAY, EventFactory, assumed, days, stated
from tests.factories import KolFactory, TopicFactory

# Event nudges in the digest ------------------------------------------------------------


def test_event_nudges_pick_those_who_care_and_missed_it(owner, outsider, heart_failure):
    told_us = KolFactory(name="Dr Told Us", owner=owner)
    stated(told_us, heart_failure)
    only_assumed = KolFactory(owner=owner)
    assumed(only_assumed, heart_failure)
    went = KolFactory(owner=owner)
    stated(went, heart_failure)
    archived = KolFactory(owner=owner, is_archived=True)
    stated(archived, heart_failure)
    got_it = KolFactory(owner=owner)
    stated(got_it, heart_failure)
    GiveFactory(kol=got_it, kind=Give.Kind.CONGRESS_OVERVIEW, given_on=days(-2))
    got_one_before = KolFactory(name="Dr Earlier Overview", owner=owner)
    stated(got_one_before, heart_failure)
    GiveFactory(kol=got_one_before, kind=Give.Kind.CONGRESS_OVERVIEW, given_on=days(-20))
    literature_only = KolFactory(name="Dr Literature Only", owner=owner)
    stated(literature_only, heart_failure)
    GiveFactory(kol=literature_only, kind=Give.Kind.LITERATURE, given_on=days(-1))
    not_mine = KolFactory(owner=outsider)
    stated(not_mine, heart_failure)
    event = EventFactory(topics=[heart_failure], ends_on=days(-3), attendees=[went])
    EventFactory(topics=[heart_failure], starts_on=days(-20), ends_on=days(-15))  # too long ago
    EventFactory(topics=[heart_failure], starts_on=days(-1), ends_on=TODAY)  # not over yet

    nudges = event_nudges(owner_ids=[owner.pk], today=TODAY)

    assert [(n.event, n.kol) for n in nudges] == [
        (event, got_one_before),
        (event, literature_only),
        (event, told_us),
    ]
    assert nudges[0].topics_text == "Heart failure"


@pytest.mark.parametrize("count", [5, 100])
def test_event_nudges_are_set_based(count, owner, heart_failure, django_assert_max_num_queries):
    other = TopicFactory(name="Oncology")
    for kol in KolFactory.create_batch(count, owner=owner):
        stated(kol, heart_failure)
        stated(kol, other)
    EventFactory(topics=[heart_failure, other])
    EventFactory(topics=[other], ends_on=days(-1))
    with django_assert_max_num_queries(5):
        nudges = event_nudges(owner_ids=[owner.pk], today=TODAY)
    assert len(nudges) == count * 2
    assert {n.topics_text for n in nudges} == {"Heart failure and Oncology", "Oncology"}


def test_the_digest_counts_event_nudges(owner, heart_failure):
    kol = KolFactory(owner=owner)
    stated(kol, heart_failure)
    EventFactory(topics=[heart_failure])
    digest = digest_for(owner, today=TODAY)
    assert not digest.is_empty and digest.count == 1 and len(digest.events) == 1


def test_a_user_with_only_an_event_nudge_gets_a_digest(
    owner, heart_failure, monkeypatch, mailoutbox
):
    monkeypatch.setattr(reminders, "publish_sends", lambda ids: ids)  # no broker in tests
    owner.digest_time = datetime.time(0, 0)
    owner.time_zone = "UTC"
    owner.save()
    kol = KolFactory(name="Dr Grace Hopper", owner=owner)
    stated(kol, heart_failure)
    EventFactory(name="ESC Congress 2026", topics=[heart_failure])
    now = timezone.now()

    reminders.dispatch_due_reminders(now=now)
    reminder = Reminder.objects.get(recipient=owner, kind=Reminder.Kind.DIGEST)
    assert reminders.send_reminder(reminder.pk) == Reminder.Status.SENT

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    sentence = (
        "Send an overview of ESC Congress 2026 to Dr Grace Hopper: "
        "they care about Heart failure and missed it."
    )
    assert sentence in mail.body
    html = mail.alternatives[0].content
    assert "Congress overviews" in html and "Dr Grace Hopper" in html
    assert "1 thing" in mail.subject
