"""Writes for the engagement plan: one per KOL, created on first save, never overwritten blind."""

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
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


class PlanConflict(Exception):
    """The plan changed since the form was loaded; `current` is the saved plan."""

    def __init__(self, current: EngagementPlan):
        super().__init__(f"The engagement plan of KOL {current.kol_id} was changed meanwhile")
        self.current = current


def _saved(kol: Kol) -> EngagementPlan:
    return EngagementPlan.objects.select_related("updated_by").get(kol=kol)


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    fields = {f: data[f] for f in PLAN_FIELDS if f in data}
    for name, value in fields.items():
        if isinstance(value, str):
            fields[name] = value.strip()
    return fields


@transaction.atomic
def plan_save(*, kol: Kol, by: User, data: dict[str, Any], expected_version: int) -> EngagementPlan:
    """Create the plan (expected_version 0) or update it if nobody saved since; else
    PlanConflict, and nothing is written."""
    fields = _clean(data)
    if expected_version == 0:
        try:
            with transaction.atomic():
                plan = EngagementPlan.objects.create(kol=kol, updated_by=by, **fields)
        except IntegrityError:
            raise PlanConflict(_saved(kol)) from None
        audit.record_created(kol=kol, actor=by, obj=plan, subject="engagement plan")
        return plan
    previous = EngagementPlan.objects.filter(kol=kol).first()
    before = audit.snapshot(previous) if previous else {}
    updated = EngagementPlan.objects.filter(kol=kol, version=expected_version).update(
        version=F("version") + 1, updated_by=by, updated_at=timezone.now(), **fields
    )
    if updated != 1:
        if previous is None:
            plan = EngagementPlan.objects.create(kol=kol, updated_by=by, **fields)
            audit.record_created(kol=kol, actor=by, obj=plan, subject="engagement plan")
            return plan
        raise PlanConflict(_saved(kol))
    plan = _saved(kol)
    audit.record_changed(kol=kol, actor=by, obj=plan, subject="engagement plan", before=before)
    return plan
