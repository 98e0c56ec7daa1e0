import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.utils import timezone

from accounts.models import Membership, Team, User
from contacts.models import Goal, Interest, Kol, Provenance, Stage, StageChange
from demo.management.commands.seed_demo import DEMO_PASSWORD, TEAM_NAME
from engagements.models import Ask, EngagementPlan, FollowUp, Give, Question, Touchpoint

ENGAGEMENT_MODELS = (Touchpoint, FollowUp, Give, Ask, EngagementPlan)


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Kol, Interest, Goal, StageChange, User, Membership, Team, *ENGAGEMENT_MODELS)
    }


@pytest.mark.django_db
def test_it_creates_demo_team_and_kols():
    output = seed()

    assert 55 <= Kol.objects.count() <= 65
    team = Team.objects.get(name=TEAM_NAME)
    assert team.members.distinct().count() == 4
    manager = User.objects.get(email="manager@demo.kolcrm.test")
    assert manager.is_manager
    assert manager.check_password(DEMO_PASSWORD)
    admin = User.objects.get(email="admin@demo.kolcrm.test")
    assert admin.is_staff and admin.is_superuser
    assert not admin.teams.exists()
    assert set(Kol.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert Interest.objects.filter(provenance=Provenance.STATED).exists()
    assert Interest.objects.filter(provenance=Provenance.ASSUMED).exists()
    assert Kol.objects.filter(is_archived=True).count() == 1
    assert "msl1@demo.kolcrm.test" in output
    assert "touchpoints" in output


@pytest.mark.django_db
def test_it_grows_engagement_history():
    seed()
    today = timezone.localdate()
    kols = Kol.objects.count()
    year_ago = today - datetime.timedelta(days=365)

    # What they said, for most KOLs, within the relationship and the last 18 months.
    with_said = Touchpoint.objects.exclude(they_said="").values("kol").distinct()
    assert with_said.count() >= kols * 0.8
    assert not Touchpoint.objects.filter(occurred_at__lt=F("kol__created_at")).exists()
    assert not Touchpoint.objects.filter(
        occurred_at__lt=timezone.now() - datetime.timedelta(days=550)
    ).exists()
    assert Touchpoint.objects.filter(is_criticism=True).exists()
    assert Touchpoint.objects.exclude(next_steps="").exists()
    if Question.objects.filter(owner=None).exists():
        assert Touchpoint.objects.filter(questions__isnull=False).exists()

    # Follow-ups: old ones done, a few open and overdue, some due today or soon.
    thank_yous = FollowUp.objects.filter(kind=FollowUp.Kind.THANK_YOU)
    conversations = Touchpoint.objects.exclude(kind__in=Touchpoint.ONE_WAY_KINDS)
    assert thank_yous.count() == conversations.count()
    assert thank_yous.filter(text__contains="Recap what they said").exists()
    assert not FollowUp.objects.filter(
        status=FollowUp.Status.OPEN, due_on__lt=today - datetime.timedelta(days=21)
    ).exists()
    overdue = FollowUp.objects.filter(status=FollowUp.Status.OPEN, due_on__lt=today)
    assert 1 <= overdue.values("kol").distinct().count() <= kols // 3
    assert FollowUp.objects.filter(status=FollowUp.Status.OPEN, due_on__gte=today).exists()
    assert not FollowUp.objects.filter(status=FollowUp.Status.DONE, done_at=None).exists()

    # Gives and asks: most relationships give more than they ask; a few ask-heavy ones.
    assert Give.objects.exclude(response="").exists()
    assert not Ask.objects.filter(in_it_for_kol="").exists()
    balance = Kol.objects.annotate(
        gives_12m=Count("gives", filter=Q(gives__given_on__gte=year_ago), distinct=True),
        asks_12m=Count("asks", filter=Q(asks__asked_on__gte=year_ago), distinct=True),
    )
    assert 1 <= balance.filter(asks_12m__gt=F("gives_12m")).count() <= 8
    assert balance.filter(gives_12m__gt=F("asks_12m")).count() >= kols // 2
    assert EngagementPlan.objects.filter(built_with_kol=True).exclude(kol_input="").exists()

    # The check-in clock: set everywhere, some overdue, most not.
    assert not Kol.objects.filter(next_check_in_on=None).exists()
    assert not Kol.objects.filter(touchpoints__isnull=True).exists()
    overdue_check_ins = Kol.objects.filter(next_check_in_on__lt=today).count()
    assert 1 <= overdue_check_ins < kols // 2


@pytest.mark.django_db
def test_it_is_idempotent():
    seed()
    before = counts()
    User.objects.filter(email="msl1@demo.kolcrm.test").update(password="changed")

    output = seed()

    assert counts() == before
    assert "nothing changed" in output
    assert User.objects.get(email="msl1@demo.kolcrm.test").password == "changed"


@pytest.mark.django_db
def test_kols_seeded_without_history_gain_the_same_history():
    """A database seeded before engagement history existed gains it on the next run."""
    seed()
    before = counts()
    for model in ENGAGEMENT_MODELS:
        model.objects.all().delete()
    Kol.objects.update(last_interaction_at=None)

    output = seed()

    assert counts() == before
    assert "touchpoints" in output
