"""The admin reads; what the History records changes only through the app's services."""

import pytest
from django.urls import reverse

from contacts import services
from contacts.models import AuditEntry, Collaborator, Goal, Interest, Kol, StageChange
from tests.conftest import client_for
from tests.factories import GoalFactory, TopicFactory, UserFactory


@pytest.fixture
def admin_client(db):
    return client_for(UserFactory(email="root@example.test", is_staff=True, is_superuser=True))


def change_url(obj) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def form_data(response) -> dict:
    """What the browser would post back unchanged: the form's fields and the inlines'
    management forms."""
    data = {}
    bound = [
        response.context["adminform"].form[name]
        for name in response.context["adminform"].form.fields
    ]
    for formset in response.context["inline_admin_formsets"]:
        bound.extend(formset.formset.management_form)
    for field in bound:
        value = field.value()
        if value is None or value is False:
            continue
        data[field.html_name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return data


def test_it_keeps_stage_owner_and_cadence_and_records_profile_changes(admin_client, kol, teammate):
    response = admin_client.get(change_url(kol))
    page = response.content.decode()
    assert response.status_code == 200
    assert "People → Reassign KOLs" in page and "where the History records them" in page
    data = form_data(response)
    assert "stage" not in data and "owner" not in data and "cadence_days" not in data

    data |= {
        "stage": "maintaining",
        "owner": str(teammate.pk),
        "cadence_days": "30",
        "next_check_in_on": "2030-01-01",
        "version": "99",
        "is_archived": "on",
        "city": "Leeds",
    }
    response = admin_client.post(change_url(kol), data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    before = kol
    kol = Kol.objects.get(pk=kol.pk)
    assert (kol.stage, kol.owner, kol.cadence_days, kol.is_archived) == (
        before.stage,
        before.owner,
        90,
        False,
    )
    assert kol.next_check_in_on == before.next_check_in_on
    assert list(StageChange.objects.filter(kol=kol).values_list("to_stage", flat=True)) == [
        "establishing"
    ]
    # The one field the admin may fix went through kol_update: History and a new version.
    assert (kol.city, kol.version) == ("Leeds", before.version + 1)
    entry = AuditEntry.objects.get(kol=kol, action="changed")
    assert entry.actor.email == "root@example.test" and entry.changes == {"city": ["", "Leeds"]}


def test_saving_the_kol_unchanged_writes_nothing(admin_client, kol):
    response = admin_client.post(change_url(kol), form_data(admin_client.get(change_url(kol))))
    assert response.status_code == 302
    assert Kol.objects.get(pk=kol.pk).version == kol.version
    assert not AuditEntry.objects.filter(kol=kol, action="changed").exists()


def test_kols_are_neither_added_nor_deleted_in_the_admin(admin_client, kol):
    add = reverse("admin:contacts_kol_add")
    assert admin_client.get(add).status_code == 403
    assert admin_client.post(add, {"name": "Dr Admin", "owner": kol.owner_id}).status_code == 403
    delete = reverse("admin:contacts_kol_delete", args=[kol.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert list(Kol.objects.values_list("name", flat=True)) == [kol.name]


@pytest.fixture
def history(kol, owner, teammate):
    """One row of each model the History records about `kol`."""
    services.collaborator_add(kol=kol, user=teammate, role="msl", by=owner)
    services.interest_add(kol=kol, by=owner, data={"kind": "disease_area", "topic": TopicFactory()})
    GoalFactory(kol=kol)
    return {
        "stagechange": StageChange.objects.get(kol=kol),
        "auditentry": AuditEntry.objects.filter(kol=kol).first(),
        "collaborator": Collaborator.objects.get(kol=kol),
        "interest": Interest.objects.get(kol=kol),
        "goal": Goal.objects.get(kol=kol),
    }


@pytest.mark.parametrize("model", ["stagechange", "auditentry", "collaborator", "interest", "goal"])
def test_the_history_and_what_it_records_are_read_only(admin_client, history, model):
    obj = history[model]
    counts = {name: type(row).objects.count() for name, row in history.items()}
    response = admin_client.get(change_url(obj))
    assert response.status_code == 200 and 'name="_save"' not in response.content.decode()
    assert admin_client.post(change_url(obj), {}).status_code == 403
    assert admin_client.get(reverse(f"admin:contacts_{model}_add")).status_code == 403
    delete = reverse(f"admin:contacts_{model}_delete", args=[obj.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert {name: type(row).objects.count() for name, row in history.items()} == counts


def test_the_kol_page_shows_its_collaborators_interests_and_goals_read_only(
    admin_client, kol, history
):
    page = admin_client.get(change_url(kol)).content.decode()
    assert "Tom Teammate" in page and history["interest"].topic.name in page
    assert 'name="collaborations-0-role"' not in page  # shown, not editable
