"""Optimistic locking (common/locking.py), on two of the rows that use it: a give and a plan."""

import datetime

import pytest
from django import forms
from django.utils import timezone

from common.locking import (
    STALE_FORM,
    StaleEdit,
    VersionedFormMixin,
    delete_if_current,
    save_if_current,
)
from engagements.models import EngagementPlan, Give
from tests.engagements.factories import EngagementPlanFactory, GiveFactory


@pytest.fixture
def give(kol):
    return GiveFactory(kol=kol, note="Digest")


def test_it_saves_over_the_version_the_edit_started_from(give):
    save_if_current(give, 1, note="Digest, with the new trial")

    saved = Give.objects.get(pk=give.pk)
    assert (saved.note, saved.version) == ("Digest, with the new trial", 2)
    assert (give.note, give.version) == ("Digest, with the new trial", 2)  # the row in hand too


def test_a_stale_version_writes_nothing_and_says_what_is_saved(give):
    save_if_current(Give.objects.get(pk=give.pk), 1, note="First")

    with pytest.raises(StaleEdit) as stale:
        save_if_current(give, 1, note="Second")

    assert (stale.value.current.note, stale.value.current.version) == ("First", 2)
    assert Give.objects.values_list("note", "version").get(pk=give.pk) == ("First", 2)
    assert give.version == 1  # the row in hand is left as it was


def test_no_version_is_not_checked_but_still_bumps_it(give):
    Give.objects.filter(pk=give.pk).update(version=5)

    save_if_current(give, None, response="Thanks")

    assert give.version == 6
    assert Give.objects.values_list("response", "version").get(pk=give.pk) == ("Thanks", 6)


def test_a_row_deleted_meanwhile_is_stale_with_nothing_current(give):
    Give.objects.filter(pk=give.pk).delete()
    with pytest.raises(StaleEdit) as stale:
        save_if_current(give, 1, note="Too late")
    assert stale.value.current is None


def test_a_queryset_target_is_reread_as_given_and_auto_now_is_set(kol, owner):
    plan = EngagementPlanFactory(kol=kol, objectives="Co-author a review", updated_by=owner)
    EngagementPlan.objects.filter(pk=plan.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=3)
    )
    rows = EngagementPlan.objects.select_related("updated_by").filter(kol=kol)

    save_if_current(rows, 1, objectives="Two talks a year")
    with pytest.raises(StaleEdit) as stale:
        save_if_current(rows, 1, objectives="Stale")

    current = stale.value.current
    assert (current.objectives, current.version) == ("Two talks a year", 2)
    assert "updated_by" in current._state.fields_cache  # read with its select_related
    assert timezone.now() - current.updated_at < datetime.timedelta(minutes=1)


def test_a_delete_goes_through_only_from_the_current_version(give):
    save_if_current(Give.objects.get(pk=give.pk), 1, note="Edited meanwhile")

    with pytest.raises(StaleEdit):
        delete_if_current(give, 1)
    assert Give.objects.filter(pk=give.pk).exists()

    delete_if_current(give, 2)
    assert not Give.objects.filter(pk=give.pk).exists()


class NoteForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Give
        fields = ["note"]


class StrictNoteForm(NoteForm):
    version_required = True


def test_an_edit_form_carries_the_version_hidden_and_a_new_one_does_not(give):
    edit = NoteForm(instance=give)
    assert 'type="hidden" name="version" value="1"' in str(edit["version"])
    assert "version" not in NoteForm().fields


@pytest.mark.parametrize(
    ("form_class", "version", "expected"),
    [
        (NoteForm, "3", 3),
        (NoteForm, None, None),  # a page served before the row had a version
        (StrictNoteForm, None, STALE_FORM),
        (NoteForm, "x", STALE_FORM),
        (NoteForm, "0", STALE_FORM),
    ],
)
def test_the_posted_version_is_what_the_service_checks(give, form_class, version, expected):
    data = {"note": "Changed"} | ({"version": version} if version is not None else {})
    form = form_class(data, instance=give)
    if expected == STALE_FORM:
        assert not form.is_valid()
        assert form.errors["version"] == [STALE_FORM]
    else:
        assert form.is_valid()
        assert form.expected_version() == expected
