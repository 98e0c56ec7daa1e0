"""Merging two KOL records of the same person: the field-by-field choice, the picker, the move.

Contacts must not depend on the apps built on it, so the rows pointing at a KOL are found at
run time (`Kol._meta.related_objects` and the many-to-many relations), whatever app they are in.
"""

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from contacts import audit
from contacts.models import AuditEntry, Collaborator, Kol, StageChange
from contacts.selectors import kols_for_user

MERGED_REASON = "Merged records"
MERGED_LINE = "From the merged record:"
PICKER_LIMIT = 50


@dataclass(frozen=True)
class MergeField:
    """One row of the side-by-side table; `fields` move together (consent and its date)."""

    key: str
    label: str
    fields: tuple[str, ...]

    def values(self, kol: Kol) -> dict[str, Any]:
        return {name: getattr(kol, name) for name in self.fields}

    def is_empty(self, kol: Kol) -> bool:
        return all(value in (None, "", False) for value in self.values(kol).values())

    def display(self, kol: Kol) -> str:
        if self.key == "email_consent":
            if not kol.email_consent:
                return "Not given"
            on = kol.email_consent_on
            return f"Given on {on:%d %b %Y}" if on else "Given"
        if self.key == "cadence_days":
            return f"Every {kol.cadence_days} days" if kol.cadence_days else ""
        field = Kol._meta.get_field(self.key)
        if field.choices:
            return str(getattr(kol, f"get_{self.key}_display")()) if getattr(kol, self.key) else ""
        value = getattr(kol, self.key)
        return "" if value is None else str(value)


def _field(name: str, label: str = "") -> MergeField:
    return MergeField(
        name, label or str(Kol._meta.get_field(name).verbose_name).capitalize(), (name,)
    )


MERGE_FIELDS = [
    _field("name"),
    _field("credentials", "Credentials / title"),
    _field("specialty"),
    _field("institution"),
    _field("city"),
    _field("country"),
    _field("email", "Email"),
    _field("phone"),
    _field("profile_url", "Profile URL"),
    _field("from_where"),
    _field("trained_at"),
    _field("passions"),
    _field("preferred_channel"),
    _field("cadence_days", "Check-in cadence"),
    _field("stage"),
    MergeField("email_consent", "Email consent", ("email_consent", "email_consent_on")),
]
MERGE_FIELDS_BY_KEY = {field.key: field for field in MERGE_FIELDS}


def older_of(first: Kol, second: Kol) -> Kol:
    """The record kept by default: the one created first."""
    return min(first, second, key=lambda kol: (kol.created_at, kol.pk))


def default_pick(field: MergeField, *, survivor: Kol, merged: Kol) -> int:
    """The survivor's value wins unless it is empty and the other record has one."""
    if field.is_empty(survivor) and not field.is_empty(merged):
        return merged.pk
    return survivor.pk


class MergeForm(forms.Form):
    """Which record survives, which value wins per field (`pick_<field>` = a KOL id)."""

    confirm = forms.BooleanField(
        label="I understand the other record will be deleted once its history is moved.",
        error_messages={"required": "Tick the box to confirm the merge. Nothing was changed."},
    )

    def __init__(self, data=None, *, kol: Kol, other: Kol):
        super().__init__(data)
        self.kol, self.other = kol, other
        choices = [(str(kol.pk), kol.name), (str(other.pk), other.name)]
        default_survivor = older_of(kol, other)
        self.fields["survivor"] = forms.TypedChoiceField(
            choices=choices,
            coerce=int,
            initial=str(default_survivor.pk),
            label="Record to keep",
            error_messages={"required": "Pick the record to keep."},
        )
        for field in MERGE_FIELDS:
            self.fields[f"pick_{field.key}"] = forms.TypedChoiceField(
                choices=choices,
                coerce=int,
                required=False,
                label=field.label,
                error_messages={"invalid_choice": f"{field.label}: pick one of the two records."},
            )

    def clean(self) -> dict:
        cleaned = super().clean()
        known = {f"pick_{field.key}" for field in MERGE_FIELDS}
        unknown = sorted(k for k in self.data if k.startswith("pick_") and k not in known)
        if unknown:
            names = ", ".join(k.removeprefix("pick_") for k in unknown)
            raise ValidationError(f"Unknown field: {names}. Nothing was changed.")
        survivor_pk = cleaned.get("survivor")
        if survivor_pk is None:
            return cleaned
        survivor, merged = (
            (self.kol, self.other) if survivor_pk == self.kol.pk else (self.other, self.kol)
        )
        cleaned["survivor_kol"], cleaned["merged_kol"] = survivor, merged
        cleaned["take_from_merged"] = [
            field.key
            for field in MERGE_FIELDS
            if (
                cleaned.get(f"pick_{field.key}")
                or default_pick(field, survivor=survivor, merged=merged)
            )
            == merged.pk
        ]
        return cleaned

    def rows(self) -> list[dict[str, Any]]:
        """The side-by-side table: both values and the one picked (the user's, else the default)."""
        # The validated choice: a mangled posted value falls back to the default, never a 500.
        chosen = getattr(self, "cleaned_data", {}).get("survivor")
        survivor_pk = chosen or older_of(self.kol, self.other).pk
        survivor, merged = (
            (self.kol, self.other) if survivor_pk == self.kol.pk else (self.other, self.kol)
        )
        rows = []
        for field in MERGE_FIELDS:
            picked = self.data.get(f"pick_{field.key}") if self.is_bound else None
            if picked not in (str(self.kol.pk), str(self.other.pk)):
                picked = str(default_pick(field, survivor=survivor, merged=merged))
            rows.append(
                {
                    "key": field.key,
                    "name": f"pick_{field.key}",
                    "label": field.label,
                    "left": field.display(self.kol),
                    "right": field.display(self.other),
                    "same": field.values(self.kol) == field.values(self.other),
                    "picked": picked,
                }
            )
        return rows


# Reads: the picker and the counts shown beside the two records.


def merge_candidates(user: User, kol: Kol, *, query: str = "") -> models.QuerySet[Kol]:
    """The user's other KOLs they may merge (their own), likely duplicates of `kol` first."""
    same_email = Q(email__iexact=kol.email) if kol.email else Q(pk__in=[])
    same_name = Q(name__iexact=kol.name)
    same_place = (
        same_name & Q(institution__iexact=kol.institution) if kol.institution else Q(pk__in=[])
    )
    candidates = (
        kols_for_user(user, archived=None)
        .filter(owner=user)
        .exclude(pk=kol.pk)
        .annotate(
            same_email=ExpressionWrapper(same_email, output_field=BooleanField()),
            same_name=ExpressionWrapper(same_name, output_field=BooleanField()),
            same_place=ExpressionWrapper(same_place, output_field=BooleanField()),
        )
    )
    for word in query.split():
        candidates = candidates.filter(
            Q(name__icontains=word)
            | Q(institution__icontains=word)
            | Q(specialty__icontains=word)
            | Q(email__icontains=word)
            | Q(city__icontains=word)
        )
    return candidates.order_by("-same_email", "-same_place", "-same_name", "name", "pk")


def _relations() -> list[tuple[str, str, models.Model, str]]:
    """(label, kind, model counted, its column naming the KOL) for every relation to a KOL."""
    found = []
    for rel in Kol._meta.related_objects:
        if rel.many_to_many:
            through = rel.through
            if not through._meta.auto_created:
                continue  # a custom through model is counted as its own ForeignKey rows
            column = rel.field.m2m_reverse_field_name()
            label = rel.get_accessor_name().replace("_", " ").capitalize()
            found.append((label, "m2m", through, column))
        else:
            label = str(rel.related_model._meta.verbose_name_plural).capitalize()
            if rel.one_to_one:
                label = str(rel.related_model._meta.verbose_name).capitalize()
            found.append((label, "fk", rel.related_model, rel.field.name))
    for field in Kol._meta.many_to_many:
        through = field.remote_field.through
        if through._meta.auto_created:
            column = field.m2m_field_name()
            found.append((str(field.verbose_name).capitalize(), "m2m", through, column))
    return found


def related_counts(first: Kol, second: Kol) -> list[dict[str, Any]]:
    """How many rows of each kind each record holds: one query, whatever the counts."""
    subqueries = {}
    labels = []
    for index, (label, _kind, model, column) in enumerate(_relations()):
        rows = (
            model._base_manager.filter(**{column: OuterRef("pk")})
            .order_by()
            .values(column)
            .annotate(n=Count("pk"))
            .values("n")
        )
        subqueries[f"rel_{index}"] = Coalesce(models.Subquery(rows), 0)
        labels.append(label)
    counts = {
        row["pk"]: row
        for row in Kol._base_manager.filter(pk__in=[first.pk, second.pk])
        .annotate(**subqueries)
        .values("pk", *subqueries)
    }
    return [
        {
            "label": label,
            "left": counts.get(first.pk, {}).get(f"rel_{index}", 0),
            "right": counts.get(second.pk, {}).get(f"rel_{index}", 0),
        }
        for index, label in enumerate(labels)
    ]


# The write.


def _clashing(model: type[models.Model], column: str, *, survivor: Kol, merged: Kol) -> Q:
    """Rows of `merged` that would break a unique constraint once they point at `survivor`."""
    unique_sets = [(tuple(fields), None) for fields in model._meta.unique_together]
    unique_sets += [
        (tuple(constraint.fields), constraint.condition)
        for constraint in model._meta.constraints
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields
    ]
    clash = Q(pk__in=[])
    for fields, condition in unique_sets:
        if column not in fields:
            continue
        theirs = model._base_manager.filter(**{column: survivor})
        if condition is not None:
            theirs = theirs.filter(condition)
        same = {name: OuterRef(name) for name in fields if name != column}
        rule = Exists(theirs.filter(**same))
        clash |= (condition & rule) if condition is not None else Q(rule)
    if model is Collaborator:
        clash |= Q(user_id=survivor.owner_id)  # the owner is never their own collaborator
    return clash


def _combine_one_to_one(model: type[models.Model], column: str, *, survivor: Kol, merged: Kol):
    """Keep the survivor's row; its text fields get the other's under a "From the merged
    record:" line, and its empty values are filled from the other."""
    theirs = model._base_manager.filter(**{column: merged}).first()
    if theirs is None:
        return 0
    mine = model._base_manager.filter(**{column: survivor}).first()
    if mine is None:
        return model._base_manager.filter(pk=theirs.pk).update(**{column: survivor})
    for field in model._meta.concrete_fields:
        if field.primary_key or field.is_relation or field.name == "version":
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            continue
        mine_value, their_value = getattr(mine, field.attname), getattr(theirs, field.attname)
        if their_value in (None, "") or their_value == mine_value:
            continue
        if mine_value in (None, ""):
            setattr(mine, field.attname, their_value)
        elif isinstance(field, models.TextField):
            setattr(mine, field.attname, f"{mine_value}\n\n{MERGED_LINE}\n{their_value}")
    if any(f.name == "version" for f in model._meta.concrete_fields):
        mine.version = F("version") + 1
    mine.save()
    return 1


def _move_related(*, survivor: Kol, merged: Kol) -> tuple[dict[str, int], int]:
    """Point every row of `merged` at `survivor`; returns moved counts by label, and skips."""
    moved: dict[str, int] = {}
    skipped = 0
    for rel in Kol._meta.related_objects:
        model = rel.related_model
        if rel.many_to_many:
            if not rel.through._meta.auto_created:
                continue  # a custom through model moves as its own ForeignKey rows
            accessor = rel.get_accessor_name()
            mine = set(getattr(survivor, accessor).values_list("pk", flat=True))
            theirs = set(getattr(merged, accessor).values_list("pk", flat=True))
            getattr(survivor, accessor).add(*(theirs - mine))
            moved[accessor.replace("_", " ")] = len(theirs - mine)
            skipped += len(theirs & mine)
            continue
        column = rel.field.name
        label = str(model._meta.verbose_name_plural)
        if rel.one_to_one:
            moved[str(model._meta.verbose_name)] = _combine_one_to_one(
                model, column, survivor=survivor, merged=merged
            )
            continue
        rows = model._base_manager.filter(**{column: merged})
        clashing = rows.filter(_clashing(model, column, survivor=survivor, merged=merged))
        skipped += clashing.count()
        moved[label] = rows.exclude(pk__in=clashing.values("pk")).update(**{column: survivor})
    for field in Kol._meta.many_to_many:
        if not field.remote_field.through._meta.auto_created:
            continue  # Collaborator rows moved above
        mine = set(getattr(survivor, field.name).values_list("pk", flat=True))
        theirs = set(getattr(merged, field.name).values_list("pk", flat=True))
        getattr(survivor, field.name).add(*(theirs - mine))
        moved[str(field.verbose_name)] = len(theirs - mine)
    return moved, skipped


@transaction.atomic
def kol_merge(
    *, survivor: Kol, merged: Kol, by: User, take_from_merged: Collection[str] = ()
) -> Kol:
    """Merge `merged` into `survivor`: chosen values, every related row, then delete it."""
    if survivor.pk == merged.pk:
        raise ValidationError("A record cannot be merged with itself.")
    unknown = sorted(set(take_from_merged) - set(MERGE_FIELDS_BY_KEY))
    if unknown:
        raise ValidationError(f"Unknown field: {', '.join(unknown)}.")
    locked = Kol.objects.select_for_update().filter(pk__in=[survivor.pk, merged.pk]).order_by("pk")
    fresh = {kol.pk: kol for kol in locked}
    survivor, merged = fresh[survivor.pk], fresh[merged.pk]
    if survivor.owner_id != merged.owner_id:
        raise ValidationError("Only records with the same owner can be merged.")

    values: dict[str, Any] = {}
    value_changes: dict[str, list[str]] = {}
    for key in take_from_merged:
        field = MERGE_FIELDS_BY_KEY[key]
        if field.values(survivor) != field.values(merged):
            values.update(field.values(merged))
            value_changes[field.label] = [field.display(survivor), field.display(merged)]
    from_stage = survivor.stage
    merged_label = f"{merged.name} (record {merged.pk})"

    moved, skipped = _move_related(survivor=survivor, merged=merged)
    Kol.objects.filter(pk=survivor.pk).update(
        version=F("version") + 1, updated_at=timezone.now(), **values
    )
    for name, value in values.items():
        setattr(survivor, name, value)
    survivor.version += 1
    if survivor.stage != from_stage:
        StageChange.objects.create(
            kol=survivor,
            from_stage=from_stage,
            to_stage=survivor.stage,
            changed_by=by,
            reason=MERGED_REASON,
        )
    merged_pk = merged.pk
    merged.delete()

    # The check-in clock is kept in one place, by the app that owns touchpoints and gives.
    from engagements.services.interactions import kol_refresh_last_interaction

    kol_refresh_last_interaction(kol=survivor)
    summary = ", ".join(f"{count} {label}" for label, count in moved.items() if count)
    audit.record(
        kol=survivor,
        actor=by,
        action=AuditEntry.Action.MERGED,
        subject="merge",
        subject_id=merged_pk,
        summary=f"Merged {merged_label} into this record"
        + (f"; moved {summary}" if summary else "")
        + (f"; {skipped} duplicate{'s' if skipped != 1 else ''} dropped" if skipped else ""),
        changes={"merged record": ["", merged_label], **value_changes},
    )
    return survivor
