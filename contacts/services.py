"""Writes for KOLs, their stage, interests, goals and collaborators. One transaction each."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from common.locking import save_if_current
from contacts import audit
from contacts.models import (
    AssumptionStatus,
    Collaborator,
    Goal,
    Interest,
    Kol,
    Provenance,
    Stage,
    StageChange,
    TherapeuticArea,
    Topic,
)

KOL_PROFILE_FIELDS = [
    "name",
    "credentials",
    "specialty",
    "institution",
    "city",
    "country",
    "email",
    "phone",
    "profile_url",
    "from_where",
    "trained_at",
    "passions",
    "preferred_channel",
    "cadence_days",
    "email_consent",
    "email_consent_on",
]


def kol_refresh_check_in(*, kol: Kol, also: tuple[str, ...] = ()) -> None:
    """Recompute the stored next check-in after anything it depends on changed; `also`
    names fields already set on `kol` to write in the same UPDATE."""
    kol.next_check_in_on = kol.compute_next_check_in()
    fields = {name: getattr(kol, name) for name in also}
    Kol.objects.filter(pk=kol.pk).update(next_check_in_on=kol.next_check_in_on, **fields)


@transaction.atomic
def kol_create(*, by: User, data: dict[str, Any]) -> Kol:
    areas = data.get("therapeutic_areas") or []
    stage = data.get("stage") or Stage.ESTABLISHING
    kol = Kol.objects.create(
        owner=by, stage=stage, **{f: data[f] for f in KOL_PROFILE_FIELDS if f in data}
    )
    kol.therapeutic_areas.set(areas)
    kol_refresh_check_in(kol=kol)
    StageChange.objects.create(
        kol=kol, from_stage="", to_stage=stage, changed_by=by, reason="Relationship recorded."
    )
    audit.record_created(kol=kol, actor=by, obj=kol, subject="KOL profile")
    return kol


@transaction.atomic
def kol_update(*, kol: Kol, by: User, data: dict[str, Any], expected_version: int) -> Kol:
    before = audit.snapshot(Kol.objects.get(pk=kol.pk))
    before_areas = sorted(str(a) for a in kol.therapeutic_areas.all())
    changes = {f: data[f] for f in KOL_PROFILE_FIELDS if f in data}
    save_if_current(kol, expected_version, **changes)
    if "therapeutic_areas" in data:
        kol.therapeutic_areas.set(data["therapeutic_areas"])
    kol_refresh_check_in(kol=kol)
    after_areas = sorted(str(a) for a in kol.therapeutic_areas.all())
    before["therapeutic areas"] = ", ".join(before_areas)
    fresh = Kol.objects.get(pk=kol.pk)
    after = audit.snapshot(fresh) | {"therapeutic areas": ", ".join(after_areas)}
    changed = audit.diff(before, after)
    if changed:
        audit.record(
            kol=kol,
            actor=by,
            action="changed",
            subject="KOL profile",
            subject_id=kol.pk,
            summary=f"Profile of {kol.name}",
            changes=changed,
        )
    return kol


@transaction.atomic
def kol_change_stage(
    *, kol: Kol, by: User, to_stage: str, reason: str, expected_version: int
) -> StageChange:
    from_stage = kol.stage
    if to_stage not in Stage.values:
        raise ValidationError({"to_stage": "Pick one of the three stages."})
    if to_stage == from_stage:
        raise ValidationError(
            {"to_stage": f"The relationship is already {kol.get_stage_display()}."}
        )
    reason = reason.strip()
    if Stage.rank(to_stage) < Stage.rank(from_stage) and not reason:
        raise ValidationError({"reason": "Say why the relationship moves back a stage."})
    save_if_current(kol, expected_version, stage=to_stage)
    kol_refresh_check_in(kol=kol)  # the default cadence follows the stage
    change = StageChange.objects.create(
        kol=kol, from_stage=from_stage, to_stage=to_stage, changed_by=by, reason=reason
    )
    audit.record(
        kol=kol,
        actor=by,
        action="changed",
        subject="stage",
        subject_id=change.pk,
        summary=f"Stage {change.get_from_stage_display()} → {change.get_to_stage_display()}",
        changes={
            "stage": [change.get_from_stage_display(), change.get_to_stage_display()],
            "reason": ["", reason],
        },
    )
    return change


@transaction.atomic
def kol_set_archived(*, kol: Kol, by: User, archived: bool) -> Kol:
    if kol.is_archived != archived:
        save_if_current(kol, None, is_archived=archived)
        audit.record(
            kol=kol,
            actor=by,
            action="changed",
            subject="KOL profile",
            subject_id=kol.pk,
            summary=f"{kol.name} {'archived' if archived else 'restored'}",
            changes={"archived": [str(not archived), str(archived)]},
        )
    return kol


def topic_get_or_create(*, name: str, area: TherapeuticArea) -> Topic:
    """Add to the shared vocabulary, reusing an existing topic whatever its letter case."""
    name = " ".join(name.split())
    existing = Topic.objects.filter(area=area, name__iexact=name).first()
    return existing or Topic.objects.create(area=area, name=name)


def _provenance_fields(data: dict[str, Any]) -> dict[str, Any]:
    if data.get("provenance") == Provenance.ASSUMED:
        status = data.get("assumption_status") or AssumptionStatus.OPEN
        stated_on = data.get("stated_on") if status == AssumptionStatus.CONFIRMED else None
        if status == AssumptionStatus.CONFIRMED and stated_on is None:
            stated_on = datetime.date.today()
        return {
            "provenance": Provenance.ASSUMED,
            "assumption_status": status,
            "stated_on": stated_on,
        }
    return {
        "provenance": Provenance.STATED,
        "assumption_status": "",
        "stated_on": data.get("stated_on") or timezone.localdate(),
    }


def _topic_from(data: dict[str, Any]) -> Topic | None:
    if data.get("new_topic_name"):
        return topic_get_or_create(name=data["new_topic_name"], area=data["new_topic_area"])
    return data.get("topic")


@transaction.atomic
def interest_add(*, kol: Kol, by: User, data: dict[str, Any]) -> Interest:
    interest = Interest.objects.create(
        kol=kol,
        kind=data["kind"],
        topic=_topic_from(data),
        note=data.get("note", ""),
        give_cadence_days=data.get("give_cadence_days"),
        created_by=by,
        **_provenance_fields(data),
    )
    audit.record_created(kol=kol, actor=by, obj=interest, subject="interest")
    return interest


def _item_update(
    item: Interest | Goal,
    *,
    subject: str,
    expected_version: int | None,
    by: User | None,
    **fields: Any,
) -> None:
    """Write an interest or goal edited from `expected_version` (None: not checked); else
    StaleEdit, and nothing is written."""
    # From the database: a bound ModelForm has already changed the instance in memory.
    before = audit.snapshot(type(item).objects.get(pk=item.pk))
    save_if_current(item, expected_version, **fields)
    audit.record_changed(kol=item.kol, actor=by, obj=item, subject=subject, before=before)


def _item_delete(item: Interest | Goal, *, subject: str, by: User | None) -> None:
    pk = item.pk
    item.delete()
    audit.record_deleted(kol=item.kol, actor=by, obj=item, subject=subject, pk=pk)


@transaction.atomic
def interest_update(
    *, interest: Interest, data: dict[str, Any], by: User | None = None
) -> Interest:
    _item_update(
        interest,
        subject="interest",
        expected_version=data.get("version"),
        by=by,
        kind=data["kind"],
        topic=_topic_from(data),
        note=data.get("note", ""),
        give_cadence_days=data.get("give_cadence_days"),
        **_provenance_fields(data),
    )
    return interest


@transaction.atomic
def interest_delete(*, interest: Interest, by: User | None = None) -> None:
    _item_delete(interest, subject="interest", by=by)


def _goal_fields(data: dict[str, Any]) -> dict[str, Any]:
    fields = {
        "whose": data["whose"],
        "area": data["area"],
        "text": data["text"].strip(),
        "status": data.get("status") or Goal.Status.OPEN,
        "in_it_for_kol": data.get("in_it_for_kol", "").strip(),
    }
    if data["whose"] == Goal.Whose.KOL:
        fields.update(_provenance_fields(data))
        fields["in_it_for_kol"] = ""
    else:
        # Our goals are ours by definition: provenance applies to the KOL's own goals.
        fields.update(provenance=Provenance.STATED, assumption_status="", stated_on=None)
    return fields


@transaction.atomic
def goal_add(*, kol: Kol, by: User, data: dict[str, Any]) -> Goal:
    goal = Goal.objects.create(kol=kol, created_by=by, **_goal_fields(data))
    audit.record_created(kol=kol, actor=by, obj=goal, subject="goal")
    return goal


@transaction.atomic
def goal_update(*, goal: Goal, data: dict[str, Any], by: User | None = None) -> Goal:
    _item_update(
        goal, subject="goal", expected_version=data.get("version"), by=by, **_goal_fields(data)
    )
    return goal


@transaction.atomic
def goal_delete(*, goal: Goal, by: User | None = None) -> None:
    _item_delete(goal, subject="goal", by=by)


@transaction.atomic
def collaborator_add(*, kol: Kol, user: User, role: str, by: User | None = None) -> Collaborator:
    if user.pk == kol.owner_id:
        raise ValidationError({"user": "The owner already works with this KOL."})
    collaborator, created = Collaborator.objects.get_or_create(
        kol=kol, user=user, defaults={"role": role}
    )
    if not created:
        raise ValidationError({"user": f"{user} already collaborates on this KOL."})
    audit.record_created(kol=kol, actor=by, obj=collaborator, subject="collaborator")
    return collaborator


@transaction.atomic
def collaborator_remove(*, collaborator: Collaborator, by: User | None = None) -> None:
    pk = collaborator.pk
    collaborator.delete()
    audit.record_deleted(
        kol=collaborator.kol, actor=by, obj=collaborator, subject="collaborator", pk=pk
    )
