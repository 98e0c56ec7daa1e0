"""Writing a chunk of checked rows: new KOLs, or updates of the user's own, in bulk, each with
its stage History, audit entry and interests (what kol_create and kol_update write one by one)."""

import datetime

from django.db.models import F
from django.utils import timezone

from contacts import audit
from contacts.import_matching import MAX_LENGTHS, Checker, Row
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


def _last_interaction(
    when: datetime.date | datetime.datetime | None, job: ImportJob
) -> datetime.datetime | None:
    """The file's last contact in the owner's own time (a bare day: noon), so the check-in
    counts from the day the owner reads, and an export imports back to the same minute."""
    if when is None:
        return None
    if not isinstance(when, datetime.datetime):
        when = datetime.datetime.combine(when, datetime.time(12))
    return timezone.make_aware(when, job.owner.zone)


def _areas(kol: Kol, row: Row, having: set[tuple[int, int]] = frozenset()) -> list:
    return [
        Kol.therapeutic_areas.through(kol_id=kol.pk, therapeuticarea_id=area.pk)
        for area in row.areas
        if (kol.pk, area.pk) not in having
    ]


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


def _stage_change(
    job: ImportJob, kol: Kol, *, from_stage: str, reason: str, now: datetime.datetime
) -> StageChange:
    return StageChange(
        kol=kol,
        from_stage=from_stage,
        to_stage=kol.stage,
        changed_by=job.owner,
        changed_at=now,
        reason=reason,
    )


def _profile_entry(
    job: ImportJob, kol: Kol, *, action: str, summary: str, changes: dict, now: datetime.datetime
) -> AuditEntry:
    return AuditEntry(
        kol=kol,
        actor=job.owner,
        at=now,
        action=action,
        subject="KOL profile",
        subject_id=kol.pk,
        summary=summary[:300],
        changes=changes,
    )


def _save_history(
    changes: list[StageChange], entries: list[AuditEntry], interests: list[Interest], areas: list
) -> None:
    StageChange.objects.bulk_create(changes)
    AuditEntry.objects.bulk_create(entries)
    Interest.objects.bulk_create(interests)
    Kol.therapeutic_areas.through.objects.bulk_create(areas)


def create_kols(job: ImportJob, checker: Checker, rows: list[Row]) -> int:
    """kol_create for many rows: the KOL, its starting stage, History, interests."""
    owner, now = job.owner, timezone.now()
    kols = []
    for row in rows:
        values = row.values
        kol = Kol(
            owner=owner,
            stage=values["stage"] or Stage.ESTABLISHING,
            created_at=now,
            last_interaction_at=_last_interaction(values["last_contact"], job),
            **{f: values[f] for f in MAX_LENGTHS if f in values},
        )
        kol.next_check_in_on = kol.compute_next_check_in()
        kols.append(kol)
    Kol.objects.bulk_create(kols)
    changes, entries, interests, areas = [], [], [], []
    for row, kol in zip(rows, kols, strict=True):
        checker.remember(kol.pk, owner.pk, kol.name, kol.institution, kol.email)
        reason = "Relationship recorded (imported)."
        changes.append(_stage_change(job, kol, from_stage="", reason=reason, now=now))
        entries.append(
            _profile_entry(
                job,
                kol,
                action=AuditEntry.Action.CREATED,
                summary=f"{kol.name} (imported)",
                changes=audit.diff({}, audit.snapshot(kol)),
                now=now,
            )
        )
        interests.extend(_interests(job, kol, row.topics))
        areas.extend(_areas(kol, row))
    _save_history(changes, entries, interests, areas)
    return len(kols)


def update_kols(job: ImportJob, rows: list[Row]) -> int:
    """Update the user's own KOLs with the non-empty values of their rows."""
    if not rows:
        return 0
    owner, now = job.owner, timezone.now()
    kols = Kol.objects.filter(owner=owner).in_bulk([row.duplicate_of for row in rows])
    having = set(Interest.objects.filter(kol__in=kols.values()).values_list("kol_id", "topic_id"))
    having_areas = set(
        Kol.therapeutic_areas.through.objects.filter(kol__in=kols.values()).values_list(
            "kol_id", "therapeuticarea_id"
        )
    )
    changes, entries, interests, areas, saved = [], [], [], [], []
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
        contact = _last_interaction(row.values["last_contact"], job)
        if contact and (kol.last_interaction_at is None or contact > kol.last_interaction_at):
            kol.last_interaction_at = contact
        kol.next_check_in_on = kol.compute_next_check_in()
        saved.append(kol)
        if kol.stage != from_stage:
            reason = "Updated from an import."
            changes.append(_stage_change(job, kol, from_stage=from_stage, reason=reason, now=now))
        diff = audit.diff(before, audit.snapshot(kol))
        if diff:
            entries.append(
                _profile_entry(
                    job,
                    kol,
                    action=AuditEntry.Action.CHANGED,
                    summary=f"Profile of {kol.name} (imported)",
                    changes=diff,
                    now=now,
                )
            )
        new_topics = [t for t in row.topics if (kol.pk, t.pk) not in having]
        interests.extend(_interests(job, kol, new_topics))
        areas.extend(_areas(kol, row, having_areas))
    Kol.objects.bulk_update(saved, fields)
    Kol.objects.filter(pk__in=[k.pk for k in saved]).update(
        version=F("version") + 1, updated_at=now
    )
    _save_history(changes, entries, interests, areas)
    return len(saved)
