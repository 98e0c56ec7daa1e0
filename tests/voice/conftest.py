"""A KOL who agreed to email, with a plan, two gives and topics; and a link helper."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from contacts.models import Goal, Interest, Provenance
from engagements.models import EngagementPlan, Give
from tests.engagements.factories import GiveFactory
from tests.factories import TherapeuticAreaFactory, TopicFactory
from voice import services
from voice.tokens import voice_token

KOL_NAME = "Dr Ada Lovelace"
OBJECTIVES = "Co-design a registry of late HFpEF referrals"
INTERNAL = "Internal: she is key for the launch"


@pytest.fixture(autouse=True)
def fresh_limits():
    """The rate limits count in the cache: each test starts with none used."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def consenting(kol):
    kol.email = "ada@example.test"
    kol.email_consent = True
    kol.email_consent_on = timezone.localdate()
    kol.save(update_fields=["email", "email_consent", "email_consent_on"])
    area = TherapeuticAreaFactory(name="Cardiology")
    kol.therapeutic_areas.add(area)
    TopicFactory(area=area, name="Heart failure registries")
    TopicFactory(area=area, name="Cardiac amyloidosis")
    EngagementPlan.objects.create(
        kol=kol, objectives=OBJECTIVES, kol_input=INTERNAL, outcome_measures="Two talks"
    )
    Goal.objects.create(
        kol=kol,
        whose=Goal.Whose.OURS,
        area=Goal.Area.MEDICAL,
        text="Learn how referrals really work",
        in_it_for_kol="A co-authored paper",
        created_by=kol.owner,
    )
    Goal.objects.create(
        kol=kol,
        whose=Goal.Whose.OURS,
        area=Goal.Area.COMMERCIAL,
        text="Secret commercial goal",
        in_it_for_kol="nothing",
        created_by=kol.owner,
    )
    Interest.objects.create(
        kol=kol,
        kind=Interest.Kind.SPEAKING,
        provenance=Provenance.ASSUMED,
        assumption_status="open",
        created_by=kol.owner,
    )
    return kol


@pytest.fixture
def gives(consenting):
    topic = consenting.therapeutic_areas.get().topics.get(name="Heart failure registries")
    return [
        GiveFactory(kol=consenting, kind=Give.Kind.LITERATURE, topic=topic, note=INTERNAL),
        GiveFactory(
            kol=consenting,
            kind=Give.Kind.CONGRESS_OVERVIEW,
            given_on=timezone.localdate() - datetime.timedelta(days=3),
        ),
    ]


@pytest.fixture
def link(consenting, gives, owner):
    return services.link_create(
        kol=consenting, by=owner, ask_interests=True, share_plan=True, gives=gives[:1]
    )


def url_of(link) -> str:
    return reverse("kol_link", args=[voice_token(link)])
