"""Issue 14's findings, each as the fault or the request that showed it: what the outbox
and the mailbox hold afterwards."""

import datetime
import email
import email.policy
import smtplib

import pytest
from django.urls import reverse

from contacts.models import Collaborator, StageChange
from engagements.models import FollowUp
from engagements.services import checkins, followups
from reminders import dispatcher
from reminders import services as reminders
from reminders.models import Reminder
from reminders.selectors import team_summary_for
from reminders.sending import NOTHING_DUE
from reminders.tokens import unsubscribe_token
from tests.conftest import client_for
from tests.engagements.factories import FollowUpFactory
from tests.factories import KolFactory, UserFactory
from tests.reminders.mail_backends import TroubleOnOurSideBackend
from tests.reminders.test_reminders import at, msl, send_all


@pytest.fixture
def no_publish(monkeypatch):
    published = []
    monkeypatch.setattr(reminders, "publish_sends", lambda ids: published.extend(ids) or ids)
    return published


def immediate(user):
    user.immediate_follow_ups = True
    user.save(update_fields=["immediate_follow_ups"])
    return user


# 1. Visibility at dispatch and at send ------------------------------------------------


def test_it_skips_the_old_owners_follow_up_email_after_a_reassignment(db, no_publish, mailoutbox):
    owner = immediate(msl("old@example.test"))
    kol = KolFactory(owner=owner, name="Dr Secret")
    follow_up = FollowUpFactory(kol=kol, owner=owner, due_on=datetime.date(2026, 11, 23))
    now = at("2026-11-23T06:00")
    reminders.dispatch_due_reminders(now=now)
    row = Reminder.objects.get(kind="follow_up")
    # A manager hands the KOL to someone in another team before the send.
    kol.owner = UserFactory(email="new@example.test")
    kol.save(update_fields=["owner"])
    assert reminders.send_reminder(row.pk, now=now) == "skipped"
    row.refresh_from_db()
    assert row.reason == "You no longer work with this KOL."
    assert mailoutbox == []
    # The next dispatch makes no new row for a KOL the old owner cannot see.
    reminders.dispatch_due_reminders(now=now + datetime.timedelta(minutes=5))
    assert Reminder.objects.filter(kind="follow_up").count() == 1
    assert FollowUp.objects.filter(pk=follow_up.pk).exists()


def test_it_leaves_a_removed_collaborators_follow_ups_out_of_their_digest(
    db, no_publish, mailoutbox
):
    owner = msl("owner@example.test")
    helper = msl("helper@example.test")
    kol = KolFactory(owner=owner, name="Dr Hidden")
    collaboration = Collaborator.objects.create(kol=kol, user=helper)
    FollowUpFactory(kol=kol, owner=helper, due_on=datetime.date(2026, 11, 23), text="Hidden")
    collaboration.delete()
    now = at("2026-11-23T07:30")
    reminders.dispatch_due_reminders(now=now)
    assert set(send_all(now)) == {"skipped"}  # the owner's and the helper's: nothing due
    row = Reminder.objects.get(recipient=helper)
    assert (row.status, row.reason) == ("skipped", NOTHING_DUE)
    assert not any("Dr Hidden" in m.body for m in mailoutbox)


# 2. The owner's own date --------------------------------------------------------------


def test_it_schedules_a_check_in_on_the_owners_local_date(db):
    tokyo = msl("tokyo@example.test", "Asia/Tokyo")
    kol = KolFactory(owner=tokyo, next_check_in_on=datetime.date(2026, 11, 24))
    # 23:00 UTC on the 23rd is 08:00 on the 24th in Tokyo: the check-in is due there.
    assert checkins.check_ins_schedule(now=at("2026-11-23T23:00")) == 1
    assert FollowUp.objects.get(kol=kol, kind="check_in").check_in_for == kol.next_check_in_on
    london = msl("london@example.test", "Europe/London")
    other = KolFactory(owner=london, next_check_in_on=datetime.date(2026, 11, 24))
    assert checkins.check_ins_schedule(now=at("2026-11-23T23:00")) == 0
    assert not FollowUp.objects.filter(kol=other).exists()


def test_a_digest_holds_what_today_shows_whatever_other_users_zones(db, no_publish, mailoutbox):
    west = msl("west@example.test", "America/Los_Angeles")
    east = msl("east@example.test", "Pacific/Kiritimati")  # UTC+14
    kol = KolFactory(owner=west, name="Dr West")
    FollowUpFactory(kol=kol, owner=west, due_on=datetime.date(2026, 11, 23), text="Call back")
    KolFactory(owner=east)
    now = at("2026-11-23T07:30", "America/Los_Angeles")
    reminders.dispatch_due_reminders(now=now)
    assert send_all(now) == ["sent"]
    today_page = client_for(west).get(reverse("engagements:today")).content.decode()
    assert "Call back" in today_page
    assert "Call back" in mailoutbox[0].body


def test_moving_west_after_the_days_digest_sends_no_second_one(db, no_publish):
    user = msl("mover@example.test", "Asia/Tokyo")
    FollowUpFactory(kol=KolFactory(owner=user), owner=user, due_on=datetime.date(2026, 11, 23))
    reminders.dispatch_due_reminders(now=at("2026-11-23T07:30", "Asia/Tokyo"))
    user.time_zone = "America/New_York"
    user.save(update_fields=["time_zone"])
    # Later the same hour it is 17:30 on the 22nd in New York.
    reminders.dispatch_due_reminders(now=at("2026-11-23T08:00", "Asia/Tokyo"))
    assert list(Reminder.objects.values_list("due_key", flat=True)) == ["2026-11-23"]


# 3. Check-ins once per cycle ----------------------------------------------------------


def test_a_snoozed_check_in_does_not_come_back_as_a_second_one(db, owner):
    kol = KolFactory(owner=owner, next_check_in_on=datetime.date(2026, 11, 20))
    now = at("2026-11-23T08:00")
    assert checkins.check_ins_schedule(now=now) == 1
    check_in = FollowUp.objects.get(kol=kol, kind="check_in")
    FollowUp.objects.filter(pk=check_in.pk).update(due_on=datetime.date(2026, 11, 30))
    assert checkins.check_ins_schedule(now=now + datetime.timedelta(minutes=5)) == 0
    # Done without logging anything: still this cycle, still no second one.
    FollowUp.objects.filter(pk=check_in.pk).update(status="done")
    assert checkins.check_ins_schedule(now=now + datetime.timedelta(days=1)) == 0
    assert FollowUp.objects.filter(kol=kol, kind="check_in").count() == 1


def test_adding_a_check_in_by_hand_on_the_scheduled_day_is_no_error(db, owner, time_machine):
    time_machine.move_to(at("2026-11-23T08:00"), tick=False)
    kol = KolFactory(owner=owner, next_check_in_on=datetime.date(2026, 11, 23))
    checkins.check_ins_schedule(now=at("2026-11-23T08:00"))
    manual = followups.followup_add(
        kol=kol, by=owner, kind="check_in", text="Call", due_on=datetime.date(2026, 11, 23)
    )
    assert manual.check_in_for is None
    assert FollowUp.objects.filter(kol=kol, kind="check_in").count() == 2
    # A KOL with a check-in added by hand gets none scheduled beside it.
    other = KolFactory(owner=owner, next_check_in_on=datetime.date(2026, 11, 23))
    followups.followup_add(
        kol=other, by=owner, kind="check_in", text="Call", due_on=datetime.date(2026, 11, 23)
    )
    assert checkins.check_ins_schedule(now=at("2026-11-23T08:05")) == 0


# 4. Rows already waiting stop -----------------------------------------------------------


@pytest.mark.parametrize("change", ["preference", "deactivated", "unsubscribed"])
def test_a_waiting_reminder_stops_when_the_person_says_so(db, no_publish, mailoutbox, change):
    user = msl("sam@example.test")
    FollowUpFactory(kol=KolFactory(owner=user), owner=user, due_on=datetime.date(2026, 11, 23))
    now = at("2026-11-23T07:30")
    reminders.dispatch_due_reminders(now=now)
    row = Reminder.objects.get(status="pending")
    if change == "preference":
        client_for(user).post(
            reverse("preferences"),
            {
                "display_name": user.display_name,
                "time_zone": "UTC",
                "digest_time": "07:30",
                "thank_you_after_days": 2,
            },
        )
    elif change == "deactivated":
        user.is_active = False
        user.save(update_fields=["is_active"])
    else:
        token = unsubscribe_token(user, "digest")
        client_for(None).post(reverse("unsubscribe", args=[token]))
    reminders.send_reminder(row.pk, now=now)
    row.refresh_from_db()
    assert row.status == "skipped" and row.reason
    assert mailoutbox == []


# 5. Only the recipient's own refusal is final -------------------------------------------


@pytest.mark.parametrize(
    "error",
    [
        smtplib.SMTPDataError(451, b"4.7.1 Greylisted, try again later"),
        smtplib.SMTPAuthenticationError(535, b"5.7.8 Authentication credentials invalid"),
        smtplib.SMTPSenderRefused(553, b"5.7.1 Sender address rejected", "kolcrm@localhost"),
    ],
    ids=["451-greylisting", "535-expired-password", "553-sender-refused"],
)
def test_trouble_on_our_side_is_retried_and_then_sent(db, no_publish, settings, mailoutbox, error):
    settings.MAILERS = {
        "default": {"BACKEND": "tests.reminders.mail_backends.TroubleOnOurSideBackend"}
    }
    TroubleOnOurSideBackend.ERRORS = [error]
    user = msl("sam@example.test")
    FollowUpFactory(kol=KolFactory(owner=user), owner=user, due_on=datetime.date(2026, 11, 23))
    now = at("2026-11-23T07:30")
    reminders.dispatch_due_reminders(now=now)
    assert send_all(now) == ["pending"]
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    later = Reminder.objects.get().next_attempt_at
    assert send_all(later) == ["sent"]
    assert len(mailoutbox) == 1


# 12. The serialised List-Unsubscribe header ---------------------------------------------


def test_list_unsubscribe_goes_out_as_a_plain_rfc_2369_header(db, no_publish, mailoutbox):
    user = msl("sam@example.test")
    FollowUpFactory(kol=KolFactory(owner=user), owner=user, due_on=datetime.date(2026, 11, 23))
    now = at("2026-11-23T07:30")
    reminders.dispatch_due_reminders(now=now)
    send_all(now)
    raw = mailoutbox[0].message(policy=email.policy.SMTP).as_bytes()
    assert b"=?utf-8?" not in raw.split(b"\r\n\r\n", 1)[0].split(b"List-Unsubscribe:")[1]
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    header = str(parsed["List-Unsubscribe"])
    assert header.startswith("<http://") and header.endswith(">") and "/unsubscribe/" in header
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


# 13. SITE_URL in production: tests/accounts/test_settings.py (production-without-site-url)


# 16. Smaller ------------------------------------------------------------------------------


def test_an_overdue_follow_up_email_says_overdue_not_due_today(db, no_publish, mailoutbox):
    user = immediate(msl("sam@example.test"))
    FollowUpFactory(kol=KolFactory(owner=user), owner=user, due_on=datetime.date(2026, 11, 20))
    now = at("2026-11-23T07:00")
    reminders.dispatch_due_reminders(now=now)
    reminders.send_reminder(Reminder.objects.get(kind="follow_up").pk, now=now)
    assert mailoutbox[0].subject.startswith("Overdue since 20 Nov")


def test_digest_now_says_so_when_nothing_is_due(db, owner, time_machine):
    time_machine.move_to(at("2026-11-23T10:00"), tick=False)
    response = client_for(owner).post(reverse("digest_now"), follow=True)
    assert "Nothing is due right now" in response.content.decode()
    assert not Reminder.objects.exists()


def test_the_digest_lists_todays_check_ins_and_suggested_gives(db, no_publish, mailoutbox):
    user = msl("sam@example.test")
    KolFactory(owner=user, name="Dr Cadence", next_check_in_on=datetime.date(2026, 11, 21))
    now = at("2026-11-23T07:30")
    reminders.dispatch_due_reminders(now=now)  # schedules the check-in, then the digest
    assert send_all(now) == ["sent"]
    assert "Dr Cadence" in mailoutbox[0].body


# Operations -------------------------------------------------------------------------------


def test_health_answers_503_with_the_reason_when_the_dispatcher_stopped(db, client, settings):
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert "dispatcher has not run" in response.json()["problems"][0]
    reminders.dispatch_due_reminders()
    response = client.get(reverse("health"))
    assert response.status_code == 200 and response.json() == {"ok": True, "problems": []}
    assert client.get(reverse("health_live")).status_code == 200


def test_the_health_page_is_for_staff_only(db, owner, admin_client):
    assert client_for(owner).get(reverse("reminders_health")).status_code == 404
    page = admin_client.get(reverse("reminders_health"))
    assert page.status_code == 200 and "Reminders health" in page.content.decode()


def test_two_dispatches_at_once_do_not_both_run(db, no_publish):
    now = at("2026-11-23T08:00")
    token = dispatcher._take_lease(now)
    assert token and reminders.dispatch_due_reminders(now=now).ran is False
    dispatcher._give_back_lease(token, result=dispatcher.DispatchResult(), started=0)
    assert reminders.dispatch_due_reminders(now=now).ran is True


def test_rows_never_published_go_out_before_lost_ones_are_republished(db, no_publish):
    user = msl("sam@example.test")
    now = at("2026-11-23T08:00")
    lost = Reminder.objects.create(
        recipient=user,
        kind="digest",
        due_key="2026-11-22",
        next_attempt_at=now - datetime.timedelta(hours=2),
        enqueued_at=now - datetime.timedelta(hours=1),
    )
    fresh = Reminder.objects.create(
        recipient=user, kind="digest", due_key="2026-11-23", next_attempt_at=now
    )
    assert dispatcher.enqueue_pending(now=now, publish=reminders.publish_sends) == 2
    assert no_publish == [fresh.pk, lost.pk]


def test_the_weekly_summary_counts_the_week_on_the_managers_own_clock(db, manager, kol):
    manager.time_zone = "Pacific/Kiritimati"  # UTC+14
    manager.save(update_fields=["time_zone"])
    monday = datetime.date(2026, 11, 23)
    # 02:00 on Monday the 16th for the manager, still Sunday the 15th in UTC.
    inside = StageChange.objects.create(
        kol=kol, from_stage="establishing", to_stage="developing", changed_by=kol.owner
    )
    StageChange.objects.filter(pk=inside.pk).update(changed_at=at("2026-11-15T12:00"))
    before = StageChange.objects.create(
        kol=kol, from_stage="developing", to_stage="maintaining", changed_by=kol.owner
    )
    StageChange.objects.filter(pk=before.pk).update(changed_at=at("2026-11-15T09:00"))
    summary = team_summary_for(manager, today=monday)
    assert [change.pk for change in summary.stage_changes] == [inside.pk]
