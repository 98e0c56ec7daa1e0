"""Check-in cadence maths: stage defaults, per-KOL override, any interaction resets it."""

import datetime

import pytest
from django.utils import timezone

from contacts import services as contact_services
from contacts.models import CheckInStatus, Kol, Stage
from engagements.services import ledger, touchpoints
from engagements.services.interactions import kol_refresh_last_interaction
from tests.engagements.factories import GiveFactory, TouchpointFactory


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


@pytest.mark.parametrize(
    "stage,days", [(Stage.ESTABLISHING, 30), (Stage.DEVELOPING, 60), (Stage.MAINTAINING, 90)]
)
def test_the_default_cadence_follows_the_stage(owner, stage, days):
    kol = contact_services.kol_create(by=owner, data={"name": "Dr A", "stage": stage})
    assert kol.cadence == days
    assert Kol.objects.get(pk=kol.pk).next_check_in_on == timezone.localdate() + datetime.timedelta(
        days=days
    )


def test_a_kol_cadence_overrides_the_stage_and_a_stage_change_moves_the_default(owner):
    kol = contact_services.kol_create(by=owner, data={"name": "Dr A"})
    contact_services.kol_change_stage(
        kol=kol, by=owner, to_stage=Stage.DEVELOPING, reason="", expected_version=kol.version
    )
    assert Kol.objects.get(pk=kol.pk).next_check_in_on == kol.check_in_since + datetime.timedelta(
        60
    )
    contact_services.kol_update(
        kol=kol, by=owner, data={"cadence_days": 14}, expected_version=kol.version
    )
    assert Kol.objects.get(pk=kol.pk).next_check_in_on == kol.check_in_since + datetime.timedelta(
        14
    )


def test_a_touchpoint_resets_the_clock(kol, owner):
    touchpoint, _ = touchpoints.touchpoint_log(
        kol=kol,
        by=owner,
        data={"occurred_at": days_ago(10), "kind": "phone", "summary": "Hi"},
        form_token=__import__("uuid").uuid4(),
    )
    fresh = Kol.objects.get(pk=kol.pk)
    assert fresh.last_interaction_at == touchpoint.occurred_at
    assert fresh.next_check_in_on == timezone.localdate(
        touchpoint.occurred_at
    ) + datetime.timedelta(90)


def test_a_give_resets_the_clock_too(kol, owner):
    TouchpointFactory(kol=kol, occurred_at=days_ago(50))
    kol_refresh_last_interaction(kol=kol)
    ledger.give_log(
        kol=kol, by=owner, data={"kind": "literature", "given_on": timezone.localdate()}
    )
    fresh = Kol.objects.get(pk=kol.pk)
    assert timezone.localdate(fresh.last_interaction_at) == timezone.localdate()
    assert fresh.next_check_in_on == timezone.localdate() + datetime.timedelta(90)


def test_without_interactions_the_clock_starts_when_the_kol_was_added(kol):
    Kol.objects.filter(pk=kol.pk).update(created_at=days_ago(20))
    fresh = Kol.objects.get(pk=kol.pk)
    kol_refresh_last_interaction(kol=fresh)
    assert fresh.next_check_in_on == timezone.localdate(days_ago(20)) + datetime.timedelta(90)


@pytest.mark.parametrize(
    "last_contact_days_ago,status",
    [
        (10, CheckInStatus.ON_TRACK),
        (85, CheckInStatus.DUE_SOON),
        (91, CheckInStatus.OVERDUE),
        (136, CheckInStatus.LONG_OVERDUE),  # past 1.5 x 90 days
    ],
)
def test_the_check_in_status(kol, last_contact_days_ago, status):
    GiveFactory(kol=kol, given_on=timezone.localdate() - datetime.timedelta(last_contact_days_ago))
    kol_refresh_last_interaction(kol=kol)
    assert Kol.objects.get(pk=kol.pk).check_in_status == status


def test_the_status_label_is_words_not_only_colour(owner_client, kol):
    GiveFactory(kol=kol, given_on=timezone.localdate() - datetime.timedelta(140))
    kol_refresh_last_interaction(kol=kol)
    page = owner_client.get(f"/kols/{kol.pk}/").content.decode()
    assert 'class="check-in check-in-long_overdue">Long overdue</span>' in page
