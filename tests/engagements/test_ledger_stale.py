"""Stale edits and deletes of gives and asks: refused with a message (409), never
overwriting someone else's change; what the user typed is kept (common/locking.py)."""

import pytest

from contacts.models import Collaborator
from engagements.models import Ask, Give
from tests.conftest import HTMX, client_for
from tests.engagements.factories import AskFactory, GiveFactory
from tests.engagements.test_ledger import ask_data, give_data, url
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def collaborator(kol):
    user = UserFactory(email="collab@example.test", display_name="Cleo Collaborator")
    MembershipFactory(user=user)
    Collaborator.objects.create(kol=kol, user=user)
    return user


def test_a_stale_give_edit_is_a_conflict_and_keeps_both_texts(owner_client, kol, collaborator):
    give = GiveFactory(kol=kol, by=collaborator, note="Digest")
    prefix = f"give{give.pk}"
    edit = url("give_edit", kol, give_pk=give.pk)
    as_collaborator = client_for(collaborator)
    # Both open the edit form at version 1.
    for client in (as_collaborator, owner_client):
        form = client.get(edit, **HTMX).content.decode()
        assert f'name="{prefix}-version" value="1"' in form

    first = as_collaborator.post(edit, give_data(prefix, note="From Cleo", version=1), **HTMX)
    second = owner_client.post(edit, give_data(prefix, note="From Olivia", version=1), **HTMX)

    assert first.status_code == 200
    assert second.status_code == 409
    part = second.content.decode()
    assert part.lstrip().startswith('<section id="ledger"')
    assert "Someone changed this give while you were editing it" in part
    assert "Saved now: <strong>Literature summary</strong>" in part and "From Cleo" in part
    assert "From Olivia</textarea>" in part  # what the second user typed is kept
    assert f'name="{prefix}-version" value="2"' in part
    give.refresh_from_db()
    assert (give.note, give.version) == ("From Cleo", 2)

    # Saving again from the conflict form is deliberate: it carries the saved version.
    again = owner_client.post(edit, give_data(prefix, note="From Olivia", version=2), **HTMX)
    assert again.status_code == 200
    give.refresh_from_db()
    assert (give.note, give.version) == ("From Olivia", 3)


def test_a_stale_ask_edit_is_a_conflict_as_a_whole_page_too(owner_client, kol, collaborator):
    ask = AskFactory(kol=kol, by=collaborator)
    prefix = f"ask{ask.pk}"
    edit = url("ask_edit", kol, ask_pk=ask.pk)

    client_for(collaborator).post(edit, ask_data(prefix, outcome="Said yes", version=1), **HTMX)
    htmx = owner_client.post(edit, ask_data(prefix, outcome="Declined", version=1), **HTMX)
    page = owner_client.post(edit, ask_data(prefix, outcome="Declined", version=1))

    assert htmx.status_code == page.status_code == 409
    assert "<html" not in htmx.content.decode()
    text = page.content.decode()
    assert "<html" in text and "Someone changed this ask while you were editing it" in text
    assert "Outcome: Said yes" in text and "Declined</textarea>" in text
    ask.refresh_from_db()
    assert (ask.outcome, ask.version) == ("Said yes", 2)


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "page"])
def test_a_delete_of_an_entry_changed_since_the_page_was_shown_is_refused(
    owner_client, kol, collaborator, htmx
):
    give = GiveFactory(kol=kol, by=collaborator, note="Digest")
    part = owner_client.get(url("kol_ledger", kol), **HTMX).content.decode()
    assert 'name="version" value="1"' in part  # the Delete button sends the version shown
    client_for(collaborator).post(
        url("give_edit", kol, give_pk=give.pk),
        give_data(f"give{give.pk}", note="Digest, with the new trial", version=1),
    )

    delete = url("give_delete", kol, give_pk=give.pk)
    response = owner_client.post(delete, {"version": 1}, **(HTMX if htmx else {}))

    assert response.status_code == 409
    text = response.content.decode()
    assert ("<html" in text) is not htmx
    assert "so it was not deleted. Check it below" in text
    assert "Digest, with the new trial" in text
    assert Give.objects.get(pk=give.pk).note == "Digest, with the new trial"

    # From the version it now shows, the delete goes through.
    assert owner_client.post(delete, {"version": 2}, **HTMX).status_code == 200
    assert not Give.objects.filter(pk=give.pk).exists()


def test_a_stale_ask_delete_is_refused(owner_client, kol):
    ask = AskFactory(kol=kol)
    ask_pk = ask.pk
    owner_client.post(
        url("ask_edit", kol, ask_pk=ask_pk), ask_data(f"ask{ask_pk}", outcome="Yes", version=1)
    )

    response = owner_client.post(url("ask_delete", kol, ask_pk=ask_pk), {"version": 1}, **HTMX)

    assert response.status_code == 409
    assert "so it was not deleted" in response.content.decode()
    assert Ask.objects.filter(pk=ask_pk).exists()


def test_a_mangled_version_is_refused_as_a_stale_form(owner_client, kol):
    give = GiveFactory(kol=kol)
    delete = owner_client.post(url("give_delete", kol, give_pk=give.pk), {"version": "x"}, **HTMX)
    edit = owner_client.post(
        url("give_edit", kol, give_pk=give.pk),
        give_data(f"give{give.pk}", note="Changed", version="0"),
        **HTMX,
    )
    assert delete.status_code == edit.status_code == 422
    assert "This form is out of date or incomplete" in delete.content.decode()
    assert "This form is out of date or incomplete" in edit.content.decode()
    give.refresh_from_db()
    assert (give.note, give.version) == ("Monthly literature summary", 1)
