"""The audit trail: every create, change and delete of what we hold about a KOL.

Services call `record` inside their transaction, so an entry exists exactly when the change
does. Values are stored as text, readable by people; no model instances, no secrets.
"""

import datetime
from typing import Any

from django.db import models

from accounts.models import User
from contacts.models import AuditEntry, Kol

# Bookkeeping and values derived from other rows (the check-in clock) are not history.
SKIPPED_FIELDS = {
    "id",
    "version",
    "updated_at",
    "created_at",
    "form_token",
    "last_interaction_at",
    "next_check_in_on",
}


def _readable(instance: models.Model, field: models.Field) -> str:
    if field.choices:
        return str(getattr(instance, f"get_{field.name}_display")())
    value = getattr(instance, field.name)
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)


def snapshot(instance: models.Model) -> dict[str, str]:
    """The readable values of a row's own fields (foreign keys by their label)."""
    values = {}
    for field in instance._meta.concrete_fields:
        if field.name in SKIPPED_FIELDS or field.name == "kol":
            continue
        values[str(field.verbose_name)] = _readable(instance, field)
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        key: [before.get(key, ""), after.get(key, "")]
        for key in sorted(set(before) | set(after))
        if before.get(key, "") != after.get(key, "")
    }


def record(
    *,
    kol: Kol | None,
    actor: User | None,
    action: str,
    subject: str,
    subject_id: int | None,
    summary: str,
    changes: dict | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        kol=kol,
        actor=actor,
        action=action,
        subject=subject,
        subject_id=subject_id,
        summary=summary[:300],
        changes=changes or {},
    )


def record_created(*, kol: Kol | None, actor: User | None, obj: models.Model, subject: str) -> None:
    record(
        kol=kol,
        actor=actor,
        action=AuditEntry.Action.CREATED,
        subject=subject,
        subject_id=obj.pk,
        summary=str(obj),
        changes=diff({}, snapshot(obj)),
    )


def record_changed(
    *,
    kol: Kol | None,
    actor: User | None,
    obj: models.Model,
    subject: str,
    before: dict[str, str],
) -> None:
    changes = diff(before, snapshot(obj))
    if changes:
        record(
            kol=kol,
            actor=actor,
            action=AuditEntry.Action.CHANGED,
            subject=subject,
            subject_id=obj.pk,
            summary=str(obj),
            changes=changes,
        )


def record_deleted(
    *, kol: Kol, actor: User | None, obj: models.Model, subject: str, pk: int | None = None
) -> None:
    record(
        kol=kol,
        actor=actor,
        action=AuditEntry.Action.DELETED,
        subject=subject,
        subject_id=pk or obj.pk,
        summary=str(obj),
        changes=diff(snapshot(obj), {}),
    )
