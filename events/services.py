"""Writes for events and opportunities. One transaction each."""

from typing import Any

from django.db import transaction

from accounts.models import User
from contacts import audit
from contacts.models import AuditEntry, Kol
from contacts.selectors import kols_for_user
from events.models import Event, Opportunity

EVENT_FIELDS = ["name", "starts_on", "ends_on", "location"]
OPPORTUNITY_FIELDS = ["kind", "title", "description", "deadline"]


def _text(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _set_attendees(*, event: Event, by: User, chosen) -> None:
    """`by` picks among the KOLs they can see; attendees others added and `by` cannot see
    stay where they are."""
    hidden = set(
        event.attendees.exclude(pk__in=kols_for_user(by, archived=None).values("pk")).values_list(
            "pk", flat=True
        )
    )
    before = set(event.attendees.values_list("pk", flat=True))
    after = hidden | {kol.pk for kol in chosen}
    event.attendees.set(after)
    # Attending is part of a KOL's record: each KOL whose attendance changed gets a History
    # entry (the event's own name and dates are about the event, not the person).
    for kol in Kol.objects.filter(pk__in=before ^ after):
        added = kol.pk in after
        audit.record(
            kol=kol,
            actor=by,
            action=AuditEntry.Action.CREATED if added else AuditEntry.Action.DELETED,
            subject="event attendance",
            subject_id=event.pk,
            summary=f"{'Attended' if added else 'Removed from'} {event}",
        )


@transaction.atomic
def event_create(*, by: User, data: dict[str, Any]) -> Event:
    event = Event.objects.create(created_by=by, **{f: _text(data[f]) for f in EVENT_FIELDS})
    event.areas.set(data.get("areas") or [])
    event.topics.set(data.get("topics") or [])
    audit.record_created(kol=None, actor=by, obj=event, subject="event")
    _set_attendees(event=event, by=by, chosen=data.get("attendees") or [])
    return event


@transaction.atomic
def event_update(*, event: Event, by: User, data: dict[str, Any]) -> Event:
    before = audit.snapshot(Event.objects.get(pk=event.pk))
    for field in EVENT_FIELDS:
        setattr(event, field, _text(data[field]))
    event.save()
    audit.record_changed(kol=None, actor=by, obj=event, subject="event", before=before)
    event.areas.set(data.get("areas") or [])
    event.topics.set(data.get("topics") or [])
    _set_attendees(event=event, by=by, chosen=data.get("attendees") or [])
    return event


@transaction.atomic
def opportunity_create(*, by: User, data: dict[str, Any]) -> Opportunity:
    opportunity = Opportunity.objects.create(
        created_by=by, **{f: _text(data[f]) for f in OPPORTUNITY_FIELDS}
    )
    opportunity.topics.set(data.get("topics") or [])
    audit.record_created(kol=None, actor=by, obj=opportunity, subject="opportunity")
    return opportunity


@transaction.atomic
def opportunity_update(
    *, opportunity: Opportunity, data: dict[str, Any], by: User | None = None
) -> Opportunity:
    before = audit.snapshot(Opportunity.objects.get(pk=opportunity.pk))
    for field in OPPORTUNITY_FIELDS:
        setattr(opportunity, field, _text(data[field]))
    opportunity.save()
    audit.record_changed(kol=None, actor=by, obj=opportunity, subject="opportunity", before=before)
    opportunity.topics.set(data.get("topics") or [])
    return opportunity
