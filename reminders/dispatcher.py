"""The reminder dispatcher: on each beat, write what is due to the outbox once, and hand
the rows waiting to be sent to the broker (reminders.sending says how a row is sent, and
the delivery guarantee).

Publishing needs the Celery task, and the tasks call this module: the function that
publishes is passed in (reminders.tasks.publish_sends).
"""

import datetime
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass

from django.db import connection, transaction
from django.db.models import CharField, DateTimeField, F, IntegerField, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from accounts.models import User
from engagements.services.checkins import check_ins_schedule
from reminders import selectors
from reminders.models import DispatchRun, Reminder
from reminders.sending import EXPIRED_REASON

logger = logging.getLogger(__name__)

# Hands ids to the broker; returns those it handed over (a broker outage: fewer, or none).
Publish = Callable[[list[int]], list[int]]

SENDING_TIMEOUT = datetime.timedelta(minutes=10)
ENQUEUE_TIMEOUT = datetime.timedelta(minutes=10)
# Past this, a second dispatcher may take over the lease of one that died.
DISPATCH_LEASE = datetime.timedelta(minutes=4)
BATCH = 1000


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


def dispatch_due_reminders(
    *, publish: Publish, now: datetime.datetime | None = None
) -> DispatchResult:
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
        result.enqueued = enqueue_pending(now=now, publish=publish)
    finally:
        _give_back_lease(token, result=result, started=started)
    logger.info(
        "reminder_dispatch outcome=done %s duration_ms=%d",
        " ".join(f"{key}={value}" for key, value in asdict(result).items()),
        (time.monotonic() - started) * 1000,
    )
    return result


def enqueue_pending(*, now: datetime.datetime, publish: Publish) -> int:
    """Publish "send row N" for pending rows never published (first), then for rows
    published long ago whose message was lost (oldest first)."""
    ids = list(
        Reminder.objects.filter(status=Reminder.Status.PENDING, next_attempt_at__lte=now)
        .filter(Q(enqueued_at=None) | Q(enqueued_at__lt=now - ENQUEUE_TIMEOUT))
        .order_by(F("enqueued_at").asc(nulls_first=True), "next_attempt_at", "pk")
        .values_list("pk", flat=True)[: BATCH * 10]
    )
    published = publish(ids)
    if published:
        Reminder.objects.filter(pk__in=published).update(enqueued_at=now)
    return len(published)
