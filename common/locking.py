"""Optimistic locking: an edit is saved only over the version its form was loaded at.

A row that several people edit has a `version` field (Versioned). Its edit form carries, hidden,
the version it was loaded at (VersionedFormMixin, version_field). The service writes with
save_if_current() or delete_if_current(): one conditional UPDATE that also bumps the version,
so of two saves from the same version one is written and the other raises StaleEdit, on
every database and without holding a lock while the user types. The view answers StaleEdit
with 409 (common.rendering.CONFLICT): what is saved now, and what the user typed based on
the saved version, so that saving again overwrites the other change on purpose.
"""

from typing import Any

from django import forms
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

# A hidden field that is missing or mangled: the page was not the one we served.
STALE_FORM = "This form is out of date or incomplete: reload the page and try again."


class Versioned(models.Model):
    """A row edited by more than one person: edits are written with save_if_current()."""

    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


class StaleEdit(Exception):
    """The row changed since the form was loaded; nothing was written.

    `current` is the row as saved now, or None if it was deleted meanwhile."""

    def __init__(self, current: models.Model | None):
        if current is None:
            super().__init__("The row was deleted by someone else")
        else:
            super().__init__(f"{type(current).__name__} {current.pk} was changed by someone else")
        self.current = current


def _rows(target: models.Model | models.QuerySet) -> models.QuerySet:
    if isinstance(target, models.Model):
        return type(target)._default_manager.filter(pk=target.pk)
    return target


def save_if_current(
    target: models.Model | models.QuerySet, expected_version: int | None, **changes: Any
) -> None:
    """`UPDATE ... SET **changes, version = version + 1 WHERE <target> AND version = expected`.

    `target` is a row (its changes and new version are then set on it too) or a queryset
    of at most one row (re-read as it is, select_related included, for StaleEdit.current).
    `auto_now` fields are set to now. `expected_version` None: the form sent no version
    and the write is not checked. Raises StaleEdit if no row matched.
    """
    rows = _rows(target)
    for field in rows.model._meta.concrete_fields:
        if getattr(field, "auto_now", False):
            changes.setdefault(field.name, timezone.now())
    matching = rows if expected_version is None else rows.filter(version=expected_version)
    if matching.update(version=F("version") + 1, **changes) != 1:
        raise StaleEdit(rows.first())
    if isinstance(target, models.Model):
        for name, value in changes.items():
            setattr(target, name, value)
        if expected_version is None:
            target.refresh_from_db(fields=["version"])
        else:
            target.version = expected_version + 1


@transaction.atomic
def delete_if_current(target: models.Model | models.QuerySet, expected_version: int | None) -> None:
    """Delete the row only if it is still at `expected_version`; else StaleEdit.

    The version is claimed first (a conditional UPDATE, which holds the row until commit),
    so an edit saved between the check and the delete cannot be deleted unseen."""
    save_if_current(target, expected_version)
    _rows(target).delete()


def version_field(*, required: bool = True, min_value: int = 1) -> forms.IntegerField:
    """The hidden field with the version the form was loaded at."""
    return forms.IntegerField(
        widget=forms.HiddenInput,
        required=required,
        min_value=min_value,
        error_messages={"required": STALE_FORM, "invalid": STALE_FORM, "min_value": STALE_FORM},
    )


class VersionedFormMixin:
    """An edit form of a Versioned row carries `version` (a new row has none to carry).

    By default a post without it (sent by a page served before the row had a version) is
    accepted and not checked; `version_required = True` refuses it as a stale form.
    """

    version_required = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"] = version_field(required=self.version_required)
            self.fields["version"].initial = self.instance.version

    def expected_version(self) -> int | None:
        """The version the user started from (None: not sent, so not checked)."""
        return self.cleaned_data.get("version")
