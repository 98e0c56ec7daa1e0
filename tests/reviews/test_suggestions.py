"""The stage suggestion rules (pure) and the selector that builds their evidence."""

import datetime

import pytest
from django.utils import timezone

from contacts.models import AssumptionStatus, Goal, Kol, Provenance, Stage
from engagements.models import Touchpoint
from reviews.selectors.board import board_cards
from reviews.suggestions import AT_RISK, Evidence, suggest
from tests.engagements.factories import AskFactory, GiveFactory, TouchpointFactory
from tests.factories import GoalFactory, KolFactory


def evidence_by_kol(team, *, today: datetime.date) -> dict[int, Evidence]:
    """The evidence on the board's cards (the board and its CSV), by KOL id."""
    return {card.kol.pk: card.evidence for card in board_cards([team], today=today)}


def evidence(**fields) -> Evidence:
    """A relationship whose evidence agrees with `stage` unless told otherwise."""
    values = {
        "stage": Stage.ESTABLISHING,
        "two_way_touchpoints": 1,
        "gives": 0,
        "stated_goals": 0,
        "days_since_contact": 10,
        "days_since_two_way": 10,
        "cadence_days": 30,
    }
    return Evidence(**(values | fields))


@pytest.mark.parametrize("stage", Stage.values)
def test_evidence_that_agrees_suggests_nothing(stage):
    assert suggest(evidence(stage=stage)) is None


@pytest.mark.parametrize("stage", Stage.values)
def test_no_contact_in_two_cadences_is_at_risk_at_any_stage(stage):
    suggestion = suggest(evidence(stage=stage, days_since_contact=61, days_since_two_way=61))
    assert suggestion.stage == AT_RISK and suggestion.label == "At risk"
    assert suggestion.reason == "no contact in 2 cadences: at risk"
    assert suggest(evidence(stage=stage, days_since_contact=60, days_since_two_way=10)) is None


def test_at_risk_comes_before_a_step_forward():
    ready = evidence(two_way_touchpoints=3, gives=1, stated_goals=1, days_since_contact=70)
    assert suggest(ready).stage == AT_RISK


def test_establishing_with_conversations_a_give_and_stated_goals_suggests_developing():
    suggestion = suggest(evidence(two_way_touchpoints=3, gives=1, stated_goals=1))
    assert suggestion.stage == Stage.DEVELOPING and suggestion.label == "Developing"
    assert suggestion.reason == (
        "three two-way touchpoints and a give in 90 days, stated goals recorded: suggest developing"
    )


@pytest.mark.parametrize("missing", [{"two_way_touchpoints": 2}, {"gives": 0}, {"stated_goals": 0}])
def test_establishing_needs_all_three(missing):
    ready = {"two_way_touchpoints": 3, "gives": 1, "stated_goals": 1}
    assert suggest(evidence(**(ready | missing))) is None


def test_developing_with_regular_conversations_gives_and_goals_suggests_maintaining():
    ready = {"two_way_touchpoints": 6, "gives": 2, "stated_goals": 2, "cadence_days": 60}
    suggestion = suggest(evidence(stage=Stage.DEVELOPING, **ready))
    assert suggestion.stage == Stage.MAINTAINING
    assert "six two-way touchpoints" in suggestion.reason
    for missing in [{"two_way_touchpoints": 5}, {"gives": 1}, {"stated_goals": 1}]:
        assert suggest(evidence(stage=Stage.DEVELOPING, **(ready | missing))) is None


def test_maintaining_without_a_two_way_touchpoint_in_one_and_a_half_cadences():
    quiet = evidence(
        stage=Stage.MAINTAINING, cadence_days=90, days_since_contact=20, days_since_two_way=136
    )
    suggestion = suggest(quiet)
    assert suggestion.stage == Stage.DEVELOPING
    assert suggestion.reason == "no two-way touchpoint in 1.5 cadences: suggest developing"
    still = evidence(
        stage=Stage.MAINTAINING, cadence_days=90, days_since_contact=20, days_since_two_way=135
    )
    assert suggest(still) is None
    # The same silence at developing is not this rule's business.
    assert (
        suggest(evidence(stage=Stage.DEVELOPING, cadence_days=90, days_since_two_way=136)) is None
    )


# The evidence selector ------------------------------------------------------------------


def test_the_selector_counts_what_the_rules_need(owner, team, kol):
    now = timezone.now()
    today = timezone.localdate()
    for kind, days in [
        (Touchpoint.Kind.MEETING, 5),
        (Touchpoint.Kind.PHONE, 40),
        (Touchpoint.Kind.VIRTUAL, 89),
        (Touchpoint.Kind.MEETING, 120),  # too old
        (Touchpoint.Kind.EMAIL, 2),  # one-way
        (Touchpoint.Kind.DIGITAL, 3),  # one-way
    ]:
        TouchpointFactory(kol=kol, kind=kind, occurred_at=now - datetime.timedelta(days=days))
    GiveFactory(kol=kol, given_on=today - datetime.timedelta(days=10))
    GiveFactory(kol=kol, given_on=today - datetime.timedelta(days=100))
    AskFactory(kol=kol)
    GoalFactory(kol=kol, provenance=Provenance.STATED)
    GoalFactory(
        kol=kol, provenance=Provenance.ASSUMED, assumption_status=AssumptionStatus.CONFIRMED
    )
    GoalFactory(kol=kol, provenance=Provenance.ASSUMED, assumption_status=AssumptionStatus.OPEN)
    GoalFactory(kol=kol, whose=Goal.Whose.OURS, in_it_for_kol="A talk")
    Kol.objects.filter(pk=kol.pk).update(last_interaction_at=now - datetime.timedelta(days=2))

    found = evidence_by_kol(team, today=today)[kol.pk]

    assert found == Evidence(
        stage=Stage.ESTABLISHING,
        two_way_touchpoints=3,
        gives=1,
        stated_goals=2,
        days_since_contact=2,
        days_since_two_way=5,
        cadence_days=90,
    )
    assert suggest(found) == suggest(found)  # pure
    assert suggest(found).stage == Stage.DEVELOPING


def test_a_kol_never_met_counts_from_the_day_it_was_added(owner, team):
    added = timezone.now() - datetime.timedelta(days=61)
    kol = KolFactory(owner=owner, created_at=added)
    found = evidence_by_kol(team, today=timezone.localdate())[kol.pk]
    assert (found.two_way_touchpoints, found.gives, found.stated_goals) == (0, 0, 0)
    assert found.days_since_contact == found.days_since_two_way == 61
    assert found.cadence_days == 30  # the establishing default
    assert suggest(found).stage == AT_RISK


@pytest.mark.parametrize("count", [10, 200])
def test_the_selector_runs_the_same_queries_whatever_the_number_of_kols(
    count, owner, team, django_assert_num_queries
):
    kols = KolFactory.create_batch(count, owner=owner)
    now = timezone.now()
    Touchpoint.objects.bulk_create(
        [Touchpoint(kol=k, by=owner, occurred_at=now, kind="meeting") for k in kols]
    )
    Goal.objects.bulk_create(
        [Goal(kol=k, whose="kol", area="medical", text="Teach", created_by=owner) for k in kols]
    )
    # The KOLs, then one grouped query each: touchpoints, gives, asks, goals, top goals.
    with django_assert_num_queries(6):
        found = evidence_by_kol(team, today=timezone.localdate())
    assert len(found) == count
    assert {(e.two_way_touchpoints, e.stated_goals) for e in found.values()} == {(1, 1)}
