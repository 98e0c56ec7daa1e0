import factory

from accounts.models import Membership, Team, User
from contacts.models import Goal, Interest, Kol, StageChange, TherapeuticArea, Topic

PASSWORD = "test-pass-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    display_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.django.Password(PASSWORD)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MSL


class TherapeuticAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TherapeuticArea
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Area {n}")


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    area = factory.SubFactory(TherapeuticAreaFactory)
    name = factory.Sequence(lambda n: f"Topic {n}")


class KolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kol

    name = factory.Sequence(lambda n: f"Dr KOL {n:04d}")
    credentials = "MD"
    specialty = "Cardiology"
    institution = factory.Sequence(lambda n: f"Hospital {n % 7}")
    owner = factory.SubFactory(UserFactory)


class StageChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StageChange

    kol = factory.SubFactory(KolFactory)
    from_stage = ""
    to_stage = factory.SelfAttribute("kol.stage")
    changed_by = factory.SelfAttribute("kol.owner")


class InterestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interest

    kol = factory.SubFactory(KolFactory)
    kind = Interest.Kind.RESEARCH
    topic = factory.SubFactory(TopicFactory)
    created_by = factory.SelfAttribute("kol.owner")


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    kol = factory.SubFactory(KolFactory)
    whose = Goal.Whose.KOL
    area = Goal.Area.PROFESSIONAL
    text = "Lead an investigator-initiated study"
    created_by = factory.SelfAttribute("kol.owner")
