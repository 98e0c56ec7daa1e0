"""The reminder pipeline: the dispatcher writes outbox rows; a send claims one and mails it.

Delivery guarantee (the same for every reminder email): **at least once**, with a duplicate
possible in one window only: a worker *process* that dies (SIGKILL, power loss) after the
mail server accepted the message and before the row was marked sent.
- A row is created once (unique key), and sent only by whoever claims it with a conditional
  UPDATE pending -> sending; a second enqueue, a second worker or a retried message finds
  nothing to claim. One dispatch runs at a time (a lease on DispatchRun).
- The mail is sent outside any database transaction, then the outcome is recorded. Once the
  server accepted, the row is recorded sent, whatever happens next: a time limit firing
  then does not turn it into a retry, and a lost database connection is reconnected and
  the record retried (RECORD_TRIES).
- A worker that dies between claiming and recording leaves the row in "sending". After
  SENDING_TIMEOUT the dispatcher's sweep puts it back to "pending" and it is sent again:
  that is the window above. We prefer an occasional second reminder to a lost one.
- A lost broker message (Redis down, restarted, frozen) leaves the row "pending"; the sweep
  re-publishes it after ENQUEUE_TIMEOUT, rows never published first.
- Our mail server or its connection failing (4xx, 5xx about the sender or the login, a
  timeout) is retried with backoff for as long as the reminder is useful: a digest until
  the recipient's local day is over, a follow-up until it is done. Then the row ends
  "expired". Only the recipient's server refusing that address for good (5xx at RCPT)
  ends it "failed".
- At send time the row is checked again (reminders.selectors.why_not_send): the recipient is
  active, still wants this email, still sees the KOL; if not it ends "skipped" with the
  reason, and nothing of the KOL goes out.
"""

import datetime
import logging
import smtplib
import threading
import time
import uuid
from dataclasses import asdict, dataclass

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import CharField, DateTimeField, F, IntegerField, Q, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from common.emails import absolute, build_email
from engagements.services.checkins import check_ins_schedule
from reminders import selectors
from reminders.models import DispatchRun, Reminder
from reminders.tokens import unsubscribe_token
from reviews.services.reviews import stage_reviews_mark_seen

logger = logging.getLogger(__name__)

SENDING_TIMEOUT = datetime.timedelta(minutes=10)
ENQUEUE_TIMEOUT = datetime.timedelta(minutes=10)
# Past this, a second dispatcher may take over the lease of one that died.
DISPATCH_LEASE = datetime.timedelta(minutes=4)
BATCH = 1000
PUBLISH_CHUNK = 25
MAX_BACKOFF_MINUTES = 15
RECORD_TRIES = 6
DIGEST_NOW_SLOT_MINUTES = 10


def backoff(attempts: int) -> datetime.timedelta:
    """1, 2, 4, 8, then every 15 minutes: an hour's outage is over within 15 minutes."""
    return datetime.timedelta(minutes=min(2 ** max(attempts - 1, 0), MAX_BACKOFF_MINUTES))


@dataclass
class DispatchResult:
    check_ins_scheduled: int = 0
    reminders_created: int = 0
    expired: int = 0
    stuck_reset: int = 0
    enqueued: int = 0
    ran: bool = True


def _end_of_local_day(user: User, day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(
        day + datetime.timedelta(days=1), datetime.time(), tzinfo=user.zone
    )


NOTHING_DUE = "Nothing was due at your digest time, so no email."


def _digest_row(user: User, day: datetime.date, now: datetime.datetime) -> Reminder:
    """Today's digest for `user`. Whether anything is due is decided when it is sent, with
    Today's own lists (a day with nothing due ends skipped and sends nothing): the
    dispatcher stays a fixed handful of queries, whatever the number of people and KOLs."""
    return Reminder(
        recipient=user,
        kind=Reminder.Kind.DIGEST,
        object_key="",
        due_key=day.isoformat(),
        created_at=now,
        next_attempt_at=now,
        # A digest is worth sending until the recipient's day is over.
        expires_at=_end_of_local_day(user, day),
    )


def _outbox_rows(now: datetime.datetime) -> list[Reminder]:
    rows = [
        _digest_row(user, day, now)
        for user, day in selectors.users_whose_hour_has_come(now=now, field_name="digest_enabled")
    ]
    managers = selectors.users_whose_hour_has_come(now=now, field_name="manager_summary_enabled")
    manager_ids = set(
        User.objects.filter(
            pk__in=[user.pk for user, _ in managers], memberships__role="manager"
        ).values_list("pk", flat=True)
    )
    rows += [
        Reminder(
            recipient=user,
            kind=Reminder.Kind.MANAGER_WEEKLY,
            due_key=day.isoformat(),
            created_at=now,
            next_attempt_at=now,
            expires_at=_end_of_local_day(user, day + datetime.timedelta(days=6)),
        )
        for user, day in managers
        if user.pk in manager_ids and day.weekday() == 0  # Mondays, at their digest time
    ]
    return rows


def _take_lease(now: datetime.datetime) -> str | None:
    """One dispatch at a time: a conditional UPDATE of DispatchRun's one row."""
    DispatchRun.objects.get_or_create(pk=1)
    token = uuid.uuid4().hex
    taken = (
        DispatchRun.objects.filter(pk=1)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(locked_until=now + DISPATCH_LEASE, lock_token=token, started_at=now)
    )
    return token if taken else None


def _give_back_lease(token: str, *, result: DispatchResult, started: float) -> None:
    DispatchRun.objects.filter(pk=1, lock_token=token).update(
        locked_until=None,
        lock_token="",
        finished_at=timezone.now(),
        duration_ms=int((time.monotonic() - started) * 1000),
        result=asdict(result),
    )


# One statement for the follow-up emails: 20,000 model instances built in Python took most
# of a dispatch at 100,000 KOLs (bench_reminders). No expiry: tried until it is done.
INSERT_FOLLOW_UP_REMINDERS_SQL = """
INSERT INTO engagements_reminder
    (recipient_id, kind, object_key, due_key, status, reason, attempts, last_error, subject,
     created_at, next_attempt_at)
{select}
ON CONFLICT DO NOTHING
"""


def _insert_follow_up_reminders(now: datetime.datetime) -> None:
    rows = selectors.follow_ups_for_immediate_email(now=now).annotate(
        r_kind=Value(Reminder.Kind.FOLLOW_UP.value, output_field=CharField()),
        r_object_key=Concat(Value("followup:"), Cast("pk", CharField()), output_field=CharField()),
        r_due_key=Cast("due_on", CharField()),
        r_status=Value(Reminder.Status.PENDING.value, output_field=CharField()),
        r_reason=Value("", output_field=CharField()),
        r_attempts=Value(0, output_field=IntegerField()),
        r_error=Value("", output_field=CharField()),
        r_subject=Value("", output_field=CharField()),
        r_created=Value(now, output_field=DateTimeField()),
        r_next=Value(now, output_field=DateTimeField()),
    )
    select = rows.order_by().values_list(
        "owner_id",
        "r_kind",
        "r_object_key",
        "r_due_key",
        "r_status",
        "r_reason",
        "r_attempts",
        "r_error",
        "r_subject",
        "r_created",
        "r_next",
    )
    sql, params = select.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(INSERT_FOLLOW_UP_REMINDERS_SQL.format(select=sql), params)


def dispatch_due_reminders(*, now: datetime.datetime | None = None) -> DispatchResult:
    """Find what is due, write it to the outbox once, and enqueue what waits to be sent."""
    now = now or timezone.now()
    token = _take_lease(now)
    if token is None:
        logger.info("reminder_dispatch outcome=skipped reason=another-dispatch-running")
        return DispatchResult(ran=False)
    started = time.monotonic()
    result = DispatchResult()
    try:
        with transaction.atomic():
            result.check_ins_scheduled = check_ins_schedule(now=now)
            rows = _outbox_rows(now)
            # ON CONFLICT DO NOTHING: a second run, or two beats at once, adds nothing.
            Reminder.objects.bulk_create(rows, ignore_conflicts=True, batch_size=BATCH)
            _insert_follow_up_reminders(now)
            result.reminders_created = Reminder.objects.filter(created_at=now).count()
            result.expired = Reminder.objects.filter(
                status=Reminder.Status.PENDING, expires_at__lte=now
            ).update(status=Reminder.Status.EXPIRED, reason=EXPIRED_REASON)
            # A worker died while sending: at-least-once, so the row goes back to pending.
            result.stuck_reset = Reminder.objects.filter(
                status=Reminder.Status.SENDING, claimed_at__lt=now - SENDING_TIMEOUT
            ).update(status=Reminder.Status.PENDING, next_attempt_at=now, enqueued_at=None)
        result.enqueued = enqueue_pending(now=now)
    finally:
        _give_back_lease(token, result=result, started=started)
    logger.info(
        "reminder_dispatch outcome=done %s duration_ms=%d",
        " ".join(f"{key}={value}" for key, value in asdict(result).items()),
        (time.monotonic() - started) * 1000,
    )
    return result


EXPIRED_REASON = "Not sent in time: the mail server could not be reached while it was useful."


def enqueue_pending(*, now: datetime.datetime) -> int:
    """Publish "send row N" for pending rows never published (first), then for rows
    published long ago whose message was lost (oldest first)."""
    ids = list(
        Reminder.objects.filter(status=Reminder.Status.PENDING, next_attempt_at__lte=now)
        .filter(Q(enqueued_at=None) | Q(enqueued_at__lt=now - ENQUEUE_TIMEOUT))
        .order_by(F("enqueued_at").asc(nulls_first=True), "next_attempt_at", "pk")
        .values_list("pk", flat=True)[: BATCH * 10]
    )
    published = publish_sends(ids)
    if published:
        Reminder.objects.filter(pk__in=published).update(enqueued_at=now)
    return len(published)


def publish_sends(ids: list[int]) -> list[int]:
    """Send the ids to the broker. A broker outage is logged, never raised: the rows stay
    pending and the next dispatch publishes them again."""
    from reminders.tasks import send_reminders  # tasks import this module

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


def publish_from_web(ids: list[int]) -> None:
    """Publish from a web request without waiting on the broker for more than
    WEB_BROKER_WAIT_SECONDS: a frozen Redis must not hold the page. The rows are in the
    database already; whatever is not published now, the next dispatch publishes."""
    from reminders.tasks import send_reminders

    if send_reminders.app.conf.task_always_eager:
        publish_sends(ids)  # runs inline: nothing to wait for
        return
    thread = threading.Thread(target=publish_sends, args=(ids,), daemon=True)
    thread.start()
    thread.join(settings.WEB_BROKER_WAIT_SECONDS)
    if thread.is_alive():
        logger.warning("Broker slow: %d reminders wait for the next dispatch", len(ids))


# Sending ------------------------------------------------------------------------------


def _unsubscribe_url(user: User, kind: str) -> str:
    return absolute(reverse("unsubscribe", args=[unsubscribe_token(user, kind)]))


def build_reminder_email(reminder: Reminder, *, now: datetime.datetime, follow_up=None):
    """The email for an outbox row, built from what is due *now*; None if nothing is."""
    user = reminder.recipient
    unsubscribe = _unsubscribe_url(user, reminder.kind)
    if reminder.kind == Reminder.Kind.DIGEST:
        digest = selectors.digest_for(user, today=user.today(now))
        if digest.is_empty:
            return None
        return build_email(
            "digest", to=user, context={"digest": digest}, unsubscribe_url=unsubscribe
        )
    if reminder.kind == Reminder.Kind.FOLLOW_UP:
        follow_up = follow_up or selectors.follow_up_of(reminder)
        if follow_up is None:
            return None
        context = {"follow_up": follow_up, "overdue": follow_up.due_on < user.today(now)}
        return build_email("follow_up", to=user, context=context, unsubscribe_url=unsubscribe)
    summary = selectors.team_summary_for(user, today=user.today(now))
    if summary.is_empty:
        return None
    return build_email(
        "manager_weekly", to=user, context={"summary": summary}, unsubscribe_url=unsubscribe
    )


def _refused_for_good(error: Exception) -> bool:
    """Only the recipient's server refusing that address for good (5xx at RCPT) is final;
    trouble on our side or the server's (451 greylisting, 535 login, 553 sender) is not."""
    if isinstance(error, smtplib.SMTPRecipientsRefused) and error.recipients:
        return all(500 <= code < 600 for code, _ in error.recipients.values())
    return False


def _log_outcome(reminder: Reminder, outcome: str, **extra) -> None:
    details = " ".join(f"{key}={value!r}" for key, value in extra.items())
    logger.info(
        "reminder_send id=%s kind=%s recipient=%s attempt=%s outcome=%s %s",
        reminder.pk,
        reminder.kind,
        reminder.recipient_id,
        reminder.attempts,
        outcome,
        details,
    )


def send_reminder(reminder_id: int, *, now: datetime.datetime | None = None) -> str:
    """Claim, send outside any transaction, record. Returns the row's new status."""
    now = now or timezone.now()
    claimed = Reminder.objects.filter(
        pk=reminder_id, status=Reminder.Status.PENDING, next_attempt_at__lte=now
    ).update(status=Reminder.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if claimed != 1:
        return "not claimed"
    reminder = Reminder.objects.select_related("recipient").get(pk=reminder_id)
    if reminder.expires_at is not None and now >= reminder.expires_at:
        return _finish(reminder, Reminder.Status.EXPIRED, reason=EXPIRED_REASON)
    follow_up = None
    if reminder.kind == Reminder.Kind.FOLLOW_UP:
        follow_up = selectors.follow_up_of(reminder)
    reason = selectors.why_not_send(reminder, follow_up=follow_up)
    if reason:
        return _finish(reminder, Reminder.Status.SKIPPED, reason=reason)
    listed_reviews: list[int] = []
    if reminder.kind == Reminder.Kind.DIGEST:
        # Read before building: each id here is listed too (the digest reads after), so
        # none is marked seen unlisted; one added meanwhile waits for the next digest.
        listed_reviews = list(
            selectors.unseen_reviews(owner_ids=[reminder.recipient_id]).values_list("pk", flat=True)
        )
    message = build_reminder_email(reminder, now=now, follow_up=follow_up)
    if message is None:
        daily = reminder.kind == Reminder.Kind.DIGEST and reminder.object_key == ""
        reason = NOTHING_DUE if daily else "Nothing was due any more."
        return _finish(reminder, Reminder.Status.SKIPPED, reason=reason)
    accepted = False
    try:
        message.send()
        accepted = True
    except SoftTimeLimitExceeded:
        if not accepted:
            return _retry(reminder, now=now, reason="Time limit reached while sending.")
    except Exception as error:
        reason = f"{type(error).__name__}: {error}"[:1000]
        if _refused_for_good(error):
            return _finish(
                reminder,
                Reminder.Status.FAILED,
                reason="Your mail server refused this address.",
                last_error=reason,
            )
        return _retry(reminder, now=now, reason=reason)
    # Accepted by the mail server: from here on it is "sent", whatever else happens.
    _finish(reminder, Reminder.Status.SENT, subject=message.subject[:200], last_error="")
    # The digest told the MSL about these reviews: they count as seen.
    _durably(lambda: stage_reviews_mark_seen(ids=listed_reviews))
    return Reminder.Status.SENT


def _retry(reminder: Reminder, *, now: datetime.datetime, reason: str) -> str:
    next_at = now + backoff(reminder.attempts)
    if reminder.expires_at is not None and next_at >= reminder.expires_at:
        return _finish(reminder, Reminder.Status.EXPIRED, reason=EXPIRED_REASON, last_error=reason)
    _record(
        reminder,
        status=Reminder.Status.PENDING,
        last_error=reason,
        next_attempt_at=next_at,
        enqueued_at=None,
    )
    _log_outcome(reminder, "retry", error=reason, next_attempt_at=next_at.isoformat())
    return Reminder.Status.PENDING


def _finish(reminder: Reminder, status: str, **fields) -> str:
    if status == Reminder.Status.SENT:
        fields["sent_at"] = timezone.now()
    _record(reminder, status=status, **fields)
    _log_outcome(reminder, status, reason=fields.get("reason", ""))
    return status


def _durably(write):
    """Run a small write, reconnecting if the database connection was lost meanwhile (the
    SMTP conversation can outlast a connection): the outcome of a send is never lost."""
    delay = settings.REMINDER_RECORD_RETRY_SECONDS
    for attempt in range(RECORD_TRIES):
        try:
            return write()
        except (OperationalError, InterfaceError):
            if attempt == RECORD_TRIES - 1 or connection.in_atomic_block:
                raise
            logger.warning("Database connection lost while recording: reconnecting")
            try:
                connection.close()  # the next query opens a new one
            except (OperationalError, InterfaceError):
                connection.connection = None
            time.sleep(delay * 2**attempt)
    return None


def _record(reminder: Reminder, **fields) -> None:
    # Only the claimer (status "sending") records; a row reset by the sweep is left alone.
    _durably(
        lambda: Reminder.objects.filter(pk=reminder.pk, status=Reminder.Status.SENDING).update(
            **fields
        )
    )


def send_batch(reminder_ids: list[int], *, budget_seconds: float) -> list[str]:
    """Send rows one by one while the task's time budget lasts; the rest is handed back to
    the broker at once (never claimed, so nothing is sent twice or recorded wrongly)."""
    started = time.monotonic()
    outcomes = []
    for position, reminder_id in enumerate(reminder_ids):
        if time.monotonic() - started > budget_seconds:
            rest = reminder_ids[position:]
            published = publish_sends(rest)
            logger.info("reminder_batch handed back %d of %d", len(published), len(rest))
            break
        outcomes.append(str(send_reminder(reminder_id)))
    return outcomes


def skip_pending(*, user: User, kind: str | None = None, reason: str) -> int:
    """Rows waiting for `user` (of `kind`) end skipped now (unsubscribe, deactivation)."""
    rows = Reminder.objects.filter(recipient=user, status=Reminder.Status.PENDING)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.update(status=Reminder.Status.SKIPPED, reason=reason)


def digest_now(*, user: User, now: datetime.datetime | None = None) -> tuple[str, Reminder | None]:
    """ "Send me my digest now": ("queued", row) at most once per 10 minutes (the due key is
    the slot), ("empty", None) when nothing is due, ("recent", None) within the slot."""
    now = now or timezone.now()
    if selectors.digest_for(user, today=user.today(now)).is_empty:
        return "empty", None
    slot = now.replace(
        minute=now.minute - now.minute % DIGEST_NOW_SLOT_MINUTES, second=0, microsecond=0
    )
    reminder, created = Reminder.objects.get_or_create(
        recipient=user,
        kind=Reminder.Kind.DIGEST,
        object_key="now",
        due_key=slot.strftime("%Y-%m-%dT%H:%M"),
        defaults={"expires_at": now + datetime.timedelta(hours=1), "next_attempt_at": now},
    )
    if not created:
        return "recent", None
    transaction.on_commit(lambda: publish_from_web([reminder.pk]))
    return "queued", reminder
