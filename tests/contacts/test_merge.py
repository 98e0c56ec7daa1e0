import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contacts import services
from contacts.models import AuditEntry, Collaborator, Goal, Interest, Kol, Stage, StageChange
from engagements.models import Ask, EngagementPlan, FollowUp, Give, Touchpoint
from engagements.services.interactions import kol_refresh_last_interaction
from events.models import Event
from reviews.models import StageReview
from tests.conftest import HTMX, client_for
from tests.engagements.factories import (
    AskFactory,
    EngagementPlanFactory,
    FollowUpFactory,
    GiveFactory,
    TouchpointFactory,
)
from tests.factories import GoalFactory, InterestFactory, TherapeuticAreaFactory, UserFactory


def merge_url(kol, other):
    return reverse("contacts:merge", args=[kol.pk, other.pk])


@pytest.fixture
def twin(owner, kol):
    """A second, newer record of the same person, with some values the first one lacks."""
    twin = services.kol_create(
        by=owner,
        data={
            "name": "Ada Lovelace",
            "institution": "St Thomas' Hospital",
            "email": "ada@example.test",
            "phone": "+44 20 0000",
            "cadence_days": 30,
            "specialty": "Heart failure",
        },
    )
    # Created after `kol`, so `kol` (the older record) survives by default.
    Kol.objects.filter(pk=twin.pk).update(created_at=kol.created_at + datetime.timedelta(days=1))
    twin.refresh_from_db()
    return twin


def confirm(**extra):
    return {"confirm": "on", **extra}


def related_totals():
    return {
        model.__name__: model.objects.count()
        for model in [Touchpoint, FollowUp, Give, Ask, Interest, Goal, StageReview]
    }


def test_it_merges_every_related_row_into_the_survivor(
    owner_client, owner, kol, twin, teammate, manager
):
    other_user = UserFactory(display_name="Carla Colleague")
    area_a, area_b = TherapeuticAreaFactory(name="Cardiology"), TherapeuticAreaFactory(name="Renal")
    kol.therapeutic_areas.add(area_a)
    twin.therapeutic_areas.add(area_a, area_b)
    TouchpointFactory(kol=kol)
    TouchpointFactory(kol=twin, occurred_at=timezone.now() - datetime.timedelta(hours=2))
    TouchpointFactory(kol=twin)
    FollowUpFactory(kol=twin)
    GiveFactory(kol=twin)
    AskFactory(kol=twin)
    InterestFactory(kol=twin)
    GoalFactory(kol=twin)
    StageReview.objects.create(
        kol=twin, reviewer=manager, stage_at_review=Stage.ESTABLISHING, verdict="agree"
    )
    # teammate collaborates on both: kept once; other_user only on the twin: moves.
    Collaborator.objects.create(kol=kol, user=teammate)
    Collaborator.objects.create(kol=twin, user=teammate)
    Collaborator.objects.create(kol=twin, user=other_user)
    Collaborator.objects.create(kol=twin, user=owner)  # the survivor's owner: dropped
    shared, only_twin = (
        Event.objects.create(
            name=name, starts_on=datetime.date(2025, 5, 1), ends_on=datetime.date(2025, 5, 3)
        )
        for name in ["ESC 2025", "ASN 2025"]
    )
    shared.attendees.add(kol, twin)
    only_twin.attendees.add(twin)
    EngagementPlanFactory(kol=kol, objectives="Co-author a registry paper", kol_input="")
    EngagementPlanFactory(kol=twin, objectives="Invite to the advisory board", kol_input="Keen")
    # Each record's clock as the touchpoint and give services keep it.
    kol_refresh_last_interaction(kol=kol)
    kol_refresh_last_interaction(kol=twin)
    before = related_totals()
    twin_stage_changes = twin.stage_changes.count()
    kol_stage_changes = kol.stage_changes.count()
    version = kol.version

    response = owner_client.post(
        merge_url(kol, twin),
        confirm(survivor=kol.pk, pick_email=twin.pk, pick_specialty=twin.pk, pick_stage=kol.pk),
    )

    assert response.status_code == 302
    assert response.url == reverse("kol:kol_detail", args=[kol.pk])
    page = owner_client.get(response.url).content.decode()
    assert "Merged Ada Lovelace into this record" in page
    assert not Kol.objects.filter(pk=twin.pk).exists()
    assert owner_client.get(reverse("kol:kol_detail", args=[twin.pk])).status_code == 404
    assert related_totals() == before  # nothing lost
    kol.refresh_from_db()
    assert kol.touchpoints.count() == 3
    assert (kol.follow_ups.count(), kol.gives.count(), kol.asks.count()) == (1, 1, 1)
    assert (kol.interests.count(), kol.goals.count(), kol.stage_reviews.count()) == (1, 1, 1)
    assert kol.stage_changes.count() == kol_stage_changes + twin_stage_changes
    # Chosen values win; defaults fill the survivor's empty values (phone) and keep the rest.
    assert kol.email == "ada@example.test" and kol.specialty == "Heart failure"
    assert kol.phone == "+44 20 0000"
    assert kol.name == "Dr Ada Lovelace" and kol.cadence_days == 90
    assert kol.version == version + 1
    assert sorted(c.user_id for c in kol.collaborations.all()) == sorted(
        [teammate.pk, other_user.pk]
    )
    assert set(kol.therapeutic_areas.all()) == {area_a, area_b}
    assert set(kol.events_attended.all()) == {shared, only_twin}
    assert shared.attendees.count() == 1
    plan = EngagementPlan.objects.get(kol=kol)
    assert EngagementPlan.objects.count() == 1
    assert plan.objectives == (
        "Co-author a registry paper\n\nFrom the merged record:\nInvite to the advisory board"
    )
    assert plan.kol_input == "Keen"
    # The clock follows the newest touchpoint, whichever record it came from.
    assert kol.last_interaction_at > timezone.now() - datetime.timedelta(hours=3)
    assert kol.next_check_in_on == kol.compute_next_check_in()
    clock = kol.last_interaction_at
    kol_refresh_last_interaction(kol=kol)  # what the moved touchpoints and gives make it
    assert kol.last_interaction_at == clock
    entry = kol.audit_entries.get(action="merged")
    assert entry.subject == "merge" and entry.subject_id == twin.pk and entry.actor == owner
    assert entry.changes["merged record"] == ["", f"Ada Lovelace (record {twin.pk})"]
    assert entry.changes["Email"] == ["", "ada@example.test"]
    assert entry.changes["Specialty"] == ["Cardiology", "Heart failure"]
    assert "Name" not in entry.changes
    # The twin's own history came along.
    assert kol.audit_entries.filter(summary__contains="Ada Lovelace", action="created").exists()


def test_the_newer_record_can_survive_and_a_stage_change_is_recorded(
    owner_client, owner, kol, twin
):
    services.kol_change_stage(
        kol=twin, by=owner, to_stage=Stage.DEVELOPING, reason="", expected_version=twin.version
    )
    EngagementPlanFactory(kol=kol, objectives="Only the old record has a plan")

    response = owner_client.post(
        merge_url(kol, twin), confirm(survivor=twin.pk, pick_stage=kol.pk, pick_name=kol.pk)
    )

    assert response.status_code == 302
    assert not Kol.objects.filter(pk=kol.pk).exists()
    twin.refresh_from_db()
    assert twin.stage == Stage.ESTABLISHING and twin.name == "Dr Ada Lovelace"
    change = twin.stage_changes.first()
    assert (change.from_stage, change.to_stage, change.reason) == (
        Stage.DEVELOPING,
        Stage.ESTABLISHING,
        "Merged records",
    )
    assert EngagementPlan.objects.get(kol=twin).objectives == "Only the old record has a plan"


def test_no_stage_change_when_the_stage_stays(owner_client, kol, twin):
    count = StageChange.objects.count()
    owner_client.post(merge_url(kol, twin), confirm(survivor=kol.pk))
    assert not StageChange.objects.filter(reason="Merged records").exists()
    assert StageChange.objects.count() == count


def test_the_page_shows_both_records_side_by_side(owner_client, kol, twin):
    page = owner_client.get(merge_url(kol, twin)).content.decode()
    assert "Dr Ada Lovelace" in page and "ada@example.test" in page
    assert "Email consent" in page and "Check-in cadence" in page
    # Defaults: the older record survives; the twin's email wins where the survivor has none.
    assert f'name="survivor" value="{kol.pk}" checked' in page
    assert f'name="pick_email" value="{twin.pk}" checked' in page
    assert f'name="pick_name" value="{kol.pk}" checked' in page


def assert_nothing_merged(kol, twin):
    assert Kol.objects.filter(pk=twin.pk).exists()
    kol.refresh_from_db()
    assert kol.email == "" and kol.version == 1
    assert not AuditEntry.objects.filter(action="merged").exists()


def test_an_unknown_field_changes_nothing(owner_client, kol, twin):
    response = owner_client.post(
        merge_url(kol, twin), confirm(survivor=kol.pk, pick_email=twin.pk, pick_nonsense=twin.pk)
    )
    assert response.status_code == 422
    assert "Unknown field: nonsense" in response.content.decode()
    assert_nothing_merged(kol, twin)


def test_an_unconfirmed_merge_changes_nothing(owner_client, kol, twin):
    response = owner_client.post(merge_url(kol, twin), {"survivor": kol.pk, "pick_email": twin.pk})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Tick the box to confirm" in page
    assert f'name="pick_email" value="{twin.pk}" checked' in page  # the choices are kept
    assert_nothing_merged(kol, twin)


def test_a_survivor_outside_the_pair_is_refused(owner_client, owner, kol, twin, kol_factory):
    third = kol_factory(owner=owner)
    response = owner_client.post(merge_url(kol, twin), confirm(survivor=third.pk))
    assert response.status_code == 422
    assert Kol.objects.filter(pk__in=[kol.pk, twin.pk, third.pk]).count() == 3


def test_merging_a_record_with_itself_is_refused(owner_client, kol):
    response = owner_client.post(merge_url(kol, kol), confirm(survivor=kol.pk), follow=True)
    assert "cannot be merged with itself" in response.content.decode()
    assert Kol.objects.filter(pk=kol.pk).exists()
    assert not AuditEntry.objects.filter(action="merged").exists()


def test_the_picker_lists_likely_duplicates_first(owner_client, owner, kol, kol_factory):
    kol_factory(name="Dr Aaron Able", owner=owner)
    same_name = kol_factory(name="DR ADA LOVELACE", institution="Elsewhere", owner=owner)
    same_place = kol_factory(name="dr ada lovelace", institution="St Thomas' Hospital", owner=owner)
    Kol.objects.filter(pk=kol.pk).update(email="ada@example.test")
    kol_factory(name="Dr Zed Zebra", email="ADA@example.test", owner=owner)
    kol_factory(name="Dr Hidden", owner=UserFactory())
    page = owner_client.get(reverse("contacts:merge_pick", args=[kol.pk])).content.decode()
    order = [page.index(name) for name in ["Dr Zed Zebra", "dr ada lovelace", "DR ADA LOVELACE"]]
    assert order == sorted(order)
    assert page.index("DR ADA LOVELACE") < page.index("Dr Aaron Able")
    assert "same name and institution" in page and "same email" in page
    assert "Dr Hidden" not in page
    assert reverse("contacts:merge", args=[kol.pk, same_place.pk]) in page
    assert reverse("contacts:merge", args=[kol.pk, kol.pk]) not in page
    assert reverse("contacts:merge", args=[kol.pk, same_name.pk]) in page


def test_the_picker_searches_and_answers_htmx_with_the_list(owner_client, owner, kol, kol_factory):
    kol_factory(name="Dr Grace Hopper", institution="Yale", owner=owner)
    kol_factory(name="Dr Alan Turing", institution="Manchester", owner=owner)
    url = reverse("contacts:merge_pick", args=[kol.pk])
    page = owner_client.get(url, {"q": "yale"}).content.decode()
    assert "Hopper" in page and "Turing" not in page and "<html" in page
    part = owner_client.get(url, {"q": "manchester"}, **HTMX).content.decode()
    assert "Turing" in part and "Hopper" not in part and "<html" not in part


def test_outsiders_get_404(outsider_client, owner_client, outsider, kol, twin, kol_factory):
    assert outsider_client.get(reverse("contacts:merge_pick", args=[kol.pk])).status_code == 404
    assert outsider_client.post(merge_url(kol, twin), confirm(survivor=kol.pk)).status_code == 404
    hidden = kol_factory(owner=outsider)
    assert owner_client.get(merge_url(kol, hidden)).status_code == 404
    assert owner_client.post(merge_url(kol, hidden), confirm(survivor=kol.pk)).status_code == 404
    assert Kol.objects.filter(pk=hidden.pk).exists()


def test_a_teammate_without_access_gets_404(teammate_client, kol, twin):
    assert teammate_client.get(merge_url(kol, twin)).status_code == 404


def test_a_record_the_user_may_see_but_not_edit_gets_403(
    owner_client, owner, kol, teammate, kol_factory
):
    theirs = kol_factory(name="Dr Ada Lovelace", owner=teammate)
    Collaborator.objects.create(kol=theirs, user=owner)
    response = owner_client.post(merge_url(kol, theirs), confirm(survivor=kol.pk))
    assert response.status_code == 403
    assert Kol.objects.filter(pk=theirs.pk).exists()
    page = owner_client.get(reverse("contacts:merge_pick", args=[kol.pk])).content.decode()
    assert reverse("contacts:merge", args=[kol.pk, theirs.pk]) not in page


def test_a_manager_gets_403(manager_client, kol, twin):
    assert manager_client.get(reverse("contacts:merge_pick", args=[kol.pk])).status_code == 403
    assert manager_client.get(merge_url(kol, twin)).status_code == 403
    response = manager_client.post(merge_url(kol, twin), confirm(survivor=kol.pk))
    assert response.status_code == 403
    assert Kol.objects.filter(pk=twin.pk).exists()


def test_anonymous_is_sent_to_sign_in(kol, twin):
    client = client_for(None)
    for url in [reverse("contacts:merge_pick", args=[kol.pk]), merge_url(kol, twin)]:
        response = client.get(url)
        assert response.status_code == 302 and "login" in response.url


def test_wrong_method_gets_405(owner_client, kol, twin):
    assert owner_client.post(reverse("contacts:merge_pick", args=[kol.pk])).status_code == 405
    assert owner_client.put(merge_url(kol, twin)).status_code == 405


def test_the_merge_page_runs_a_fixed_number_of_queries(
    owner_client, owner, kol, twin, django_assert_num_queries
):
    def queries_for_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert owner_client.get(merge_url(kol, twin)).status_code == 200
        return len(captured)

    few = queries_for_page()
    assert few <= 9  # session, user, both KOLs and their access, one query for all the counts
    for _ in range(5):
        TouchpointFactory(kol=twin)
        GiveFactory(kol=kol)
        InterestFactory(kol=twin)
    assert queries_for_page() == few
    with django_assert_num_queries(few):
        owner_client.get(merge_url(kol, twin))


def test_the_picker_runs_a_fixed_number_of_queries(
    owner_client, owner, kol, kol_factory, django_assert_max_num_queries
):
    kol_factory.create_batch(30, owner=owner)
    with django_assert_max_num_queries(7):
        owner_client.get(reverse("contacts:merge_pick", args=[kol.pk]))
