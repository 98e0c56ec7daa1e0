"""The rows that point at a KOL, whatever app they are in: counted beside two records, and
moved from the merged record to the survivor.

Contacts must not depend on the apps built on it, so they are found at run time
(`Kol._meta.related_objects` and the many-to-many relations).
"""

from typing import Any

from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce

from contacts.models import Collaborator, Kol

MERGED_LINE = "From the merged record:"


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


def _add_missing(accessor: str, *, survivor: Kol, merged: Kol) -> tuple[int, int]:
    """Link the survivor to what only `merged` was linked to: (how many added, how many
    both had)."""
    mine = set(getattr(survivor, accessor).values_list("pk", flat=True))
    theirs = set(getattr(merged, accessor).values_list("pk", flat=True))
    getattr(survivor, accessor).add(*(theirs - mine))
    return len(theirs - mine), len(theirs & mine)


def move_related(*, survivor: Kol, merged: Kol) -> tuple[dict[str, int], int]:
    """Point every row of `merged` at `survivor`; returns moved counts by label, and skips."""
    moved: dict[str, int] = {}
    skipped = 0
    for rel in Kol._meta.related_objects:
        model = rel.related_model
        if rel.many_to_many:
            if not rel.through._meta.auto_created:
                continue  # a custom through model moves as its own ForeignKey rows
            accessor = rel.get_accessor_name()
            added, shared = _add_missing(accessor, survivor=survivor, merged=merged)
            moved[accessor.replace("_", " ")] = added
            skipped += shared
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
        added, _shared = _add_missing(field.name, survivor=survivor, merged=merged)
        moved[str(field.verbose_name)] = added
    return moved, skipped
