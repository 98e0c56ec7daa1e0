"""Writes for the engagement plan: one per KOL, created on first save, never overwritten blind."""

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from accounts.models import User
from common.locking import StaleEdit, save_if_current
from contacts import audit
from contacts.models import Kol
from engagements.models import EngagementPlan

PLAN_FIELDS = [
    "objectives",
    "built_with_kol",
    "kol_input",
    "who_interacts",
    "outcome_measures",
    "next_review_on",
]


def _plan_of(kol: Kol) -> QuerySet[EngagementPlan]:
    return EngagementPlan.objects.select_related("updated_by").filter(kol=kol)


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    fields = {f: data[f] for f in PLAN_FIELDS if f in data}
    for name, value in fields.items():
        if isinstance(value, str):
            fields[name] = value.strip()
    return fields


@transaction.atomic
def plan_save(*, kol: Kol, by: User, data: dict[str, Any], expected_version: int) -> EngagementPlan:
    """Create the plan (expected_version 0) or update it if nobody saved since; else
    StaleEdit (its `current` the saved plan), and nothing is written."""
    fields = _clean(data)
    previous = EngagementPlan.objects.filter(kol=kol).first() if expected_version else None
    if previous is None:
        try:
            with transaction.atomic():
                plan = EngagementPlan.objects.create(kol=kol, updated_by=by, **fields)
        except IntegrityError:
            raise StaleEdit(_plan_of(kol).get()) from None
        audit.record_created(kol=kol, actor=by, obj=plan, subject="engagement plan")
        return plan
    before = audit.snapshot(previous)
    save_if_current(_plan_of(kol), expected_version, updated_by=by, **fields)
    plan = _plan_of(kol).get()
    audit.record_changed(kol=kol, actor=by, obj=plan, subject="engagement plan", before=before)
    return plan
