"""Importing an MSL's KOL list from CSV or XLSX: the job, from upload to done.

The upload is checked from its bytes alone and stored (`import_receive`); a Celery task reads
it (`import_read`, contacts.spreadsheets, within hard limits) into ImportJob.headers/rows;
the user maps columns and sees a preview (contacts.import_matching); `import_run` (in a
Celery task) claims the job and writes in chunks (contacts.import_writes), each chunk in one
transaction after every row in it was validated, so a row is saved whole or not at all. A
heartbeat after each chunk keeps the claim; `imports_sweep` re-queues a job whose worker
stopped, and the next claim carries on after the last committed chunk: no row twice.

Handing a job to the broker is contacts.tasks' (`import_publish`): the tasks import this
module, so whoever queues a job publishes it through there.
"""

import datetime
import enum
import logging
import re
from collections.abc import Callable
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from common.text import clean_text
from contacts import import_matching, import_writes, spreadsheets
from contacts.exports import neutralise
from contacts.models import ImportJob

# The upload view's limit and error are the reader's.
from contacts.spreadsheet_limits import MAX_BYTES, TOO_LONG_TO_READ, ImportFileError  # noqa: F401

logger = logging.getLogger(__name__)

CHUNK = 500


# Receiving and reading ----------------------------------------------------------------


def import_receive(*, by: User, file_name: str, data: bytes) -> ImportJob:
    """Check the upload from its bytes (size, kind, an XLSX's packed sizes: no parsing) and
    keep it for the worker to read (the caller publishes it: contacts.tasks.import_publish);
    ImportFileError says what is wrong with it."""
    spreadsheets.check_upload(data)  # before the transaction: SQLite locks at its start
    return ImportJob.objects.create(
        owner=by,
        file_name=clean_text(file_name)[:255],
        upload=data,
        status=ImportJob.Status.READING,
    )


def read_upload(data: bytes) -> tuple[list[str], list[list[str]]]:
    """(headers, rows) of an uploaded CSV or XLSX file, or ImportFileError with the reason."""
    rows = spreadsheets.read_rows(data)
    if not rows:
        raise ImportFileError("This file is empty.")
    width = max(len(row) for row in rows)
    headers = [
        h or f"Column {i + 1}" for i, h in enumerate(rows[0] + [""] * (width - len(rows[0])))
    ]
    body = [row + [""] * (width - len(row)) for row in rows[1:]]
    if any("@" in cell or re.fullmatch(r"[\d/.-]+", cell) for cell in rows[0]):
        raise ImportFileError(
            "The first row looks like a KOL, not column names: add a header row "
            "(e.g. Name, Institution, Email) and upload again."
        )
    if not body:
        raise ImportFileError("This file has a header row but no KOLs under it.")
    return headers, body


# A reading claimed this long ago is dead: the task's hard time limit is 2 minutes.
READ_STALE_AFTER = datetime.timedelta(minutes=3)
READ_FAILED = (
    "We could not read this file (an error on our side, logged for us to look at). Save it "
    "as CSV and upload that, or try again later."
)
READ_INTERRUPTED = (
    "The background worker stopped each time it read this file, so we gave up. Save the sheet "
    "with your KOLs as CSV and upload that."
)


def _claim(
    job_id: int, waiting: str, *, now: datetime.datetime, claimable: Q | None = None, **changes: Any
) -> int | None:
    """Take a job `waiting` in that status with one more attempt, by a conditional UPDATE on
    the attempts seen (of two workers, one wins): the new attempt number is the lease."""
    attempts = (
        ImportJob.objects.filter(pk=job_id, status=waiting)
        .values_list("attempts", flat=True)
        .first()
    )
    if attempts is None:
        return None
    lease = attempts + 1
    claimed = (
        ImportJob.objects.filter(pk=job_id, status=waiting, attempts=attempts)
        .filter(claimable or Q())
        .update(attempts=lease, claimed_at=now, heartbeat_at=now, **changes)
    )
    return lease if claimed else None


def import_read(*, job_id: int) -> bool:
    """Claim a job waiting to be read, read its file, record the rows (-> mapping) or why it
    cannot be read (-> failed). Reading holds no transaction: parse first, then one UPDATE."""
    now = timezone.now()
    # Not claimed yet, or by a reader that died (its heartbeat is too old).
    free = Q(claimed_at=None) | Q(heartbeat_at__lt=now - READ_STALE_AFTER)
    lease = _claim(job_id, ImportJob.Status.READING, now=now, claimable=free)
    if lease is None:
        return False  # not waiting to be read, or read by another worker just now
    held = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.READING, attempts=lease)
    data = bytes(held.values_list("upload", flat=True).first() or b"")
    try:
        headers, rows = read_upload(data)
    except ImportFileError as problem:
        error = clean_text(str(problem))[:2000]
    except SoftTimeLimitExceeded:  # a worker slower than the CPU budget allows for
        error = TOO_LONG_TO_READ
    except Exception:  # a bug of ours: the user still gets an answer
        logger.exception("Reading import %s failed", job_id)
        error = READ_FAILED
    else:
        return bool(
            held.update(
                status=ImportJob.Status.MAPPING,
                headers=headers,
                rows=rows,
                total=len(rows),
                mapping={"columns": import_matching.guess_mapping(headers)},
                upload=b"",
                attempts=0,
                claimed_at=None,
                heartbeat_at=None,
                published_at=None,
            )
        )
    held.update(status=ImportJob.Status.FAILED, error=error, upload=b"", finished_at=timezone.now())
    return False


# Queueing and running ------------------------------------------------------------------

# A running job whose worker sent no heartbeat for this long is taken as interrupted.
IMPORT_STALE_AFTER = datetime.timedelta(minutes=10)
# A queued job not claimed this long after its hand-over: the message was lost; send it again.
IMPORT_REPUBLISH_AFTER = datetime.timedelta(minutes=3)
# Claims of one job; a job interrupted this many times ends failed.
IMPORT_MAX_ATTEMPTS = 3
INTERRUPTED = (
    f"it was interrupted {IMPORT_MAX_ATTEMPTS} times (the background worker stopped while "
    "importing); upload the file again to import the rest"
)


class Published(enum.Enum):
    SENT = "sent"
    NOT_DUE = "not due"  # not queued, or handed over less than `older_than` ago
    BROKER_DOWN = "broker down"


class LeaseLost(Exception):
    """The job was re-queued (its heartbeat was too old) and may run elsewhere: stop."""


@transaction.atomic
def import_queue(*, job: ImportJob, columns: dict[str, int], update_duplicates: bool) -> bool:
    """Queue the job (the caller publishes it: contacts.tasks.import_publish). False if it
    was not waiting for its mapping."""
    queued = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.MAPPING).update(
        status=ImportJob.Status.QUEUED,
        mapping={"columns": columns},
        update_duplicates=update_duplicates,
    )
    return bool(queued)


def import_claim_publish(
    *, job_id: int, older_than: datetime.timedelta | None, now: datetime.datetime
) -> str | None:
    """Claim the hand-over of a job waiting to be read or imported: its status (which task
    to send), or None if it waits for nothing or was handed over less than `older_than` ago.

    The hand-over time is claimed with a conditional UPDATE, so the sweep and a "Try again"
    at the same moment publish once (contacts.tasks.import_publish sends it)."""
    status = ImportJob.objects.filter(pk=job_id).values_list("status", flat=True).first()
    if status not in {ImportJob.Status.READING, ImportJob.Status.QUEUED}:
        return None
    due = ImportJob.objects.filter(pk=job_id, status=status)
    if older_than is not None:
        due = due.filter(Q(published_at=None) | Q(published_at__lte=now - older_than))
    return status if due.update(published_at=now) else None


# Sends a job to the broker again (contacts.tasks.import_publish, passed in: tasks import us).
Publish = Callable[..., Published]


def imports_sweep(*, publish: Publish, now: datetime.datetime | None = None) -> int:
    """Re-queue imports whose worker stopped, fail those interrupted too often, and publish
    again the jobs waiting to be read or imported whose message was lost (or whose reader
    stopped). Returns how many jobs it failed or sent."""
    now = now or timezone.now()
    dead_read = Q(claimed_at=None) | Q(heartbeat_at__lt=now - READ_STALE_AFTER)
    # A file that stops the worker each time (memory, the hard time limit) is not read again.
    read_failed = ImportJob.objects.filter(
        status=ImportJob.Status.READING,
        attempts__gte=IMPORT_MAX_ATTEMPTS,
        heartbeat_at__lt=now - READ_STALE_AFTER,
    ).update(status=ImportJob.Status.FAILED, error=READ_INTERRUPTED, upload=b"", finished_at=now)
    running = ImportJob.objects.filter(status=ImportJob.Status.RUNNING)
    # No heartbeat at all: claimed before heartbeats existed, by a worker long gone.
    stale = running.filter(Q(heartbeat_at__lt=now - IMPORT_STALE_AFTER) | Q(heartbeat_at=None))
    # Each UPDATE re-checks the heartbeat: a chunk being written holds the row until it
    # commits its new heartbeat, so a live import is never taken from its worker.
    failed = stale.filter(attempts__gte=IMPORT_MAX_ATTEMPTS).update(
        status=ImportJob.Status.FAILED, error=INTERRUPTED, finished_at=now
    )
    stale.filter(attempts__lt=IMPORT_MAX_ATTEMPTS).update(
        status=ImportJob.Status.QUEUED, published_at=None
    )
    # A reader that stopped was handed over before its claim, so 3+ minutes ago: sent again
    # now, and the next claim takes it over.
    waiting = ImportJob.objects.filter(
        Q(status=ImportJob.Status.QUEUED) | Q(dead_read, status=ImportJob.Status.READING)
    ).filter(Q(published_at=None) | Q(published_at__lte=now - IMPORT_REPUBLISH_AFTER))
    sent = 0
    for job_id in waiting.order_by("pk").values_list("pk", flat=True):
        outcome = publish(job_id=job_id, older_than=IMPORT_REPUBLISH_AFTER, now=now)
        sent += outcome is Published.SENT
    failed += read_failed
    if failed or sent:
        logger.info("Import sweep: %d failed after interruptions, %d sent again", failed, sent)
    return failed + sent


def import_run(*, job_id: int) -> bool:
    """Claim a queued job (queued -> running, one more attempt), import, record done or failed.

    A job re-queued after an interruption carries on after its last committed chunk.
    """
    now = timezone.now()
    lease = _claim(job_id, ImportJob.Status.QUEUED, now=now, status=ImportJob.Status.RUNNING)
    if lease is None:
        return False
    job = ImportJob.objects.select_related("owner").get(pk=job_id)
    held = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.RUNNING, attempts=lease)
    try:
        _import_rows(job, lease=lease)
    except LeaseLost:
        logger.warning("Import %s was re-queued while this worker ran it: stopped", job_id)
        return False
    except Exception as exc:
        logger.exception("Import %s failed", job_id)
        held.update(
            status=ImportJob.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        return False
    return bool(held.update(status=ImportJob.Status.DONE, finished_at=timezone.now()))


def _import_rows(job: ImportJob, *, lease: int) -> None:
    """Import the rows after the last committed chunk, one transaction per chunk."""
    columns = import_matching.columns_of(job)
    checker = import_matching.Checker(user=job.owner, update_duplicates=job.update_duplicates)
    done = job.processed
    # Carrying on: check the rows already imported again, so the checker knows the file's
    # earlier rows ("duplicate of row N"); their KOLs are in the database by now.
    for n, raw in enumerate(job.rows[:done]):
        checker.check(n + 2, raw, columns)
    skipped: list[list[Any]] = list(job.skipped)
    created, updated = job.created_count, job.updated_count
    for start in range(done, len(job.rows), CHUNK):
        rows = [
            checker.check(start + n + 2, raw, columns)
            for n, raw in enumerate(job.rows[start : start + CHUNK])
        ]
        with transaction.atomic():
            # Still ours? The UPDATE also locks the job until the chunk commits.
            if not ImportJob.objects.filter(
                pk=job.pk, status=ImportJob.Status.RUNNING, attempts=lease
            ).update(heartbeat_at=timezone.now()):
                raise LeaseLost(job.pk)
            created += import_writes.create_kols(
                job, checker, [r for r in rows if r.action == "create"]
            )
            updated += import_writes.update_kols(job, [r for r in rows if r.action == "update"])
            skipped.extend([row.number, row.reason] for row in rows if row.action == "skip")
            ImportJob.objects.filter(pk=job.pk).update(
                processed=start + len(rows),
                created_count=created,
                updated_count=updated,
                skipped=skipped,
                heartbeat_at=timezone.now(),
            )


# The skipped rows, as a CSV to fix and import again -----------------------------------


def skipped_csv_rows(job: ImportJob):
    yield ["row", "reason", *(neutralise(h) for h in job.headers)]
    for number, reason in job.skipped:
        raw = job.rows[number - 2] if 0 <= number - 2 < len(job.rows) else []
        yield [str(number), neutralise(reason), *(neutralise(v) for v in raw)]
