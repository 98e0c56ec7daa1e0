"""The reminder pipeline: the dispatcher writes outbox rows; a send claims one and mails it.

Delivery guarantee (the same for every reminder email): **at least once**, with duplicates
possible only in one narrow window.
- A row is created once (unique key), and sent only by whoever claims it with a conditional
  UPDATE pending -> sending; a second enqueue, a second worker or a retried message finds
  nothing to claim.
- The mail is sent outside any database transaction, then the outcome is recorded.
- A worker that dies between claiming and recording leaves the row in "sending". After
  SENDING_TIMEOUT the dispatcher's sweep puts it back to "pending" and it is sent again.
  If the worker died *after* the mail server accepted the message, that is a duplicate: we
  prefer an occasional second reminder to a lost one, because a lost reminder is what makes
  people stop trusting the tool.
- A lost broker message (Redis down, restarted, message dropped) leaves the row "pending";
  the sweep re-enqueues it after ENQUEUE_TIMEOUT. Nothing due is ever only in Redis.
"""

import datetime
import logging
import smtplib
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from contacts.models import STAGE_CADENCE_DAYS
from engagements.emails import absolute, build_email
from engagements.models import FollowUp, Reminder
from engagements.selectors import due
from engagements.tokens import unsubscribe_token
from reviews.services.reviews import stage_reviews_mark_seen

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
SENDING_TIMEOUT = datetime.timedelta(minutes=10)
ENQUEUE_TIMEOUT = datetime.timedelta(minutes=10)
BATCH = 1000
PUBLISH_CHUNK = 25


def backoff(attempts: int) -> datetime.timedelta:
    """2, 4, 8, 16 minutes between tries."""
    return datetime.timedelta(minutes=2**attempts)


@dataclass
class DispatchResult:
    check_ins_scheduled: int = 0
    reminders_created: int = 0
    stuck_reset: int = 0
    enqueued: int = 0


# One statement each, whatever the number of KOLs: building 20,000 model instances in
# Python took seconds at 100,000 KOLs (bench_reminders); the database does it in one pass.
# The partial unique index followup_check_in_once makes a second run insert nothing.
SCHEDULE_CHECK_INS_SQL = """
INSERT INTO engagements_followup
    (kol_id, owner_id, due_on, kind, text, status, created_at)
SELECT k.id, k.owner_id, k.next_check_in_on, 'check_in',
       'Check in with ' || k.name || ': it has been '
       || CAST(COALESCE(k.cadence_days, CASE k.stage
              WHEN 'establishing' THEN %(establishing)s
              WHEN 'developing' THEN %(developing)s
              ELSE %(maintaining)s END) AS VARCHAR(8))
       || ' days since you were last in touch.',
       'open', %(now)s
FROM contacts_kol k
WHERE k.is_archived = %(false)s AND k.next_check_in_on <= %(today)s
ON CONFLICT DO NOTHING
"""
# The History panel records system-scheduled check-ins too (no actor: the system did it).
AUDIT_CHECK_INS_SQL = """
INSERT INTO contacts_auditentry
    (kol_id, actor_id, at, action, subject, subject_id, summary, changes)
SELECT f.kol_id, NULL, %(now)s, 'created', 'follow-up', f.id, SUBSTR(f.text, 1, 300), '{}'
FROM engagements_followup f
WHERE f.kind = 'check_in' AND f.created_at = %(now)s
"""


def schedule_check_ins(*, today: datetime.date, now: datetime.datetime) -> int:
    """A due check-in becomes a follow-up for the owner, once per cadence cycle."""
    params = {
        "now": now,
        "today": today,
        "false": False,
        **{stage.value: days for stage, days in STAGE_CADENCE_DAYS.items()},
    }
    with connection.cursor() as cursor:
        cursor.execute(SCHEDULE_CHECK_INS_SQL, params)
        created = cursor.rowcount
        if created:
            cursor.execute(AUDIT_CHECK_INS_SQL, {"now": now})
    return created


def _outbox_rows(now: datetime.datetime) -> list[Reminder]:
    rows = []
    digest_users = due.users_whose_hour_has_come(now=now, field_name="digest_enabled")
    with_something_due = due.users_with_something_due(digest_users)
    rows += [
        Reminder(
            recipient=user,
            kind=Reminder.Kind.DIGEST,
            object_key="",
            due_key=str(day),
            created_at=now,
            next_attempt_at=now,
        )
        for user, day in digest_users
        if user.pk in with_something_due
    ]
    rows += [
        Reminder(
            recipient_id=follow_up.owner_id,
            kind=Reminder.Kind.FOLLOW_UP,
            object_key=f"followup:{follow_up.pk}",
            due_key=str(follow_up.due_on),
            created_at=now,
            next_attempt_at=now,
        )
        for follow_up in due.follow_ups_for_immediate_email(now=now)
    ]
    managers = due.users_whose_hour_has_come(now=now, field_name="manager_summary_enabled")
    manager_ids = set(
        User.objects.filter(
            pk__in=[user.pk for user, _ in managers], memberships__role="manager"
        ).values_list("pk", flat=True)
    )
    rows += [
        Reminder(
            recipient=user,
            kind=Reminder.Kind.MANAGER_WEEKLY,
            due_key=str(day),
            created_at=now,
            next_attempt_at=now,
        )
        for user, day in managers
        if user.pk in manager_ids and day.weekday() == 0  # Mondays, at their digest time
    ]
    return rows


def dispatch_due_reminders(*, now: datetime.datetime | None = None) -> DispatchResult:
    """Find what is due, write it to the outbox once, and enqueue what waits to be sent."""
    now = now or timezone.now()
    result = DispatchResult()
    with transaction.atomic():
        result.check_ins_scheduled = schedule_check_ins(today=timezone.localdate(now), now=now)
        rows = _outbox_rows(now)
        # ON CONFLICT DO NOTHING: a second run, or two beats at once, adds nothing.
        Reminder.objects.bulk_create(rows, ignore_conflicts=True, batch_size=BATCH)
        result.reminders_created = Reminder.objects.filter(created_at=now).count()
        # A worker died while sending: at-least-once, so the row goes back to pending.
        result.stuck_reset = Reminder.objects.filter(
            status=Reminder.Status.SENDING, claimed_at__lt=now - SENDING_TIMEOUT
        ).update(status=Reminder.Status.PENDING, next_attempt_at=now)
    result.enqueued = enqueue_pending(now=now)
    return result


def enqueue_pending(*, now: datetime.datetime) -> int:
    """Publish "send row N" for pending rows never enqueued, or enqueued long ago (lost)."""
    ids = list(
        Reminder.objects.filter(status=Reminder.Status.PENDING, next_attempt_at__lte=now)
        .filter(Q(enqueued_at=None) | Q(enqueued_at__lt=now - ENQUEUE_TIMEOUT))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[: BATCH * 10]
    )
    published = publish_sends(ids)
    if published:
        Reminder.objects.filter(pk__in=published).update(enqueued_at=now)
    return len(published)


def publish_sends(ids: list[int]) -> list[int]:
    """Send the ids to the broker. A broker outage is logged, never raised: the rows stay
    pending and the next dispatch publishes them again."""
    from engagements.tasks import send_reminders  # tasks import this module

    published: list[int] = []
    if not ids:
        return published
    try:
        # One producer (one connection) for the whole batch, and a few ids per message:
        # 10,000 one-id messages took seconds to publish at 100,000 KOLs (bench_reminders).
        with send_reminders.app.producer_or_acquire() as producer:
            for start in range(0, len(ids), PUBLISH_CHUNK):
                chunk = ids[start : start + PUBLISH_CHUNK]
                send_reminders.apply_async(args=[chunk], retry=False, producer=producer)
                published.extend(chunk)
    except Exception:  # kombu/redis raise many kinds; all mean "not published now"
        logger.warning(
            "Broker unavailable: %d reminders wait for the next dispatch",
            len(ids) - len(published),
            exc_info=True,
        )
    return published


def request_dispatch() -> None:
    """Ask for a dispatch soon (after a commit); harmless if the broker is down."""
    from engagements.tasks import dispatch_due_reminders as task

    try:
        task.apply_async(retry=False)
    except Exception:
        logger.warning(
            "Broker unavailable: the scheduled dispatch will pick this up", exc_info=True
        )


# Sending ------------------------------------------------------------------------------


def _unsubscribe_url(user: User, kind: str) -> str:
    return absolute(reverse("unsubscribe", args=[unsubscribe_token(user, kind)]))


def build_reminder_email(reminder: Reminder, *, now: datetime.datetime):
    """The email for an outbox row, built from what is due *now*; None if nothing is."""
    user = reminder.recipient
    today = due.local_now(user, now).date()
    unsubscribe = _unsubscribe_url(user, reminder.kind)
    if reminder.kind == Reminder.Kind.DIGEST:
        digest = due.digest_for(user, today=today)
        if digest.is_empty:
            return None
        return build_email(
            "digest", to=user, context={"digest": digest}, unsubscribe_url=unsubscribe
        )
    if reminder.kind == Reminder.Kind.FOLLOW_UP:
        follow_up_id = int(reminder.object_key.split(":", 1)[1])
        follow_up = (
            FollowUp.objects.filter(pk=follow_up_id, status=FollowUp.Status.OPEN)
            .select_related("kol")
            .first()
        )
        if follow_up is None:
            return None
        return build_email(
            "follow_up", to=user, context={"follow_up": follow_up}, unsubscribe_url=unsubscribe
        )
    summary = due.team_summary_for(user, today=today)
    if summary.is_empty:
        return None
    return build_email(
        "manager_weekly", to=user, context={"summary": summary}, unsubscribe_url=unsubscribe
    )


def _permanent(error: Exception) -> bool:
    """The mail server refused for good (5xx): retrying would not help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return True
    code = getattr(error, "smtp_code", None)
    return isinstance(code, int) and 500 <= code < 600


def send_reminder(reminder_id: int, *, now: datetime.datetime | None = None) -> str:
    """Claim, send outside any transaction, record. Returns the row's new status."""
    now = now or timezone.now()
    claimed = Reminder.objects.filter(
        pk=reminder_id, status=Reminder.Status.PENDING, next_attempt_at__lte=now
    ).update(status=Reminder.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if claimed != 1:
        return "not claimed"
    reminder = Reminder.objects.select_related("recipient").get(pk=reminder_id)
    listed_reviews: list[int] = []
    try:
        if reminder.kind == Reminder.Kind.DIGEST:
            # Read before building: each id here is listed too (the digest reads after), so
            # none is marked seen unlisted; one added meanwhile waits for the next digest.
            listed_reviews = list(
                due.unseen_reviews(owner_ids=[reminder.recipient_id]).values_list("pk", flat=True)
            )
        message = build_reminder_email(reminder, now=now)
        if message is None:
            _record(reminder, status=Reminder.Status.SKIPPED)
            return Reminder.Status.SKIPPED
        message.send()
    except Exception as error:
        reason = f"{type(error).__name__}: {error}"[:1000]
        if _permanent(error) or reminder.attempts >= MAX_ATTEMPTS:
            _record(reminder, status=Reminder.Status.FAILED, last_error=reason)
            logger.error("Reminder %s failed for good: %s", reminder_id, reason)
            return Reminder.Status.FAILED
        _record(
            reminder,
            status=Reminder.Status.PENDING,
            last_error=reason,
            next_attempt_at=now + backoff(reminder.attempts),
            enqueued_at=None,
        )
        logger.warning("Reminder %s will be retried: %s", reminder_id, reason)
        return Reminder.Status.PENDING
    _record(
        reminder,
        status=Reminder.Status.SENT,
        sent_at=timezone.now(),
        subject=message.subject[:200],
        last_error="",
    )
    # The digest told the MSL about these reviews: they count as seen.
    stage_reviews_mark_seen(ids=listed_reviews)
    return Reminder.Status.SENT


def _record(reminder: Reminder, **fields) -> None:
    # Only the claimer (status "sending") records; a row reset by the sweep is left alone.
    Reminder.objects.filter(pk=reminder.pk, status=Reminder.Status.SENDING).update(**fields)


def digest_now(*, user: User, now: datetime.datetime | None = None) -> Reminder | None:
    """ "Send me my digest now": at most one per 10 minutes (the due key is the slot)."""
    now = now or timezone.now()
    slot = now.replace(minute=now.minute - now.minute % 10, second=0, microsecond=0)
    reminder, created = Reminder.objects.get_or_create(
        recipient=user,
        kind=Reminder.Kind.DIGEST,
        object_key="now",
        due_key=slot.strftime("%Y-%m-%dT%H:%M"),
    )
    if not created:
        return None
    transaction.on_commit(lambda: publish_sends([reminder.pk]))
    return reminder
