"""The KOL page is composed above the apps (kolpage/); each part answers from its own
context. An htmx request for one part builds that part alone; a browser gets the whole page
around it (common/parts.py, kolpage.views.compose)."""

import re
from collections import Counter

import pytest
from django.urls import reverse

from engagements.models import FollowUp
from engagements.services import followups as services
from tests.engagements.factories import FollowUpFactory, TouchpointFactory
from tests.factories import KolFactory, MembershipFactory, TopicFactory

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}

# A key each part's context holds, and the part's URL name (with its extra arguments).
PARTS = {
    "stage": ("stage_form", "kol_stage", {}),
    "interests": ("interests", "kol_interests", {}),
    "goals": ("kol_goals", "kol_goals", {"whose": "kol"}),
    "timeline": ("timeline", "kol_timeline", {}),
    "followups": ("followup_open", "kol_followups", {}),
    "ledger": ("ledger_gives", "kol_ledger", {}),
    "plan": ("plan_saved", "kol_plan", {}),
}
WHOLE_PAGE_ONLY = "review_panel"  # the reviews part: only the whole page builds it


@pytest.fixture
def owner_client(client):
    kol = KolFactory()
    MembershipFactory(user=kol.owner)
    client.force_login(kol.owner)
    client.kol = kol
    return client


def _url(name, kol, extra):
    return reverse(f"kol:{name}", kwargs={"pk": kol.pk, **extra})


@pytest.mark.parametrize("part", PARTS)
def test_htmx_gets_the_part_built_from_its_own_context_alone(owner_client, part):
    key, name, extra = PARTS[part]
    response = owner_client.get(_url(name, owner_client.kol, extra), **HX)
    assert response.status_code == 200
    keys = set(response.context_data)
    others = {other_key for other, (other_key, _, _) in PARTS.items() if other != part}
    if part == "goals":  # the goal lists share one context
        others.discard("kol_goals")
    assert key in keys
    assert keys.isdisjoint(others | {WHOLE_PAGE_ONLY})
    assert b"<html" not in response.content


@pytest.mark.parametrize("part", PARTS)
def test_a_browser_gets_the_whole_page_around_the_part(owner_client, part):
    _, name, extra = PARTS[part]
    response = owner_client.get(_url(name, owner_client.kol, extra))
    assert response.status_code == 200
    keys = set(response.context_data)
    assert {key for key, _, _ in PARTS.values()} | {WHOLE_PAGE_ONLY} <= keys
    assert b"<html" in response.content


def test_an_invalid_plain_post_gets_the_whole_page_with_the_errors(owner_client):
    kol = owner_client.kol
    response = owner_client.post(reverse("kol:followup_add", args=[kol.pk]), {"text": ""})
    assert response.status_code == 422
    page = response.content.decode()
    assert "<html" in page and 'id="timeline"' in page and 'id="stage"' in page
    assert response.context_data["followup_form"].errors


def test_an_invalid_htmx_post_gets_its_part_alone(owner_client):
    kol = owner_client.kol
    response = owner_client.post(reverse("kol:followup_add", args=[kol.pk]), {}, **HX)
    assert response.status_code == 422
    assert 'id="followups"' in response.content.decode()
    assert "timeline" not in response.context_data


def test_a_plain_post_that_worked_goes_back_to_the_page_at_the_part(owner_client):
    kol = owner_client.kol
    response = owner_client.post(
        reverse("kol:interest_add", args=[kol.pk]),
        {
            "kind": "research",
            "topic": TopicFactory().pk,
            "provenance": "stated",
            "stated_on": "2026-11-02",
            "note": "Wants to run an IIS",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("kol:kol_detail", args=[kol.pk]) + "#interests"
    assert kol.interests.get().note == "Wants to run an IIS"


def test_every_id_on_the_kol_page_is_unique(owner_client):
    """A completed follow-up is both in Follow-ups and in the timeline: two elements, two ids
    (the Nu HTML Checker found "followup-57" twice; htmx targets and links need one)."""
    kol = owner_client.kol
    followup = FollowUpFactory(kol=kol, text="Send the slides")
    services.followup_complete(followup=followup, status=FollowUp.Status.DONE, by=kol.owner)
    TouchpointFactory(kol=kol, by=kol.owner)
    page = owner_client.get(reverse("kol:kol_detail", args=[kol.pk])).content.decode()
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert f"followup-{followup.pk}" in ids and f"timeline-followup-{followup.pk}" in ids
    assert [i for i, n in Counter(ids).items() if n > 1] == []
