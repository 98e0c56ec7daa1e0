"""Celery tasks for KOL data: thin, they take an id and call the service. Handing a job to
the broker lives here too (`import_publish`): it needs the tasks, and the tasks need the
services, so the services never publish themselves; their callers publish through this."""

import datetime
import logging

from celery import shared_task
from django.utils import timezone

from contacts import imports
from contacts.imports import Published
from contacts.models import ImportJob

logger = logging.getLogger(__name__)


# Reading stops itself after spreadsheet_limits.READ_SECONDS (30) of CPU; these are a
# backstop (imports.READ_STALE_AFTER must stay longer than the hard limit).
@shared_task(
    name="contacts.tasks.read_import", ignore_result=True, soft_time_limit=90, time_limit=120
)
def read_import(job_id: int) -> bool:
    return imports.import_read(job_id=job_id)


# An import of 20,000 rows may take longer than the default one-minute limit.
@shared_task(
    name="contacts.tasks.run_import", ignore_result=True, soft_time_limit=600, time_limit=660
)
def run_import(job_id: int) -> bool:
    return imports.import_run(job_id=job_id)


# On the beat schedule: re-queues imports whose worker stopped, re-sends lost publishes.
@shared_task(name="contacts.tasks.sweep_imports", ignore_result=True)
def sweep_imports() -> int:
    return imports.imports_sweep(publish=import_publish)


def import_publish(
    *,
    job_id: int,
    older_than: datetime.timedelta | None = None,
    now: datetime.datetime | None = None,
) -> Published:
    """Hand a job waiting to be read or imported to the broker, unless it was handed over
    less than `older_than` ago (imports.import_claim_publish claims the hand-over first).

    Delivery is at least once: a duplicate message finds the job claimed and does nothing.
    An outage is logged, never raised (no publish retries: a web request must not wait on
    the broker); the sweep publishes it again.
    """
    status = imports.import_claim_publish(
        job_id=job_id, older_than=older_than, now=now or timezone.now()
    )
    if status is None:
        return Published.NOT_DUE
    task = read_import if status == ImportJob.Status.READING else run_import
    try:
        task.apply_async(args=[job_id], retry=False)
    except Exception:  # kombu/redis raise many kinds; all mean "not published now"
        logger.warning("Broker unavailable: import %s waits in the queue", job_id, exc_info=True)
        return Published.BROKER_DOWN
    return Published.SENT
