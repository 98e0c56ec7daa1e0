"""Stage changes, provenance and optimistic concurrency, at the service level."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from common.locking import StaleEdit
from contacts import selectors, services
from contacts.models import AssumptionStatus, Goal, Interest, Kol, Provenance, Stage, StageChange
from tests.factories import InterestFactory, TherapeuticAreaFactory, TopicFactory


def test_it_records_the_starting_stage_on_create(kol, owner):
    history = list(kol.stage_changes.all())
    assert [(c.from_stage, c.to_stage, c.changed_by) for c in history] == [
        ("", Stage.ESTABLISHING, owner)
    ]


def test_it_records_every_stage_change_with_who_and_why(kol, owner):
    services.kol_change_stage(
        kol=kol,
        by=owner,
        to_stage=Stage.DEVELOPING,
        reason="Two advisory boards",
        expected_version=kol.version,
    )
    kol.refresh_from_db()
    assert kol.stage == Stage.DEVELOPING
    latest = kol.stage_changes.first()
    assert (latest.from_stage, latest.to_stage, latest.reason) == (
        Stage.ESTABLISHING,
        Stage.DEVELOPING,
        "Two advisory boards",
    )
    assert latest.changed_by == owner


def test_moving_back_a_stage_needs_a_reason(kol, owner):
    services.kol_change_stage(
        kol=kol, by=owner, to_stage=Stage.MAINTAINING, reason="", expected_version=kol.version
    )
    with pytest.raises(ValidationError) as error:
        services.kol_change_stage(
            kol=kol,
            by=owner,
            to_stage=Stage.DEVELOPING,
            reason="  ",
            expected_version=kol.version,
        )
    assert "reason" in error.value.message_dict
    kol.refresh_from_db()
    assert kol.stage == Stage.MAINTAINING
    assert kol.stage_changes.count() == 2

    change = services.kol_change_stage(
        kol=kol,
        by=owner,
        to_stage=Stage.DEVELOPING,
        reason="New role at another hospital",
        expected_version=kol.version,
    )
    assert change.is_backward


def test_the_same_stage_is_refused(kol, owner):
    with pytest.raises(ValidationError):
        services.kol_change_stage(
            kol=kol, by=owner, to_stage=Stage.ESTABLISHING, reason="", expected_version=kol.version
        )
    assert StageChange.objects.filter(kol=kol).count() == 1


def test_a_stale_version_is_a_conflict_and_changes_nothing(kol, owner):
    loaded_version = kol.version
    services.kol_update(
        kol=kol, by=owner, data={"name": "Dr Ada King"}, expected_version=loaded_version
    )
    stale = Kol.objects.get(pk=kol.pk)
    stale.version = loaded_version
    with pytest.raises(StaleEdit) as conflict:
        services.kol_update(
            kol=stale, by=owner, data={"name": "Dr Ada Byron"}, expected_version=loaded_version
        )
    assert conflict.value.current.name == "Dr Ada King"
    with pytest.raises(StaleEdit):
        services.kol_change_stage(
            kol=stale,
            by=owner,
            to_stage=Stage.DEVELOPING,
            reason="",
            expected_version=loaded_version,
        )
    fresh = Kol.objects.get(pk=kol.pk)
    assert (fresh.name, fresh.stage, fresh.version) == ("Dr Ada King", Stage.ESTABLISHING, 2)
    assert fresh.stage_changes.count() == 1


def test_a_stated_interest_keeps_the_day_they_said_it(kol, owner):
    topic = TopicFactory(name="Heart failure")
    interest = services.interest_add(
        kol=kol,
        by=owner,
        data={
            "kind": Interest.Kind.RESEARCH,
            "topic": topic,
            "provenance": Provenance.STATED,
            "stated_on": datetime.date(2026, 10, 3),
            "assumption_status": "open",
        },
    )
    interest.refresh_from_db()
    assert interest.provenance == Provenance.STATED
    assert interest.stated_on == datetime.date(2026, 10, 3)
    assert interest.assumption_status == ""
    assert interest.counts_as_stated and interest.provenance_label == "Stated"


def test_an_assumed_interest_stays_assumed_until_confirmed(kol, owner):
    interest = services.interest_add(
        kol=kol,
        by=owner,
        data={
            "kind": Interest.Kind.SPEAKING,
            "provenance": Provenance.ASSUMED,
            "stated_on": datetime.date(2026, 10, 3),
        },
    )
    interest.refresh_from_db()
    assert (interest.assumption_status, interest.stated_on) == (AssumptionStatus.OPEN, None)
    assert not interest.counts_as_stated
    assert interest.provenance_label == "Assumed"

    services.interest_update(
        interest=interest,
        data={
            "kind": Interest.Kind.SPEAKING,
            "provenance": Provenance.ASSUMED,
            "assumption_status": AssumptionStatus.CONFIRMED,
            "stated_on": None,
        },
    )
    interest.refresh_from_db()
    assert interest.counts_as_stated
    assert interest.provenance_label == "Assumed, confirmed"
    assert interest.stated_on is not None

    services.interest_update(
        interest=interest,
        data={
            "kind": Interest.Kind.SPEAKING,
            "provenance": Provenance.ASSUMED,
            "assumption_status": AssumptionStatus.REFUTED,
        },
    )
    interest.refresh_from_db()
    assert not interest.counts_as_stated and interest.provenance_label == "Assumed, refuted"


def test_a_new_topic_joins_the_shared_vocabulary_once(kol, owner):
    area = TherapeuticAreaFactory(name="Nephrology")
    data = {
        "kind": Interest.Kind.DISEASE_AREA,
        "new_topic_name": "  Hyperkalaemia ",
        "new_topic_area": area,
        "provenance": Provenance.STATED,
    }
    first = services.interest_add(kol=kol, by=owner, data=data)
    second = services.interest_add(
        kol=kol, by=owner, data=data | {"new_topic_name": "hyperKALAEMIA"}
    )
    assert first.topic == second.topic
    assert first.topic.name == "Hyperkalaemia"
    assert area.topics.count() == 1


def test_our_goals_carry_what_is_in_it_for_the_kol_and_no_provenance(kol, owner):
    goal = services.goal_add(
        kol=kol,
        by=owner,
        data={
            "whose": Goal.Whose.OURS,
            "area": Goal.Area.MEDICAL,
            "text": " Understand HFpEF gaps ",
            "in_it_for_kol": "A speaking slot",
            "provenance": Provenance.ASSUMED,
        },
    )
    goal.refresh_from_db()
    assert (goal.text, goal.in_it_for_kol) == ("Understand HFpEF gaps", "A speaking slot")
    assert goal.provenance == Provenance.STATED and goal.assumption_status == ""


def test_kols_for_user_follows_the_visibility_rule(
    kol, owner, teammate, outsider, manager, other_manager
):
    from contacts.models import Collaborator

    assert list(selectors.kols_for_user(owner)) == [kol]
    assert list(selectors.kols_for_user(manager)) == [kol]
    for user in (teammate, outsider, other_manager):
        assert list(selectors.kols_for_user(user)) == []
    Collaborator.objects.create(kol=kol, user=teammate)
    assert list(selectors.kols_for_user(teammate)) == [kol]
    services.kol_set_archived(kol=kol, by=owner, archived=True)
    assert list(selectors.kols_for_user(owner)) == []
    assert list(selectors.kols_for_user(owner, archived=True)) == [kol]


def test_a_manager_sees_each_kol_once_even_when_also_collaborating(kol, manager):
    from contacts.models import Collaborator

    Collaborator.objects.create(kol=kol, user=manager)
    assert selectors.kols_for_user(manager).count() == 1
    access = selectors.kol_access(manager, kol)
    assert access.can_log and not access.can_edit and access.can_manage


def test_interest_factory_defaults_are_stated(kol):
    assert InterestFactory(kol=kol).counts_as_stated
