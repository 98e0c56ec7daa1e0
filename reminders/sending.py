"""Sending the reminder pipeline's rows: a send claims one outbox row and mails it (the
dispatcher, reminders.dispatcher, writes them).

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
import time
from collections.abc import Callable

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from common.emails import absolute, build_email
from reminders import selectors
from reminders.models import Reminder
from reminders.tokens import unsubscribe_token
from reviews.services.reviews import stage_reviews_mark_seen

logger = logging.getLogger(__name__)

MAX_BACKOFF_MINUTES = 15
RECORD_TRIES = 6
EXPIRED_REASON = "Not sent in time: the mail server could not be reached while it was useful."
NOTHING_DUE = "Nothing was due at your digest time, so no email."


def backoff(attempts: int) -> datetime.timedelta:
    """1, 2, 4, 8, then every 15 minutes: an hour's outage is over within 15 minutes."""
    return datetime.timedelta(minutes=min(2 ** max(attempts - 1, 0), MAX_BACKOFF_MINUTES))


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


def send_batch(
    reminder_ids: list[int],
    *,
    budget_seconds: float,
    hand_back: Callable[[list[int]], list[int]],
) -> list[str]:
    """Send rows one by one while the task's time budget lasts; the rest is handed back to
    the broker at once (never claimed, so nothing is sent twice or recorded wrongly)."""
    started = time.monotonic()
    outcomes = []
    for position, reminder_id in enumerate(reminder_ids):
        if time.monotonic() - started > budget_seconds:
            rest = reminder_ids[position:]
            published = hand_back(rest)
            logger.info("reminder_batch handed back %d of %d", len(published), len(rest))
            break
        outcomes.append(str(send_reminder(reminder_id)))
    return outcomes
