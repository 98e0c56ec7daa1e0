"""A property over people everywhere (UTC-12 to UTC+14, days when the clocks change), digest
times and dispatch schedules with gaps: each person with something due gets exactly one
digest per local day on which a dispatch ran after their digest time, and it holds exactly
the follow-ups Today shows them that day. Time is moved, never slept."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from accounts.models import User
from contacts.models import Kol
from engagements.selectors.today import today_lists
from reminders import services as reminders
from reminders.models import Reminder
from tests.engagements.factories import FollowUpFactory
from tests.factories import KolFactory, MembershipFactory, TeamFactory, UserFactory

ZONES = [
    "Etc/GMT+12",  # UTC-12
    "Pacific/Honolulu",
    "America/Los_Angeles",
    "America/New_York",
    "UTC",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Lord_Howe",  # half-hour daylight saving
    "Pacific/Kiritimati",  # UTC+14
]
# 1 November 2026: the United States fall back (Europe did a week before); a day either side.
START = datetime.datetime(2026, 10, 31, 0, 0, tzinfo=datetime.UTC)
HOURS = 52
STEP_MINUTES = 20

people = st.lists(
    st.tuples(
        st.sampled_from(ZONES),
        st.integers(min_value=0, max_value=287).map(lambda n: datetime.time(n // 12, n % 12 * 5)),
        st.lists(st.integers(min_value=-2, max_value=3), max_size=3),  # due days from START
    ),
    min_size=1,
    max_size=3,
)
# Dispatch gaps: the slots (of STEP_MINUTES) on which beat did not run.
gaps = st.sets(st.integers(min_value=0, max_value=HOURS * 60 // STEP_MINUTES - 1), max_size=80)


@pytest.fixture
def no_publish(monkeypatch):
    monkeypatch.setattr(reminders, "publish_sends", lambda ids: ids)


@pytest.mark.django_db
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(cast=people, missing=gaps)
# The edges, tried on every run before the drawn examples: the day's first and last zones
# (UTC-12 and UTC+14, 26 hours apart) with digests at the ends of their days ...
@example(
    cast=[
        ("Etc/GMT+12", datetime.time(23, 55), [0, 1]),
        ("Pacific/Kiritimati", datetime.time(0, 0), [-1, 0, 2]),
    ],
    missing=set(),
)
# ... New York's repeated 01:30 on the night it falls back (06:00 UTC on 1 November), with
# beat down for an hour across it, and Lord Howe's half-hour offset ...
@example(
    cast=[
        ("America/New_York", datetime.time(1, 30), [0, 1, 2]),
        ("Australia/Lord_Howe", datetime.time(0, 30), [-2, 1]),
    ],
    missing={87, 88, 89},
)
# ... and a whole UTC day without beat, and a person with nothing due (no digest at all).
@example(
    cast=[("UTC", datetime.time(8, 0), [0, 1]), ("Europe/Berlin", datetime.time(9, 0), [])],
    missing=set(range(72)),
)
def test_one_digest_per_local_day_holding_what_today_shows(no_publish, cast, missing):
    # Each example starts from nobody (the database outlives examples within one test).
    Reminder.objects.all().delete()
    Kol.objects.all().delete()
    User.objects.all().delete()
    mail.outbox = []
    users = []
    for number, (zone, digest_time, due_days) in enumerate(cast):
        user = UserFactory(email=f"p{number}@example.test", time_zone=zone, digest_time=digest_time)
        user.time_zone, user.digest_time = zone, digest_time
        user.save(update_fields=["time_zone", "digest_time"])
        MembershipFactory(team=TeamFactory(), user=user)
        for offset in due_days:
            FollowUpFactory(
                kol=KolFactory(owner=user),
                owner=user,
                due_on=START.date() + datetime.timedelta(days=offset),
                text=f"follow-up {number}/{offset}",
            )
        users.append(user)

    expected: dict[tuple[int, str], set[str]] = {}  # (user, local day) -> Today's follow-ups
    bodies: dict[tuple[int, str], str] = {}  # (user, local day) -> the digest sent
    for slot in range(HOURS * 60 // STEP_MINUTES):
        if slot in missing:
            continue
        now = START + datetime.timedelta(minutes=slot * STEP_MINUTES)
        for user in users:
            local = now.astimezone(zoneinfo.ZoneInfo(user.time_zone))
            key = (user.pk, local.date().isoformat())
            if local.time() >= user.digest_time and key not in expected:
                shown = today_lists(user, today=local.date()).due
                expected[key] = {f.text for f in shown}
        reminders.dispatch_due_reminders(now=now)
        for row in Reminder.objects.filter(status="pending"):
            if reminders.send_reminder(row.pk, now=now) == "sent":
                bodies[(row.recipient_id, row.due_key)] = mail.outbox[-1].body

    sent = Reminder.objects.filter(kind="digest", status="sent")
    days = list(sent.values_list("recipient_id", "due_key"))
    assert len(days) == len(set(days)), "two digests for one person's day"
    should_get = {key for key, texts in expected.items() if texts}
    assert set(days) == should_get
    assert len(mail.outbox) == len(days)
    for key, body in bodies.items():
        listed = {line.split(": ", 1)[1].split(" (due")[0] for line in _items(body)}
        assert listed == expected[key]


def _items(body: str) -> list[str]:
    """The follow-up lines of the text digest ("- Dr X: text (due ...)")."""
    lines = []
    section = ""
    for line in body.splitlines():
        if line in {"OVERDUE", "DUE TODAY"}:
            section = line
        elif line and line.isupper():
            section = ""
        elif section and line.startswith("- "):
            lines.append(line[2:])
    return lines
