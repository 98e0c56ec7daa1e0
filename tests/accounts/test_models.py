import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Membership, User
from tests.factories import MembershipFactory, TeamFactory, UserFactory


@pytest.mark.django_db
def test_create_user_lowercases_the_email_and_keeps_the_display_name():
    user = User.objects.create_user("Ada.Lovelace@Example.TEST", "s3cret-pass", display_name="Ada")
    user.refresh_from_db()
    assert (user.email, user.display_name) == ("ada.lovelace@example.test", "Ada")
    assert user.check_password("s3cret-pass")
    assert (user.is_active, user.is_staff, user.is_superuser) == (True, False, False)
    assert str(user) == "Ada"


@pytest.mark.django_db
def test_create_user_needs_an_email():
    with pytest.raises(ValueError, match="email"):
        User.objects.create_user("", "s3cret-pass", display_name="Nobody")
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_create_superuser_can_use_the_admin():
    user = User.objects.create_superuser("Root@Example.TEST", "s3cret-pass", display_name="Root")
    user.refresh_from_db()
    assert user.email == "root@example.test"
    assert (user.is_staff, user.is_superuser) == (True, True)


def test_is_manager_only_for_a_manager_membership(owner, manager, outsider):
    assert User.objects.get(pk=manager.pk).is_manager is True
    assert User.objects.get(pk=owner.pk).is_manager is False
    assert User.objects.get(pk=outsider.pk).is_manager is False
    assert UserFactory().is_manager is False  # in no team at all


def test_a_user_can_be_msl_and_manager_of_the_same_team(db):
    team = TeamFactory(name="Oncology North")
    user = UserFactory(display_name="Dual Role")
    MembershipFactory(team=team, user=user, role=Membership.Role.MSL)
    MembershipFactory(team=team, user=user, role=Membership.Role.MANAGER)
    fresh = User.objects.get(pk=user.pk)
    assert sorted(fresh.memberships.values_list("role", flat=True)) == ["manager", "msl"]
    assert fresh.is_manager is True
    assert fresh.managed_team_ids() == [team.pk]
    assert list(team.members.distinct()) == [user]


def test_the_same_role_twice_in_a_team_is_refused(db):
    team = TeamFactory()
    user = UserFactory()
    MembershipFactory(team=team, user=user, role=Membership.Role.MSL)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(team=team, user=user, role=Membership.Role.MSL)
    assert Membership.objects.filter(team=team, user=user).count() == 1


def test_an_invalid_time_zone_fails_validation_with_a_message(db):
    user = UserFactory.build(email="tz@example.test", time_zone="Mars/Olympus")
    with pytest.raises(ValidationError) as error:
        user.full_clean()
    messages = error.value.message_dict["time_zone"]
    assert messages == ["'Mars/Olympus' is not a time zone; pick one such as Europe/Berlin."]


def test_a_valid_time_zone_passes_validation(db):
    user = UserFactory.build(email="tz@example.test", time_zone="Europe/Berlin")
    user.full_clean()
