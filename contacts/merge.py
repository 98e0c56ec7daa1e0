"""Merging two KOL records of the same person: the field-by-field choice, the picker, the
merge itself; the rows pointing at either record are counted and moved by
contacts.merge_relations."""

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.utils import timezone

from accounts.models import User
from contacts import audit
from contacts.merge_relations import move_related
from contacts.models import AuditEntry, Kol, StageChange
from contacts.selectors import kols_for_user
from contacts.services import kol_refresh_check_in

MERGED_REASON = "Merged records"
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


# Reads: the picker (the counts beside the two records: merge_relations.related_counts).


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


# The write.


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

    moved, skipped = move_related(survivor=survivor, merged=merged)
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
    # Each clock is its own record's latest touchpoint or give (kept by engagements, above
    # us): all of those now point at the survivor, so its clock is the later of the two.
    clocks = [kol.last_interaction_at for kol in (survivor, merged) if kol.last_interaction_at]
    survivor.last_interaction_at = max(clocks, default=None)
    merged.delete()
    kol_refresh_check_in(kol=survivor, also=("last_interaction_at",))
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
