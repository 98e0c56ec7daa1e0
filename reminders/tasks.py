"""Celery tasks: thin. They take ids, and call the services that do the work.

Time limits: a send task has no soft limit that could fire after the mail server accepted
a message (it would be recorded as a retry and sent twice). It stops taking rows when its
budget (REMINDER_SEND_BUDGET_SECONDS) is spent and hands the rest back; the hard limit,
past the budget plus two SMTP timeouts, only ends a worker that is truly stuck.
"""

import contextlib

from celery import shared_task
from celery.signals import beat_init
from django.conf import settings

from reminders import services

SEND_HARD_LIMIT = settings.REMINDER_SEND_BUDGET_SECONDS + 2 * settings.SMTP_TIMEOUT_SECONDS + 15


@shared_task(
    name="reminders.tasks.dispatch_due_reminders",
    ignore_result=True,
    soft_time_limit=120,
    time_limit=150,
)
def dispatch_due_reminders() -> dict:
    result = services.dispatch_due_reminders()
    return result.__dict__


@shared_task(
    name="reminders.tasks.send_reminders",
    ignore_result=True,
    soft_time_limit=SEND_HARD_LIMIT,
    time_limit=SEND_HARD_LIMIT + 5,
)
def send_reminders(reminder_ids: list[int]) -> list[str]:
    """A batch of rows in one message: each is still claimed, sent and recorded on its own."""
    return services.send_batch(reminder_ids, budget_seconds=settings.REMINDER_SEND_BUDGET_SECONDS)


@beat_init.connect
def dispatch_when_beat_starts(sender=None, **kwargs) -> None:
    """Beat just (re)started: dispatch now, not one interval later (nothing waits longer
    than it must after a deploy, and /health/ is green as soon as the pipeline runs)."""
    # The broker is down: beat's own schedule tries again.
    with contextlib.suppress(Exception):
        dispatch_due_reminders.apply_async(queue="dispatch", retry=False)
