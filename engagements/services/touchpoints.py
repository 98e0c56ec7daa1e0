"""Writes for touchpoints: log (with follow-ups and stated interests), edit, delete."""

import datetime
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from common.locking import save_if_current
from contacts import audit
from contacts import services as contact_services
from contacts.models import AssumptionStatus, Interest, Kol, Provenance
from engagements.models import FollowUp, Touchpoint, TouchpointInterest
from engagements.services.interactions import kol_refresh_last_interaction
from engagements.services.once import once_per_form

TOUCHPOINT_FIELDS = [
    "occurred_at",
    "kind",
    "where",
    "summary",
    "they_said",
    "feedback",
    "is_criticism",
    "questions_text",
    "next_steps",
]
RECAP_LENGTH = 600


def thank_you_due(*, occurred_at: datetime.datetime, user: User) -> datetime.date:
    """A thank-you goes out soon after: never earlier than today for a backdated meeting."""
    day = timezone.localdate(occurred_at)
    return max(day + datetime.timedelta(days=user.thank_you_after_days), timezone.localdate())


def thank_you_text(touchpoint: Touchpoint) -> str:
    """Prefilled recap: what *they* said, so the thank-you is personal."""
    said = " ".join(touchpoint.they_said.split())
    if len(said) > RECAP_LENGTH:
        said = said[: RECAP_LENGTH - 1].rsplit(" ", 1)[0] + "…"
    day = timezone.localdate(touchpoint.occurred_at)
    when = f"{day.day} {day:%b}"
    text = f"Thank {touchpoint.kol.name} for the {touchpoint.get_kind_display().lower()} on {when}."
    if said:
        text += f" Recap what they said: “{said}”"
    return text


def _next_steps(touchpoint: Touchpoint) -> list[str]:
    return [" ".join(line.split()) for line in touchpoint.next_steps.splitlines() if line.strip()]


def _create_follow_ups(touchpoint: Touchpoint, *, by: User) -> None:
    due = thank_you_due(occurred_at=touchpoint.occurred_at, user=by)
    rows = []
    if touchpoint.is_conversation:
        rows.append(
            FollowUp(
                kol=touchpoint.kol,
                owner=by,
                due_on=due,
                kind=FollowUp.Kind.THANK_YOU,
                text=thank_you_text(touchpoint),
                source_touchpoint=touchpoint,
            )
        )
    rows += [
        FollowUp(
            kol=touchpoint.kol,
            owner=by,
            due_on=due,
            kind=FollowUp.Kind.PROMISED_RESOURCE,
            text=step,
            source_touchpoint=touchpoint,
        )
        for step in _next_steps(touchpoint)
    ]
    for follow_up in FollowUp.objects.bulk_create(rows):
        audit.record_created(kol=touchpoint.kol, actor=by, obj=follow_up, subject="follow-up")
    # What the answer tells the user ("the thank-you recap is due ..."), without a query.
    touchpoint.thank_you = next((r for r in rows if r.kind == FollowUp.Kind.THANK_YOU), None)


def _record_interests(touchpoint: Touchpoint, *, by: User, data: dict[str, Any]) -> None:
    links = []
    if data.get("stated_interest_kind"):
        interest = contact_services.interest_add(
            kol=touchpoint.kol,
            by=by,
            data={
                "kind": data["stated_interest_kind"],
                "topic": data.get("stated_interest_topic"),
                "note": data.get("stated_interest_note", ""),
                "provenance": Provenance.STATED,
                "stated_on": timezone.localdate(touchpoint.occurred_at),
            },
        )
        links.append(TouchpointInterest(touchpoint=touchpoint, interest=interest, outcome="stated"))
    for interest, outcome in (data.get("assumption_outcomes") or {}).items():
        audit.record(
            kol=touchpoint.kol,
            actor=by,
            action="changed",
            subject="interest",
            subject_id=interest.pk,
            summary=str(interest),
            changes={"assumption status": ["Open", AssumptionStatus(outcome).label]},
        )
        Interest.objects.filter(pk=interest.pk).update(
            assumption_status=outcome,
            stated_on=(
                timezone.localdate(touchpoint.occurred_at)
                if outcome == AssumptionStatus.CONFIRMED
                else None
            ),
        )
        links.append(TouchpointInterest(touchpoint=touchpoint, interest=interest, outcome=outcome))
    TouchpointInterest.objects.bulk_create(links)


def touchpoint_log(
    *, kol: Kol, by: User, data: dict[str, Any], form_token: uuid.UUID
) -> tuple[Touchpoint, bool]:
    """Log a touchpoint once per form. Returns (touchpoint, created).

    A second submit of the same form (double click, a retried request) finds the first
    touchpoint by its token and changes nothing; the token of another KOL's form is refused
    (ValidationError, engagements.services.once).
    """

    def create() -> Touchpoint:
        touchpoint = Touchpoint.objects.create(
            kol=kol,
            by=by,
            form_token=form_token,
            **{f: data[f] for f in TOUCHPOINT_FIELDS if f in data},
        )
        touchpoint.topics.set(data.get("topics") or [])
        touchpoint.questions.set(data.get("questions") or [])
        audit.record_created(kol=kol, actor=by, obj=touchpoint, subject="touchpoint")
        _record_interests(touchpoint, by=by, data=data)
        _create_follow_ups(touchpoint, by=by)
        # Any logged interaction completes the check-in that was due.
        FollowUp.objects.filter(
            kol=kol, kind=FollowUp.Kind.CHECK_IN, status=FollowUp.Status.OPEN
        ).update(status=FollowUp.Status.DONE, done_at=timezone.now())
        kol_refresh_last_interaction(kol=kol)
        return touchpoint

    return once_per_form(Touchpoint, kol=kol, form_token=form_token, create=create)


@transaction.atomic
def touchpoint_update(
    *, touchpoint: Touchpoint, data: dict[str, Any], expected_version: int, by: User | None = None
) -> Touchpoint:
    # From the database: a bound ModelForm has already changed the instance in memory.
    before = audit.snapshot(Touchpoint.objects.get(pk=touchpoint.pk))
    changes = {f: data[f] for f in TOUCHPOINT_FIELDS if f in data}
    save_if_current(touchpoint, expected_version, **changes)  # else StaleEdit
    touchpoint.topics.set(data.get("topics") or [])
    touchpoint.questions.set(data.get("questions") or [])
    kol_refresh_last_interaction(kol=touchpoint.kol)
    audit.record_changed(
        kol=touchpoint.kol, actor=by, obj=touchpoint, subject="touchpoint", before=before
    )
    return touchpoint


@transaction.atomic
def touchpoint_delete(*, touchpoint: Touchpoint, by: User | None = None) -> None:
    """Deletes the touchpoint only: its follow-ups and the interests it recorded stay."""
    kol = touchpoint.kol
    pk = touchpoint.pk
    touchpoint.delete()
    audit.record_deleted(kol=kol, actor=by, obj=touchpoint, subject="touchpoint", pk=pk)
    kol_refresh_last_interaction(kol=kol)
