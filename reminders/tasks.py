"""Celery tasks: thin. They take ids, and call the services that do the work. Publishing
"send these rows" lives here too (`publish_sends`): the dispatcher and the sends receive it.

Time limits: a send task has no soft limit that could fire after the mail server accepted
a message (it would be recorded as a retry and sent twice). It stops taking rows when its
budget (REMINDER_SEND_BUDGET_SECONDS) is spent and hands the rest back; the hard limit,
past the budget plus two SMTP timeouts, only ends a worker that is truly stuck.
"""

import contextlib
import logging

from celery import shared_task
from celery.signals import beat_init
from django.conf import settings

from reminders import dispatcher, sending

logger = logging.getLogger(__name__)

SEND_HARD_LIMIT = settings.REMINDER_SEND_BUDGET_SECONDS + 2 * settings.SMTP_TIMEOUT_SECONDS + 15
PUBLISH_CHUNK = 25


@shared_task(
    name="reminders.tasks.dispatch_due_reminders",
    ignore_result=True,
    soft_time_limit=120,
    time_limit=150,
)
def dispatch_due_reminders() -> dict:
    result = dispatcher.dispatch_due_reminders(publish=publish_sends)
    return result.__dict__


@shared_task(
    name="reminders.tasks.send_reminders",
    ignore_result=True,
    soft_time_limit=SEND_HARD_LIMIT,
    time_limit=SEND_HARD_LIMIT + 5,
)
def send_reminders(reminder_ids: list[int]) -> list[str]:
    """A batch of rows in one message: each is still claimed, sent and recorded on its own."""
    return sending.send_batch(
        reminder_ids,
        budget_seconds=settings.REMINDER_SEND_BUDGET_SECONDS,
        hand_back=publish_sends,
    )


def publish_sends(ids: list[int]) -> list[int]:
    """Send the ids to the broker. A broker outage is logged, never raised: the rows stay
    pending and the next dispatch publishes them again."""
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


@beat_init.connect
def dispatch_when_beat_starts(sender=None, **kwargs) -> None:
    """Beat just (re)started: dispatch now, not one interval later (nothing waits longer
    than it must after a deploy, and /health/ is green as soon as the pipeline runs)."""
    # The broker is down: beat's own schedule tries again.
    with contextlib.suppress(Exception):
        dispatch_due_reminders.apply_async(queue="dispatch", retry=False)
