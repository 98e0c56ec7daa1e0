"""The reminder pipeline with frozen clocks: what is due, once, at the user's own hour."""

import datetime
import uuid
import zoneinfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from contacts.models import Kol, Stage
from engagements.models import FollowUp
from engagements.services import ledger, touchpoints
from reminders import services as reminders
from reminders import tasks
from reminders.models import Reminder
from reminders.sending import NOTHING_DUE
from reminders.tokens import unsubscribe_token
from tests.conftest import client_for
from tests.engagements.factories import FollowUpFactory
from tests.factories import KolFactory, MembershipFactory, TeamFactory, UserFactory

UTC = datetime.UTC


def at(text: str, zone: str = "UTC") -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=zoneinfo.ZoneInfo(zone))


@pytest.fixture
def no_publish(monkeypatch):
    """The broker is not under test here: keep what would be published."""
    published = []
    monkeypatch.setattr(reminders, "publish_sends", lambda ids: published.extend(ids) or ids)
    return published


def msl(email: str, zone: str = "UTC", digest: datetime.time = datetime.time(7, 30)):
    user = UserFactory(email=email, time_zone=zone, digest_time=digest)
    MembershipFactory(team=TeamFactory(), user=user)
    return user


def due_follow_up(user, day: datetime.date, **fields) -> FollowUp:
    kol = KolFactory(owner=user, next_check_in_on=day + datetime.timedelta(days=60))
    return FollowUpFactory(kol=kol, owner=user, due_on=day, **fields)


def send_all(now: datetime.datetime) -> list[str]:
    return [
        reminders.send_reminder(pk, now=now)
        for pk in Reminder.objects.filter(status="pending").values_list("pk", flat=True)
    ]


def test_a_digest_goes_out_once_however_often_the_dispatcher_runs(db, no_publish, mailoutbox):
    user = msl("sam@example.test")
    due_follow_up(user, datetime.date(2026, 11, 23), text="Send the registry protocol")
    now = at("2026-11-23T07:35")
    for _ in range(3):
        reminders.dispatch_due_reminders(now=now)
    assert Reminder.objects.filter(kind="digest").count() == 1
    assert send_all(now) == ["sent"]
    assert send_all(now) == []
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["sam@example.test"]
    assert "Send the registry protocol" in message.body
    assert "Send the registry protocol" in message.alternatives[0].content
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/unsubscribe/" in message.extra_headers["List-Unsubscribe"]
    reminder = Reminder.objects.get()
    assert (reminder.status, reminder.attempts, reminder.subject) == (
        "sent",
        1,
        "Today: 1 thing to do for your KOLs",
    )


def test_no_digest_when_nothing_is_due(db, no_publish):
    user = msl("sam@example.test")
    due_follow_up(user, datetime.date(2026, 11, 30))
    now = at("2026-11-23T09:00")
    reminders.dispatch_due_reminders(now=now)
    assert send_all(now) == ["skipped"]
    # Decided once, with Today's lists: recorded, not sent, not on the Sent reminders page.
    assert list(Reminder.objects.values_list("status", "reason")) == [("skipped", NOTHING_DUE)]
    assert not client_for(user).get(reverse("sent_reminders")).context["page"].object_list


def test_each_user_gets_the_digest_at_their_own_local_hour(db, no_publish):
    la = msl("la@example.test", "America/Los_Angeles")  # UTC-8 in November
    tokyo = msl("tokyo@example.test", "Asia/Tokyo")  # UTC+9
    due_follow_up(la, datetime.date(2026, 11, 23))
    due_follow_up(tokyo, datetime.date(2026, 11, 23))

    def digests():
        made = Reminder.objects.exclude(status="skipped")  # skipped: nothing due that day
        return set(made.values_list("recipient__email", "due_key"))

    def dispatch(now):
        reminders.dispatch_due_reminders(now=now)
        send_all(now)

    dispatch(at("2026-11-22T22:29", "UTC"))  # Tokyo 07:29
    assert digests() == set()
    dispatch(at("2026-11-22T22:30", "UTC"))  # Tokyo 07:30
    assert digests() == {("tokyo@example.test", "2026-11-23")}
    dispatch(at("2026-11-23T15:25", "UTC"))  # LA 07:25
    assert ("la@example.test", "2026-11-23") not in digests()
    dispatch(at("2026-11-23T15:30", "UTC"))  # LA 07:30
    assert digests() == {("tokyo@example.test", "2026-11-23"), ("la@example.test", "2026-11-23")}


@pytest.mark.parametrize("day", ["2026-03-08", "2026-11-01"], ids=["spring-forward", "fall-back"])
def test_daylight_saving_changes_neither_skip_nor_double_the_digest(db, no_publish, day):
    user = msl("ny@example.test", "America/New_York", digest=datetime.time(1, 30))
    start = at(f"{day}T00:00", "America/New_York").astimezone(UTC)
    due_follow_up(user, datetime.date.fromisoformat(day) - datetime.timedelta(days=1))
    for step in range(0, 26 * 12):  # every 5 minutes through the 23- or 25-hour day
        reminders.dispatch_due_reminders(now=start + datetime.timedelta(minutes=5 * step))
    local_days = sorted(Reminder.objects.values_list("due_key", flat=True))
    assert local_days[0] == day and len(local_days) == len(set(local_days))
    assert local_days.count(day) == 1


def test_a_due_check_in_becomes_a_follow_up_once_per_cycle(db, no_publish, owner):
    kol = KolFactory(
        owner=owner, stage=Stage.DEVELOPING, next_check_in_on=datetime.date(2026, 11, 20)
    )
    for _ in range(2):
        reminders.dispatch_due_reminders(now=at("2026-11-22T06:00"))
    check_in = FollowUp.objects.get(kol=kol, kind="check_in")
    assert check_in.due_on == datetime.date(2026, 11, 20) and check_in.owner == owner
    assert "60 days" in check_in.text
    # Skipped without an interaction: the clock has not moved, nothing new is scheduled.
    FollowUp.objects.filter(pk=check_in.pk).update(status="skipped")
    reminders.dispatch_due_reminders(now=at("2026-11-23T06:00"))
    assert FollowUp.objects.filter(kol=kol, kind="check_in").count() == 1


def test_a_touchpoint_completes_the_check_in_and_resets_the_clock(db, no_publish, owner):
    with time_machine.travel(at("2026-11-22T10:00"), tick=False):
        kol = KolFactory(owner=owner, next_check_in_on=datetime.date(2026, 11, 20))
        reminders.dispatch_due_reminders()
        touchpoints.touchpoint_log(
            kol=kol,
            by=owner,
            data={"kind": "phone", "summary": "Caught up", "occurred_at": timezone.now()},
            form_token=uuid.uuid4(),
        )
        check_in = FollowUp.objects.get(kol=kol, kind="check_in")
        assert check_in.status == "done"
        kol = Kol.objects.get(pk=kol.pk)
        assert kol.next_check_in_on == datetime.date(2026, 12, 22)  # establishing: 30 days
        reminders.dispatch_due_reminders()
    assert FollowUp.objects.filter(kol=kol, kind="check_in").count() == 1


def test_a_give_resets_the_clock_so_no_check_in_is_scheduled(db, no_publish, owner):
    with time_machine.travel(at("2026-11-22T10:00"), tick=False):
        kol = KolFactory(
            owner=owner, stage=Stage.MAINTAINING, next_check_in_on=datetime.date(2026, 11, 21)
        )
        ledger.give_log(
            kol=kol, by=owner, data={"kind": "literature", "given_on": datetime.date(2026, 11, 22)}
        )
        assert Kol.objects.get(pk=kol.pk).next_check_in_on == datetime.date(2027, 2, 20)
        reminders.dispatch_due_reminders()
    assert not FollowUp.objects.filter(kind="check_in").exists()


def test_an_immediate_email_per_follow_up_for_those_who_want_it(db, no_publish, mailoutbox):
    user = msl("eager@example.test")
    user.immediate_follow_ups = True
    user.digest_enabled = False
    user.save()
    follow_up = due_follow_up(user, datetime.date(2026, 11, 23), text="Call about the IIS")
    now = at("2026-11-23T05:00")
    reminders.dispatch_due_reminders(now=now)
    reminders.dispatch_due_reminders(now=now)
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.object_key) == ("follow_up", f"followup:{follow_up.pk}")
    send_all(now)
    assert len(mailoutbox) == 1 and "Call about the IIS" in mailoutbox[0].body
    # Done before the email goes out: nothing is sent, and the Sent page says why.
    FollowUp.objects.filter(pk=follow_up.pk).update(status="done")
    second = due_follow_up(user, datetime.date(2026, 11, 23))
    reminders.dispatch_due_reminders(now=now)
    FollowUp.objects.filter(pk=second.pk).update(status="done")
    assert send_all(now) == ["skipped"]


def test_the_weekly_team_summary_goes_to_managers_on_mondays(db, no_publish, mailoutbox):
    manager = UserFactory(email="lead@example.test", digest_time=datetime.time(8, 0))
    team = TeamFactory()
    MembershipFactory(team=team, user=manager, role=Membership.Role.MANAGER)
    member = msl("member@example.test")
    MembershipFactory(team=team, user=member)
    KolFactory(
        owner=member,
        name="Dr Long Overdue",
        next_check_in_on=datetime.date(2026, 6, 1),
        created_at=at("2026-01-01T00:00"),
    )
    reminders.dispatch_due_reminders(now=at("2026-11-22T09:00"))  # a Sunday
    assert not Reminder.objects.filter(kind="manager_weekly").exists()
    with time_machine.travel(at("2026-11-23T09:00"), tick=False):  # a Monday
        reminders.dispatch_due_reminders()
        reminder = Reminder.objects.get(kind="manager_weekly")
        assert reminders.send_reminder(reminder.pk) == "sent"
    assert "Dr Long Overdue" in mailoutbox[0].body


def test_two_sends_of_one_row_send_one_email(db, no_publish, mailoutbox):
    user = msl("sam@example.test")
    due_follow_up(user, datetime.date(2026, 11, 23))
    now = at("2026-11-23T08:00")
    reminders.dispatch_due_reminders(now=now)
    pk = Reminder.objects.get().pk
    assert reminders.send_reminder(pk, now=now) == "sent"
    assert reminders.send_reminder(pk, now=now) == "not claimed"
    assert len(mailoutbox) == 1


def test_a_refused_address_fails_for_good_with_the_servers_reason(db, no_publish, settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.reminders.mail_backends.RefusingBackend"}}
    user = msl("gone@example.test")
    due_follow_up(user, datetime.date(2026, 11, 23))
    now = at("2026-11-23T08:00")
    reminders.dispatch_due_reminders(now=now)
    assert send_all(now) == ["failed"]
    reminder = Reminder.objects.get()
    assert reminder.status == "failed" and "User unknown" in reminder.last_error
    page = client_for(user).get(reverse("sent_reminders")).content.decode()
    assert "Refused by the recipient" in page and "User unknown" in page


def test_an_unreachable_server_is_retried_until_the_day_is_over_then_expires(
    db, no_publish, settings
):
    settings.MAILERS = {"default": {"BACKEND": "tests.reminders.mail_backends.UnavailableBackend"}}
    user = msl("sam@example.test")
    due_follow_up(user, datetime.date(2026, 11, 23))
    now = at("2026-11-23T08:00")
    reminders.dispatch_due_reminders(now=now)
    pk = Reminder.objects.get().pk
    assert reminders.send_reminder(pk, now=now) == "pending"
    reminder = Reminder.objects.get()
    assert reminder.next_attempt_at == now + datetime.timedelta(minutes=1)
    assert "Connection refused" in reminder.last_error
    assert reminders.send_reminder(pk, now=now) == "not claimed"  # not before its time
    waits = []
    status = "pending"
    while status == "pending":
        before = Reminder.objects.get().next_attempt_at
        status = reminders.send_reminder(pk, now=before)
        waits.append((Reminder.objects.get().next_attempt_at - before).total_seconds() // 60)
    # 1, 2, 4, 8, then every 15 minutes: never "failed" because of our own mail server.
    assert waits[:5] == [2, 4, 8, 15, 15]
    reminder = Reminder.objects.get()
    assert status == "expired" and reminder.status == "expired"
    assert reminder.attempts > 60  # it kept trying the whole (UTC) day
    page = client_for(user).get(reverse("sent_reminders")).content.decode()
    assert "Not sent in time" in page


def test_the_sweep_re_enqueues_lost_messages_and_resets_dead_workers(db, no_publish):
    user = msl("sam@example.test")
    due_follow_up(user, datetime.date(2026, 11, 23))
    now = at("2026-11-23T08:00")
    reminders.dispatch_due_reminders(now=now)
    pk = Reminder.objects.get().pk
    assert no_publish == [pk]
    reminders.dispatch_due_reminders(now=now + datetime.timedelta(minutes=5))
    assert no_publish == [pk]  # enqueued recently: not again
    reminders.dispatch_due_reminders(now=now + datetime.timedelta(minutes=11))
    assert no_publish == [pk, pk]  # the message was lost: published again
    Reminder.objects.filter(pk=pk).update(status="sending", claimed_at=now)
    reminders.dispatch_due_reminders(now=now + datetime.timedelta(minutes=30))
    assert Reminder.objects.get(pk=pk).status == "pending"


def test_a_broker_outage_never_raises_and_leaves_rows_pending(db, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(tasks.send_reminders, "apply_async", broken)
    user = msl("sam@example.test")
    due_follow_up(user, datetime.date(2026, 11, 23))
    result = reminders.dispatch_due_reminders(now=at("2026-11-23T08:00"))
    assert result.enqueued == 0
    reminder = Reminder.objects.get()
    assert reminder.status == "pending" and reminder.enqueued_at is None


def test_send_me_my_digest_now_is_rate_limited(owner_client, owner, no_publish, mailoutbox):
    due_follow_up(owner, timezone.localdate())
    url = reverse("digest_now")
    assert owner_client.get(url).status_code == 405
    owner_client.post(url)
    owner_client.post(url)
    assert Reminder.objects.filter(recipient=owner).count() == 1
    send_all(timezone.now())
    assert len(mailoutbox) == 1


def test_unsubscribe_asks_on_get_and_acts_on_post_without_login(db):
    user = msl("sam@example.test")
    url = reverse("unsubscribe", args=[unsubscribe_token(user, "digest")])
    client = Client(enforce_csrf_checks=True)  # one-click POSTs carry no CSRF token
    page = client.get(url)
    assert page.status_code == 200 and "Stop the daily digest?" in page.content.decode()
    user.refresh_from_db()
    assert user.digest_enabled  # a GET (a mail scanner's prefetch) changes nothing
    done = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    user.refresh_from_db()
    assert not user.digest_enabled


@pytest.mark.parametrize("mangle", [lambda t: t[:-2] + "xx", lambda t: "x" + t, lambda t: "abc"])
def test_a_forged_or_tampered_unsubscribe_link_changes_nothing(db, mangle):
    user = msl("sam@example.test")
    url = reverse("unsubscribe", args=[mangle(unsubscribe_token(user, "digest"))])
    response = Client().post(url)
    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    user.refresh_from_db()
    assert user.digest_enabled


def test_an_expired_unsubscribe_link_is_refused(db):
    user = msl("sam@example.test")
    with time_machine.travel(at("2024-01-01T00:00"), tick=False):
        token = unsubscribe_token(user, "digest")
    response = Client().post(reverse("unsubscribe", args=[token]))
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.digest_enabled


def test_the_sent_page_lists_only_my_reminders(owner_client, owner, outsider):
    Reminder.objects.create(
        recipient=owner,
        kind="digest",
        due_key="2026-11-20",
        status="sent",
        subject="Today: 3 things to do",
    )
    Reminder.objects.create(
        recipient=outsider,
        kind="digest",
        due_key="2026-11-20",
        status="sent",
        subject="Someone else's digest",
    )
    page = owner_client.get(reverse("sent_reminders")).content.decode()
    assert "Today: 3 things to do" in page and "Someone else" not in page
    assert Client().get(reverse("sent_reminders")).status_code == 302
