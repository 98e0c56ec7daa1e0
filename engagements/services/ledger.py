"""Writes for the give and ask ledger. One transaction each."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from common.locking import delete_if_current, save_if_current
from contacts import audit
from contacts.models import Kol
from engagements.models import Ask, FollowUp, Give
from engagements.services.interactions import kol_refresh_last_interaction

GIVE_FIELDS = ["kind", "topic", "given_on", "note", "response"]
ASK_FIELDS = ["kind", "in_it_for_kol", "asked_on", "outcome"]
FIELDS = {Give: GIVE_FIELDS, Ask: ASK_FIELDS}


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
def ask_log(*, kol: Kol, by: User, data: dict[str, Any]) -> Ask:
    ask = Ask.objects.create(kol=kol, by=by, **{f: _text(data[f]) for f in ASK_FIELDS if f in data})
    audit.record_created(kol=kol, actor=by, obj=ask, subject="ask")
    return ask


def _after_write(entry: Give | Ask) -> None:
    if isinstance(entry, Give):  # a give is an interaction: the check-in clock follows it
        kol_refresh_last_interaction(kol=entry.kol)


@transaction.atomic
def entry_update(
    *, entry: Give | Ask, data: dict[str, Any], expected_version: int | None, by: User | None
) -> Give | Ask:
    """Save a give or an ask edited from `expected_version` (None: not checked); else
    StaleEdit (common.locking), and nothing is written."""
    # From the database: a bound ModelForm has already changed the instance in memory.
    before = audit.snapshot(type(entry).objects.get(pk=entry.pk))
    changes = {f: _text(data[f]) for f in FIELDS[type(entry)] if f in data}
    save_if_current(entry, expected_version, **changes)
    _after_write(entry)
    subject = entry._meta.model_name
    audit.record_changed(kol=entry.kol, actor=by, obj=entry, subject=subject, before=before)
    return entry


@transaction.atomic
def entry_delete(*, entry: Give | Ask, expected_version: int | None, by: User | None) -> None:
    """Delete a give or an ask still at `expected_version` (None: not checked); else
    StaleEdit, and it stays."""
    pk = entry.pk
    delete_if_current(entry, expected_version)
    _after_write(entry)
    audit.record_deleted(kol=entry.kol, actor=by, obj=entry, subject=entry._meta.model_name, pk=pk)
