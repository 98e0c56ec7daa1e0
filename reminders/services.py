"""The reminder pipeline's entry points outside the worker: "send me my digest now", a
dispatch run by hand, stopping what waits for someone; publishing from a web request.

This module publishes through reminders.tasks, which runs the dispatcher and the sends
(reminders.dispatcher, reminders.sending): they never import it.
"""

import datetime
import logging
import threading

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from reminders import dispatcher, selectors
from reminders.dispatcher import DispatchResult
from reminders.models import Reminder

# A row sent by hand (tests, the bench): the same claim, send and record as the worker's.
from reminders.sending import send_reminder  # noqa: F401
from reminders.tasks import publish_sends, send_reminders

logger = logging.getLogger(__name__)

DIGEST_NOW_SLOT_MINUTES = 10


def dispatch_due_reminders(*, now: datetime.datetime | None = None) -> DispatchResult:
    """A dispatch now, in this process, publishing to the broker (beat runs the same as
    reminders.tasks.dispatch_due_reminders)."""
    return dispatcher.dispatch_due_reminders(now=now, publish=publish_sends)


def publish_from_web(ids: list[int]) -> None:
    """Publish from a web request without waiting on the broker for more than
    WEB_BROKER_WAIT_SECONDS: a frozen Redis must not hold the page. The rows are in the
    database already; whatever is not published now, the next dispatch publishes."""
    if send_reminders.app.conf.task_always_eager:
        publish_sends(ids)  # runs inline: nothing to wait for
        return
    thread = threading.Thread(target=publish_sends, args=(ids,), daemon=True)
    thread.start()
    thread.join(settings.WEB_BROKER_WAIT_SECONDS)
    if thread.is_alive():
        logger.warning("Broker slow: %d reminders wait for the next dispatch", len(ids))


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
