import datetime

import factory
from django.utils import timezone

from engagements.models import Ask, EngagementPlan, FollowUp, Give, Question, Touchpoint
from tests.factories import KolFactory


class TouchpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Touchpoint

    kol = factory.SubFactory(KolFactory)
    by = factory.SelfAttribute("kol.owner")
    occurred_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=3))
    kind = Touchpoint.Kind.MEETING
    summary = "Talked about the registry"
    they_said = "Referral pathways from primary care are the bottleneck."


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    kol = factory.SubFactory(KolFactory)
    owner = factory.SelfAttribute("kol.owner")
    due_on = factory.LazyFunction(timezone.localdate)
    kind = FollowUp.Kind.PROMISED_RESOURCE
    text = "Send the HFpEF registry protocol"


class GiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Give

    kol = factory.SubFactory(KolFactory)
    by = factory.SelfAttribute("kol.owner")
    kind = Give.Kind.LITERATURE
    given_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=10))
    note = "Monthly literature summary"


class AskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ask

    kol = factory.SubFactory(KolFactory)
    by = factory.SelfAttribute("kol.owner")
    kind = Ask.Kind.ADVISORY_BOARD
    in_it_for_kol = "Shapes the trial design; honorarium at fair market value"
    asked_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=5))


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    purpose = Question.Purpose.CHALLENGES
    text = factory.Sequence(lambda n: f"What is the hardest part of treating X, case {n}?")


class EngagementPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EngagementPlan

    kol = factory.SubFactory(KolFactory)
    objectives = "Understand unmet needs in HFpEF diagnosis"
