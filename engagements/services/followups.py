"""Writes for follow-ups: add, complete (done or skipped), snooze. One transaction each."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from contacts import audit
from contacts.models import Kol
from engagements.models import FollowUp, Touchpoint

PAST_DATE = "Pick today or a later date."


def _refuse_past(day: datetime.date, *, field: str) -> None:
    if day < timezone.localdate():
        raise ValidationError({field: PAST_DATE})


@transaction.atomic
def followup_add(
    *,
    kol: Kol,
    by: User,
    kind: str,
    text: str,
    due_on: datetime.date,
    source_touchpoint: Touchpoint | None = None,
) -> FollowUp:
    _refuse_past(due_on, field="due_on")
    followup = FollowUp.objects.create(
        kol=kol,
        owner=by,
        kind=kind,
        text=text.strip(),
        due_on=due_on,
        source_touchpoint=source_touchpoint,
    )
    audit.record_created(kol=kol, actor=by, obj=followup, subject="follow-up")
    return followup


@transaction.atomic
def followup_complete(*, followup: FollowUp, status: str, by: User | None = None) -> FollowUp:
    """Mark done or skipped. Completing a completed follow-up changes nothing."""
    if status not in {FollowUp.Status.DONE, FollowUp.Status.SKIPPED}:
        raise ValueError(f"A follow-up is completed as done or skipped, not {status!r}.")
    now = timezone.now()
    # Conditional update: a double click (or two tabs) completes it once, with one done_at.
    changed = FollowUp.objects.filter(pk=followup.pk, status=FollowUp.Status.OPEN).update(
        status=status, done_at=now
    )
    followup.refresh_from_db(fields=["status", "done_at"])
    if changed:
        audit.record(
            kol=followup.kol,
            actor=by,
            action="changed",
            subject="follow-up",
            subject_id=followup.pk,
            summary=str(followup),
            changes={"status": ["Open", followup.get_status_display()]},
        )
    return followup


@transaction.atomic
def followup_snooze(
    *, followup: FollowUp, until: datetime.date, by: User | None = None
) -> FollowUp:
    """Move an open follow-up's due date; a completed one stays as it is."""
    _refuse_past(until, field="until")
    was = followup.due_on
    changed = FollowUp.objects.filter(pk=followup.pk, status=FollowUp.Status.OPEN).update(
        due_on=until
    )
    followup.refresh_from_db(fields=["status", "due_on"])
    if changed and was != until:
        audit.record(
            kol=followup.kol,
            actor=by,
            action="changed",
            subject="follow-up",
            subject_id=followup.pk,
            summary=str(followup),
            changes={"due date": [was.isoformat(), until.isoformat()]},
        )
    return followup
