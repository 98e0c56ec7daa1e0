from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import Membership, Team, User
from contacts.management.commands.seed_demo import DEMO_PASSWORD, TEAM_NAME
from contacts.models import Goal, Interest, Kol, Provenance, Stage, StageChange


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
        for model in (Kol, Interest, Goal, StageChange, User, Membership, Team)
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


@pytest.mark.django_db
def test_it_is_idempotent():
    seed()
    before = counts()
    User.objects.filter(email="msl1@demo.kolcrm.test").update(password="changed")

    output = seed()

    assert counts() == before
    assert "nothing changed" in output
    assert User.objects.get(email="msl1@demo.kolcrm.test").password == "changed"
