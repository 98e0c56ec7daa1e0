"""Importing an MSL's KOL list from CSV or XLSX: receive, read, map columns, validate, import.

The upload is checked from its bytes alone and stored (`import_receive`); a Celery task reads
it (`import_read`, contacts.spreadsheets, within hard limits) into ImportJob.headers/rows;
the user maps columns and sees a preview; `import_run` (in a Celery task) claims the job and
writes in chunks, each chunk in one transaction after every row in it was validated, so a
row is saved whole or not at all. A heartbeat after each chunk keeps the claim;
`imports_sweep` re-queues a job whose worker stopped, and the next claim carries on after
the last committed chunk: no row twice.
"""

import datetime
import enum
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import User
from common.text import clean_text
from contacts import audit, spreadsheets
from contacts.exports import neutralise
from contacts.models import (
    AssumptionStatus,
    AuditEntry,
    ImportJob,
    Interest,
    Kol,
    Provenance,
    Stage,
    StageChange,
    Topic,
)
from contacts.selectors import kols_for_user

# The upload view's limit and error are the reader's.
from contacts.spreadsheets import MAX_BYTES, ImportFileError  # noqa: F401

logger = logging.getLogger(__name__)

CHUNK = 500
PREVIEW_ROWS = 10


# Receiving and reading ----------------------------------------------------------------


def import_receive(*, by: User, file_name: str, data: bytes) -> ImportJob:
    """Check the upload from its bytes (size, kind, an XLSX's packed sizes: no parsing) and
    keep it for the worker to read; ImportFileError says what is wrong with it."""
    spreadsheets.check_upload(data)  # before the transaction: SQLite locks at its start
    with transaction.atomic():
        job = ImportJob.objects.create(
            owner=by,
            file_name=clean_text(file_name)[:255],
            upload=data,
            status=ImportJob.Status.READING,
        )
        transaction.on_commit(lambda: import_publish(job_id=job.pk))
    return job


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


def import_read(*, job_id: int) -> bool:
    """Claim a job waiting to be read, read its file, record the rows (-> mapping) or why it
    cannot be read (-> failed). Reading holds no transaction: parse first, then one UPDATE."""
    now = timezone.now()
    attempts = (
        ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.READING)
        .values_list("attempts", flat=True)
        .first()
    )
    if attempts is None:
        return False
    lease = attempts + 1
    claimed = (
        ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.READING, attempts=attempts)
        .filter(Q(claimed_at=None) | Q(heartbeat_at__lt=now - READ_STALE_AFTER))
        .update(attempts=lease, claimed_at=now, heartbeat_at=now)
    )
    if not claimed:
        return False  # read by another worker just now
    held = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.READING, attempts=lease)
    data = bytes(held.values_list("upload", flat=True).first() or b"")
    try:
        headers, rows = read_upload(data)
    except ImportFileError as problem:
        error = clean_text(str(problem))[:2000]
    except SoftTimeLimitExceeded:  # a worker slower than the CPU budget allows for
        error = spreadsheets.TOO_LONG_TO_READ
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
                mapping={"columns": guess_mapping(headers)},
                upload=b"",
                attempts=0,
                claimed_at=None,
                heartbeat_at=None,
                published_at=None,
            )
        )
    held.update(status=ImportJob.Status.FAILED, error=error, upload=b"", finished_at=timezone.now())
    return False


# Mapping ------------------------------------------------------------------------------

FIELDS = {
    "name": "Name",
    "institution": "Institution",
    "specialty": "Specialty",
    "email": "Email",
    "city": "City",
    "country": "Country",
    "interests": "Interests (topics, separated by ;)",
    "stage": "Stage",
    "last_contact": "Last contact date",
}
SYNONYMS = {
    "name": ["name", "full name", "fullname", "kol", "kol name", "contact", "contact name"],
    "institution": ["institution", "hospital", "organisation", "organization", "affiliation"],
    "specialty": ["specialty", "speciality", "specialism", "discipline"],
    "email": ["email", "e-mail", "email address", "e-mail address", "mail"],
    "city": ["city", "town"],
    "country": ["country"],
    "interests": ["interests", "interest", "topics", "topic", "areas of interest"],
    "stage": ["stage", "relationship stage"],
    "last_contact": ["last contact", "last contact date", "last contacted", "last interaction"],
}
MAX_LENGTHS = {"name": 200, "institution": 200, "specialty": 120, "email": 254, "city": 100}
MAX_LENGTHS["country"] = 100


def _normalise(header: str) -> str:
    return re.sub(r"[\s_]+", " ", header.strip().lower())


def guess_mapping(headers: list[str]) -> dict[str, int]:
    """Our field -> column index, guessed from the header names (first match wins)."""
    guesses: dict[str, int] = {}
    for index, header in enumerate(headers):
        normal = _normalise(header)
        for our_field, names in SYNONYMS.items():
            if our_field not in guesses and normal in names:
                guesses[our_field] = index
                break
    return guesses


def columns_of(job: ImportJob) -> dict[str, int]:
    return {k: int(v) for k, v in (job.mapping or {}).get("columns", {}).items()}


# Validating ---------------------------------------------------------------------------


@dataclass
class Row:
    number: int  # the line in the file: the header is line 1
    values: dict[str, Any]
    topics: list[Topic] = field(default_factory=list)
    unknown_topics: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    duplicate_of: int | None = None  # pk of an existing KOL this row matches
    duplicate_label: str = ""
    action: str = "create"  # create | update | skip

    @property
    def reason(self) -> str:
        return "; ".join(self.problems)


def parse_date(text: str) -> datetime.date | None:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


class Checker:
    """Validates rows against the file so far and the KOLs the user can see (two queries)."""

    def __init__(self, *, user: User, update_duplicates: bool):
        self.user = user
        self.update_duplicates = update_duplicates
        self.by_email: dict[str, tuple[int, int, str]] = {}
        self.by_name: dict[tuple[str, str], tuple[int, int, str]] = {}
        self.seen_email: dict[str, int] = {}
        self.seen_name: dict[tuple[str, str], int] = {}
        visible = kols_for_user(user, archived=None).values_list(
            "pk", "owner_id", "name", "institution", "email"
        )
        for pk, owner_id, name, institution, email in visible:
            self.remember(pk, owner_id, name, institution, email)
        self.topics: dict[str, Topic] = {}
        for topic in Topic.objects.order_by("-area__name", "-pk"):  # first area wins
            self.topics[topic.name.lower()] = topic

    def remember(self, pk: int, owner_id: int, name: str, institution: str, email: str) -> None:
        entry = (pk, owner_id, name)
        if email:
            self.by_email.setdefault(email.lower(), entry)
        self.by_name.setdefault((name.lower(), institution.lower()), entry)

    def check(self, number: int, raw: list[str], columns: dict[str, int]) -> Row:
        values = {f: (raw[i] if i < len(raw) else "").strip() for f, i in columns.items()}
        row = Row(number=number, values=values)
        if not values.get("name"):
            row.problems.append("name is missing")
        for name, limit in MAX_LENGTHS.items():
            if len(values.get(name, "")) > limit:
                row.problems.append(f"{FIELDS[name].lower()} is longer than {limit} characters")
        email = values.get("email", "")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                row.problems.append(f"email “{email}” is not a valid address")
        stage = values.get("stage", "").lower()
        if stage and stage not in Stage.values:
            row.problems.append(
                f"stage “{values['stage']}” is not establishing, developing or maintaining"
            )
        values["stage"] = stage  # empty: a new KOL starts establishing, an update keeps it
        when = values.get("last_contact", "")
        values["last_contact"] = None
        if when:
            try:
                values["last_contact"] = parse_date(when)
            except ValueError:
                row.problems.append(
                    f"last contact date “{when}” is not a date (use 2025-03-31 or 31/03/2025)"
                )
        for name in filter(None, (n.strip() for n in values.get("interests", "").split(";"))):
            topic = self.topics.get(name.lower())
            if topic is None:
                row.unknown_topics.append(name)
            elif topic not in row.topics:
                row.topics.append(topic)
        if row.problems:
            row.action = "skip"
            return row
        self._check_duplicates(row)
        return row

    def _check_duplicates(self, row: Row) -> None:
        email = row.values.get("email", "").lower()
        key = (row.values["name"].lower(), row.values.get("institution", "").lower())
        earlier = (email and self.seen_email.get(email)) or self.seen_name.get(key)
        if earlier:
            row.problems.append(f"duplicate of row {earlier} in this file")
            row.action = "skip"
            return
        if email:
            self.seen_email[email] = row.number
        self.seen_name[key] = row.number
        match, how = (self.by_email.get(email), "email") if email else (None, "")
        if match is None:
            match, how = self.by_name.get(key), "name and institution"
        if match is None:
            return
        pk, owner_id, name = match
        row.duplicate_of, row.duplicate_label = pk, name
        if self.update_duplicates and owner_id == self.user.pk:
            row.action = "update"
        elif self.update_duplicates:
            row.problems.append(f"already here as {name} (same {how}), owned by someone else")
            row.action = "skip"
        else:
            row.problems.append(f"already here as {name} (same {how})")
            row.action = "skip"


def preview(job: ImportJob, *, columns: dict[str, int], update_duplicates: bool) -> list[Row]:
    checker = Checker(user=job.owner, update_duplicates=update_duplicates)
    return [checker.check(n + 2, raw, columns) for n, raw in enumerate(job.rows[:PREVIEW_ROWS])]


def unknown_topics(job: ImportJob) -> dict[str, int]:
    """Interest names in the file that are not in the shared vocabulary: name -> rows."""
    column = columns_of(job).get("interests")
    if column is None:
        return {}
    known = {name.lower() for name in Topic.objects.values_list("name", flat=True)}
    found: dict[str, int] = {}
    for raw in job.rows:
        for name in filter(None, (n.strip() for n in raw[column].split(";"))):
            if name.lower() not in known:
                found[name] = found.get(name, 0) + 1
    return found


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
    """Queue the job; the task is published after the commit. False if it was not mapping."""
    queued = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.MAPPING).update(
        status=ImportJob.Status.QUEUED,
        mapping={"columns": columns},
        update_duplicates=update_duplicates,
    )
    if queued:
        transaction.on_commit(lambda: import_publish(job_id=job.pk))
    return bool(queued)


def import_publish(
    *,
    job_id: int,
    older_than: datetime.timedelta | None = None,
    now: datetime.datetime | None = None,
) -> Published:
    """Hand a job waiting to be read or imported to the broker, unless it was handed over
    less than `older_than` ago.

    The hand-over time is claimed with a conditional UPDATE first, so the sweep and a "Try
    again" at the same moment publish once. Delivery is at least once: a duplicate message
    finds the job claimed and does nothing. An outage is logged, never raised (no publish
    retries: a web request must not wait on the broker); the sweep publishes it again.
    """
    from contacts.tasks import read_import, run_import  # tasks import this module

    now = now or timezone.now()
    status = ImportJob.objects.filter(pk=job_id).values_list("status", flat=True).first()
    task = {ImportJob.Status.READING: read_import, ImportJob.Status.QUEUED: run_import}.get(status)
    if task is None:
        return Published.NOT_DUE
    due = ImportJob.objects.filter(pk=job_id, status=status)
    if older_than is not None:
        due = due.filter(Q(published_at=None) | Q(published_at__lte=now - older_than))
    if not due.update(published_at=now):
        return Published.NOT_DUE
    try:
        task.apply_async(args=[job_id], retry=False)
    except Exception:  # kombu/redis raise many kinds; all mean "not published now"
        logger.warning("Broker unavailable: import %s waits in the queue", job_id, exc_info=True)
        return Published.BROKER_DOWN
    return Published.SENT


def imports_sweep(*, now: datetime.datetime | None = None) -> int:
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
        outcome = import_publish(job_id=job_id, older_than=IMPORT_REPUBLISH_AFTER, now=now)
        sent += outcome is Published.SENT
    failed += read_failed
    if failed or sent:
        logger.info("Import sweep: %d failed after interruptions, %d sent again", failed, sent)
    return failed + sent


def import_run(*, job_id: int) -> bool:
    """Claim a queued job (queued -> running, one more attempt), import, record done or failed.

    A job re-queued after an interruption carries on after its last committed chunk.
    """
    attempts = (
        ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED)
        .values_list("attempts", flat=True)
        .first()
    )
    if attempts is None:
        return False
    now = timezone.now()
    lease = attempts + 1
    claimed = ImportJob.objects.filter(
        pk=job_id, status=ImportJob.Status.QUEUED, attempts=attempts
    ).update(status=ImportJob.Status.RUNNING, attempts=lease, claimed_at=now, heartbeat_at=now)
    if not claimed:
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
    columns = columns_of(job)
    checker = Checker(user=job.owner, update_duplicates=job.update_duplicates)
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
            created += _create(job, checker, [r for r in rows if r.action == "create"])
            updated += _update(job, [r for r in rows if r.action == "update"])
            skipped.extend([row.number, row.reason] for row in rows if row.action == "skip")
            ImportJob.objects.filter(pk=job.pk).update(
                processed=start + len(rows),
                created_count=created,
                updated_count=updated,
                skipped=skipped,
                heartbeat_at=timezone.now(),
            )


def _last_interaction(day: datetime.date | None) -> datetime.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(12)), timezone.get_default_timezone()
    )


def _interests(job: ImportJob, kol: Kol, topics: list[Topic]) -> list[Interest]:
    # We did not hear these from the KOL ourselves: assumed and open until they confirm.
    return [
        Interest(
            kol=kol,
            kind=Interest.Kind.DISEASE_AREA,
            topic=topic,
            note=f"Imported from {job.file_name}"[:300],
            provenance=Provenance.ASSUMED,
            assumption_status=AssumptionStatus.OPEN,
            created_by=job.owner,
        )
        for topic in topics
    ]


def _create(job: ImportJob, checker: Checker, rows: list[Row]) -> int:
    """kol_create for many rows: the KOL, its starting stage, History, interests."""
    owner, now = job.owner, timezone.now()
    kols = []
    for row in rows:
        values = row.values
        kol = Kol(
            owner=owner,
            stage=values["stage"] or Stage.ESTABLISHING,
            created_at=now,
            last_interaction_at=_last_interaction(values["last_contact"]),
            **{f: values[f] for f in MAX_LENGTHS if f in values},
        )
        kol.next_check_in_on = kol.compute_next_check_in()
        kols.append(kol)
    Kol.objects.bulk_create(kols)
    changes, entries, interests = [], [], []
    for row, kol in zip(rows, kols, strict=True):
        checker.remember(kol.pk, owner.pk, kol.name, kol.institution, kol.email)
        changes.append(
            StageChange(
                kol=kol,
                from_stage="",
                to_stage=kol.stage,
                changed_by=owner,
                changed_at=now,
                reason="Relationship recorded (imported).",
            )
        )
        entries.append(
            AuditEntry(
                kol=kol,
                actor=owner,
                at=now,
                action=AuditEntry.Action.CREATED,
                subject="KOL profile",
                subject_id=kol.pk,
                summary=f"{kol.name} (imported)"[:300],
                changes=audit.diff({}, audit.snapshot(kol)),
            )
        )
        interests.extend(_interests(job, kol, row.topics))
    StageChange.objects.bulk_create(changes)
    AuditEntry.objects.bulk_create(entries)
    Interest.objects.bulk_create(interests)
    return len(kols)


def _update(job: ImportJob, rows: list[Row]) -> int:
    """Update the user's own KOLs with the non-empty values of their rows."""
    if not rows:
        return 0
    owner, now = job.owner, timezone.now()
    kols = Kol.objects.filter(owner=owner).in_bulk([row.duplicate_of for row in rows])
    having = set(Interest.objects.filter(kol__in=kols.values()).values_list("kol_id", "topic_id"))
    changes, entries, interests, saved = [], [], [], []
    fields = [*MAX_LENGTHS, "stage", "last_interaction_at", "next_check_in_on"]
    for row in rows:
        kol = kols.get(row.duplicate_of)
        if kol is None or kol in saved:
            continue
        before = audit.snapshot(kol)
        from_stage = kol.stage
        for name in MAX_LENGTHS:
            if row.values.get(name):
                setattr(kol, name, row.values[name])
        if row.values["stage"]:
            kol.stage = row.values["stage"]
        contact = _last_interaction(row.values["last_contact"])
        if contact and (kol.last_interaction_at is None or contact > kol.last_interaction_at):
            kol.last_interaction_at = contact
        kol.next_check_in_on = kol.compute_next_check_in()
        saved.append(kol)
        if kol.stage != from_stage:
            changes.append(
                StageChange(
                    kol=kol,
                    from_stage=from_stage,
                    to_stage=kol.stage,
                    changed_by=owner,
                    changed_at=now,
                    reason="Updated from an import.",
                )
            )
        diff = audit.diff(before, audit.snapshot(kol))
        if diff:
            entries.append(
                AuditEntry(
                    kol=kol,
                    actor=owner,
                    at=now,
                    action=AuditEntry.Action.CHANGED,
                    subject="KOL profile",
                    subject_id=kol.pk,
                    summary=f"Profile of {kol.name} (imported)"[:300],
                    changes=diff,
                )
            )
        new_topics = [t for t in row.topics if (kol.pk, t.pk) not in having]
        interests.extend(_interests(job, kol, new_topics))
    Kol.objects.bulk_update(saved, fields)
    Kol.objects.filter(pk__in=[k.pk for k in saved]).update(
        version=F("version") + 1, updated_at=now
    )
    StageChange.objects.bulk_create(changes)
    AuditEntry.objects.bulk_create(entries)
    Interest.objects.bulk_create(interests)
    return len(saved)


# The skipped rows, as a CSV to fix and import again -----------------------------------


def skipped_csv_rows(job: ImportJob):
    yield ["row", "reason", *(neutralise(h) for h in job.headers)]
    for number, reason in job.skipped:
        raw = job.rows[number - 2] if 0 <= number - 2 < len(job.rows) else []
        yield [str(number), neutralise(reason), *(neutralise(v) for v in raw)]
