"""Writes for the give and ask ledger. One transaction each."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from contacts import audit
from contacts.models import Kol
from engagements.models import Ask, FollowUp, Give
from engagements.services.interactions import kol_refresh_last_interaction

GIVE_FIELDS = ["kind", "topic", "given_on", "note", "response"]
ASK_FIELDS = ["kind", "in_it_for_kol", "asked_on", "outcome"]


def _text(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


@transaction.atomic
def give_log(*, kol: Kol, by: User, data: dict[str, Any]) -> Give:
    """A give resets the check-in clock and counts as the open check-ins being done."""
    give = Give.objects.create(
        kol=kol, by=by, **{f: _text(data[f]) for f in GIVE_FIELDS if f in data}
    )
    kol_refresh_last_interaction(kol=kol)
    FollowUp.objects.filter(
        kol=kol, kind=FollowUp.Kind.CHECK_IN, status=FollowUp.Status.OPEN
    ).update(status=FollowUp.Status.DONE, done_at=timezone.now())
    audit.record_created(kol=kol, actor=by, obj=give, subject="give")
    return give


@transaction.atomic
def give_update(*, give: Give, data: dict[str, Any], by: User | None = None) -> Give:
    # From the database: a bound ModelForm has already changed the instance in memory.
    before = audit.snapshot(Give.objects.get(pk=give.pk))
    for field in GIVE_FIELDS:
        if field in data:
            setattr(give, field, _text(data[field]))
    give.save()
    kol_refresh_last_interaction(kol=give.kol)
    audit.record_changed(kol=give.kol, actor=by, obj=give, subject="give", before=before)
    return give


@transaction.atomic
def give_delete(*, give: Give, by: User | None = None) -> None:
    kol = give.kol
    pk = give.pk
    give.delete()
    kol_refresh_last_interaction(kol=kol)
    audit.record_deleted(kol=kol, actor=by, obj=give, subject="give", pk=pk)


@transaction.atomic
def ask_log(*, kol: Kol, by: User, data: dict[str, Any]) -> Ask:
    ask = Ask.objects.create(kol=kol, by=by, **{f: _text(data[f]) for f in ASK_FIELDS if f in data})
    audit.record_created(kol=kol, actor=by, obj=ask, subject="ask")
    return ask


@transaction.atomic
def ask_update(*, ask: Ask, data: dict[str, Any], by: User | None = None) -> Ask:
    before = audit.snapshot(Ask.objects.get(pk=ask.pk))
    for field in ASK_FIELDS:
        if field in data:
            setattr(ask, field, _text(data[field]))
    ask.save()
    audit.record_changed(kol=ask.kol, actor=by, obj=ask, subject="ask", before=before)
    return ask


@transaction.atomic
def ask_delete(*, ask: Ask, by: User | None = None) -> None:
    pk = ask.pk
    ask.delete()
    audit.record_deleted(kol=ask.kol, actor=by, obj=ask, subject="ask", pk=pk)
