"""Writes for follow-ups: add, complete (done or skipped), snooze, undo one of those, reopen.
One transaction each."""

import datetime
import uuid
from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from contacts import audit
from contacts.models import Kol
from engagements.models import FollowUp, Touchpoint
from engagements.services.once import once_per_form

PAST_DATE = "Pick today or a later date."
# How long an Undo stays good: the notice fades after seconds, the undo itself survives a
# reload or a slow thumb for some minutes.
UNDO_SECONDS = 15 * 60
UNDO_SALT = "engagements.followup-undo"
STALE = "This follow-up changed since: nothing was undone."
EXPIRED = "Too late to undo that: change the follow-up instead."
NOT_COMPLETED = "This follow-up is open already: nothing to reopen."


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
    form_token: uuid.UUID | None = None,
) -> FollowUp:
    """Add a follow-up; the same form sent again (its form_token) adds nothing more."""
    _refuse_past(due_on, field="due_on")
    followup, created = once_per_form(
        FollowUp,
        kol=kol,
        form_token=form_token,
        create=lambda: FollowUp.objects.create(
            kol=kol,
            owner=by,
            kind=kind,
            text=text.strip(),
            due_on=due_on,
            source_touchpoint=source_touchpoint,
            form_token=form_token,
        ),
    )
    if created:
        audit.record_created(kol=kol, actor=by, obj=followup, subject="follow-up")
    return followup


def _record_change(followup: FollowUp, *, by: User | None, summary: str, changes: dict) -> None:
    """The History entry of a follow-up done, skipped, snoozed, undone or reopened."""
    audit.record(
        kol=followup.kol,
        actor=by,
        action="changed",
        subject="follow-up",
        subject_id=followup.pk,
        summary=summary,
        changes=changes,
    )


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
        _record_change(
            followup,
            by=by,
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
        _record_change(
            followup,
            by=by,
            summary=str(followup),
            changes={"due date": [was.isoformat(), until.isoformat()]},
        )
    return followup


@dataclass(frozen=True)
class FollowUpState:
    """What done, skip and snooze change, and so what their undo puts back."""

    status: str
    due_on: datetime.date
    done_at: datetime.datetime | None

    @classmethod
    def of(cls, followup: FollowUp) -> "FollowUpState":
        return cls(followup.status, followup.due_on, followup.done_at)

    def dump(self) -> list:
        return [self.status, self.due_on.isoformat(), self.done_at and self.done_at.isoformat()]

    @classmethod
    def load(cls, data: list) -> "FollowUpState":
        status, due_on, done_at = data
        return cls(
            status,
            datetime.date.fromisoformat(due_on),
            done_at and datetime.datetime.fromisoformat(done_at),
        )

    def fields(self) -> dict:
        return {"status": self.status, "due_on": self.due_on, "done_at": self.done_at}


class UndoRefused(Exception):
    """The undo cannot be done: too old, forged, or the follow-up changed since."""


def undo_token(*, followup: FollowUp, before: FollowUpState, by: User) -> str | None:
    """A signed note of what an action changed, for its Undo; None if it changed nothing.
    Signed, so the undo is a server action that survives a reload, and no one can post a
    state of their own choosing."""
    after = FollowUpState.of(followup)
    if after == before:
        return None
    payload = {"f": followup.pk, "u": by.pk, "b": before.dump(), "a": after.dump()}
    return signing.dumps(payload, salt=UNDO_SALT, compress=True)


def _changes(was: FollowUpState, now: FollowUpState) -> dict:
    labels = dict(FollowUp.Status.choices)
    changes = {}
    if was.status != now.status:
        changes["status"] = [labels[was.status], labels[now.status]]
    if was.due_on != now.due_on:
        changes["due date"] = [was.due_on.isoformat(), now.due_on.isoformat()]
    return changes


@transaction.atomic
def followup_undo(*, followup: FollowUp, token: str, by: User) -> FollowUp:
    """Put the follow-up back as it was before the action `token` was made for, only if
    nothing changed it since (a conditional update: never overwrite a later change)."""
    try:
        payload = signing.loads(token, salt=UNDO_SALT, max_age=UNDO_SECONDS)
    except signing.BadSignature as error:  # forged, or older than UNDO_SECONDS
        raise UndoRefused(EXPIRED) from error
    if payload.get("f") != followup.pk or payload.get("u") != by.pk:
        raise UndoRefused(EXPIRED)
    before, after = FollowUpState.load(payload["b"]), FollowUpState.load(payload["a"])
    changed = FollowUp.objects.filter(pk=followup.pk, **after.fields()).update(**before.fields())
    followup.refresh_from_db(fields=["status", "due_on", "done_at"])
    if not changed:
        raise UndoRefused(STALE)
    _record_change(followup, by=by, summary=f"Undone: {followup}", changes=_changes(after, before))
    return followup


@transaction.atomic
def followup_reopen(
    *, followup: FollowUp, text: str, due_on: datetime.date, by: User | None = None
) -> FollowUp:
    """Reopen a done or skipped follow-up, with its text and due date as edited."""
    _refuse_past(due_on, field="due_on")
    # As stored, not as the caller's copy says (a bound ModelForm edits its instance).
    stored = FollowUp.objects.select_for_update().get(pk=followup.pk)
    was, was_text = FollowUpState.of(stored), stored.text
    changed = (
        FollowUp.objects.filter(pk=followup.pk)
        .exclude(status=FollowUp.Status.OPEN)
        .update(status=FollowUp.Status.OPEN, done_at=None, text=text.strip(), due_on=due_on)
    )
    followup.refresh_from_db(fields=["status", "due_on", "done_at", "text"])
    if not changed:
        raise ValidationError(NOT_COMPLETED)
    changes = _changes(was, FollowUpState.of(followup))
    if was_text != followup.text:
        changes["text"] = [was_text, followup.text]
    _record_change(followup, by=by, summary=f"Reopened: {followup}", changes=changes)
    return followup
