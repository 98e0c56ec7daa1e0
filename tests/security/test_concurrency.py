"""Many writes at the same moment, on PostgreSQL (SQLite serialises writers).

Already covered elsewhere: one form posted twice in a row creates one touchpoint and two
forms at once create two (tests/engagements/test_touchpoints.py, 4 threads); a stale
profile edit gets 409 with both versions (tests/contacts/test_kol_edit.py, one after the
other). Here: 20 at once, and two sessions saving the same version at the same instant.
"""

import datetime
import threading
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contacts.models import AuditEntry, Collaborator, Goal, Interest, Kol
from engagements.models import FollowUp, Touchpoint
from tests.conftest import HTMX
from tests.factories import GoalFactory, InterestFactory

POSTGRES_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers need PostgreSQL: SQLite runs one writer at a time",
)
THREADS = 20


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    client.raise_request_exception = False
    return client


def _touchpoint_form(**overrides) -> dict:
    occurred = timezone.localtime() - datetime.timedelta(hours=1)
    return {
        "form_token": str(uuid.uuid4()),
        "kind": "meeting",
        "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M"),
        "they_said": "Referral is the bottleneck.",
        **overrides,
    }


def _all_at_once(posts) -> list:
    """Run each (client, url, data, headers) in its own thread, released together."""
    barrier = threading.Barrier(len(posts))
    results: list = [None] * len(posts)

    def run(index, client, url, data, headers):
        try:
            barrier.wait(timeout=30)
            results[index] = client.post(url, data, **headers)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, *post)) for index, post in enumerate(posts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@POSTGRES_ONLY
@pytest.mark.django_db(transaction=True)
def test_it_logs_twenty_touchpoints_posted_at_the_same_moment(owner, teammate, kol):
    Collaborator.objects.create(kol=kol, user=teammate)
    url = reverse("kol:touchpoint_add", args=[kol.pk])
    posts = [
        (_client(owner if n % 2 else teammate), url, _touchpoint_form(), HTMX if n % 3 else {})
        for n in range(THREADS)
    ]

    responses = _all_at_once(posts)

    assert sorted({r.status_code for r in responses}) == [200, 302]
    assert Touchpoint.objects.filter(kol=kol).count() == THREADS
    assert FollowUp.objects.filter(kol=kol, kind=FollowUp.Kind.THANK_YOU).count() == THREADS
    assert AuditEntry.objects.filter(kol=kol, subject="touchpoint").count() == THREADS
    kol.refresh_from_db()
    assert kol.last_interaction_at == Touchpoint.objects.latest("occurred_at").occurred_at


@POSTGRES_ONLY
@pytest.mark.django_db(transaction=True)
def test_it_logs_one_touchpoint_for_one_form_posted_twenty_times_at_once(owner, kol):
    url = reverse("kol:touchpoint_add", args=[kol.pk])
    form = _touchpoint_form(next_steps="Send the registry protocol")
    posts = [(_client(owner), url, form, HTMX) for _ in range(THREADS)]

    responses = _all_at_once(posts)

    assert [r.status_code for r in responses] == [200] * THREADS
    assert Touchpoint.objects.count() == 1
    assert FollowUp.objects.count() == 2  # the thank-you and the promised protocol, once
    assert AuditEntry.objects.filter(subject="touchpoint").count() == 1


@POSTGRES_ONLY
@pytest.mark.django_db(transaction=True)
def test_two_sessions_saving_the_same_version_at_once_get_one_save_and_one_conflict(
    owner, teammate, kol
):
    """Only the owner edits a profile (a collaborator gets 403), so the two editors are the
    owner's laptop and phone, both loaded at the same version."""
    Collaborator.objects.create(kol=kol, user=teammate)
    url = reverse("contacts:kol_edit", args=[kol.pk])
    refused = _client(teammate).post(url, {"name": "Dr Teammate", "version": kol.version})
    assert refused.status_code == 403

    forms = [
        {"name": "Dr Ada King", "cadence_days": 30, "version": kol.version},
        {"name": "Dr Ada Byron", "cadence_days": 45, "version": kol.version},
    ]
    responses = _all_at_once([(_client(owner), url, data, {}) for data in forms])

    assert sorted(r.status_code for r in responses) == [302, 409]
    saved = forms[[r.status_code for r in responses].index(302)]
    lost = responses[[r.status_code for r in responses].index(409)].content.decode()
    assert "Someone else saved this profile" in lost
    fresh = Kol.objects.get(pk=kol.pk)
    assert (fresh.name, fresh.cadence_days, fresh.version) == (
        saved["name"],
        saved["cadence_days"],
        kol.version + 1,
    )


@POSTGRES_ONLY
@pytest.mark.django_db(transaction=True)
def test_two_stage_changes_at_once_move_the_stage_once(owner, kol):
    url = reverse("kol:kol_stage_change", args=[kol.pk])
    forms = [
        {"to_stage": "developing", "reason": "", "version": kol.version},
        {"to_stage": "maintaining", "reason": "", "version": kol.version},
    ]
    responses = _all_at_once([(_client(owner), url, data, HTMX) for data in forms])

    assert sorted(r.status_code for r in responses) == [200, 409]
    winner = forms[[r.status_code for r in responses].index(200)]
    loser = responses[[r.status_code for r in responses].index(409)].content.decode()
    assert "Someone else changed this KOL while you were looking" in loser
    kol.refresh_from_db()
    assert kol.stage == winner["to_stage"]
    assert kol.stage_changes.count() == 2  # the starting stage and one move


@pytest.mark.django_db
def test_owner_and_collaborator_editing_one_interest_never_overwrite_silently(owner, teammate, kol):
    Collaborator.objects.create(kol=kol, user=teammate)
    interest = InterestFactory(kol=kol, created_by=teammate, note="Registry")
    url = reverse("kol:interest_edit", args=[kol.pk, interest.pk])
    prefix = f"interest{interest.pk}"
    # Both loaded the edit form (and its version) before either saved.
    loaded = _client(owner).get(url, **HTMX).content.decode()
    assert f'name="{prefix}-version" value="{interest.version}"' in loaded

    def form(note: str, version: int) -> dict:
        return {
            f"{prefix}-kind": interest.kind,
            f"{prefix}-topic": interest.topic_id or "",
            f"{prefix}-provenance": "stated",
            f"{prefix}-note": note,
            f"{prefix}-version": version,
        }

    first = _client(teammate).post(url, form("Registry and outcomes", interest.version), **HTMX)
    second = _client(owner).post(url, form("Registry only", interest.version), **HTMX)

    assert first.status_code == 200
    assert second.status_code == 409
    page = second.content.decode()
    assert "Someone changed this interest while you were editing it" in page
    assert "Registry and outcomes" in page  # what is saved now
    assert 'value="Registry only"' in page or ">Registry only<" in page  # theirs, kept
    saved = Interest.objects.get(pk=interest.pk)
    assert saved.note == "Registry and outcomes" and saved.version == interest.version + 1

    # Saving again from the conflict form is deliberate: it now carries the newer version.
    third = _client(owner).post(url, form("Registry only", saved.version), **HTMX)
    assert third.status_code == 200
    assert Interest.objects.get(pk=interest.pk).note == "Registry only"


@pytest.mark.django_db
def test_a_goal_edited_in_two_tabs_is_never_overwritten_silently(owner, kol):
    goal = GoalFactory(kol=kol, whose="kol", text="Publish the registry")
    url = reverse("kol:goal_edit", args=[kol.pk, goal.pk])
    prefix = f"goal{goal.pk}"

    def form(text: str) -> dict:
        return {
            f"{prefix}-whose": "kol",
            f"{prefix}-area": goal.area,
            f"{prefix}-text": text,
            f"{prefix}-status": "open",
            f"{prefix}-provenance": "stated",
            f"{prefix}-version": goal.version,
        }

    assert _client(owner).post(url, form("Publish the registry in 2027"), **HTMX).status_code == 200
    stale = _client(owner).post(url, form("Publish it somewhere"), **HTMX)
    assert stale.status_code == 409
    assert "Someone changed this goal while you were editing it" in stale.content.decode()
    assert Goal.objects.get(pk=goal.pk).text == "Publish the registry in 2027"
