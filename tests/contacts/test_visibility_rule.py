"""Who may see a KOL is one rule in three shapes (contacts/selectors.py): a condition for
one user (lists, search, exports, feed), a condition on a row's user column (set-based
jobs: reminders) and the per-KOL check (pages). Here they must agree for every kind of
person, and the set of KOLs one may log for must agree with KolAccess.can_log."""

import pytest
from django.db.models import Value

from accounts.models import Membership
from contacts.models import Collaborator, Kol
from contacts.selectors import (
    kol_access,
    kols_for_user,
    kols_user_may_log_for,
    visible_to_user_of_row,
)
from tests.factories import KolFactory, MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    team, other_team = TeamFactory(), TeamFactory()
    owner = MembershipFactory(team=team).user
    teammate = MembershipFactory(team=team).user
    manager = MembershipFactory(team=team, role=Membership.Role.MANAGER).user
    other_manager = MembershipFactory(team=other_team, role=Membership.Role.MANAGER).user
    collaborator = MembershipFactory(team=other_team).user
    outsider = UserFactory()
    kols = [KolFactory(owner=owner), KolFactory(owner=owner), KolFactory(owner=teammate)]
    kols.append(KolFactory(owner=owner, is_archived=True))
    Collaborator.objects.create(kol=kols[1], user=collaborator)
    everyone = [owner, teammate, manager, other_manager, collaborator, outsider]
    return everyone, kols


def _seen_by_row_rule(user) -> set[int]:
    rows = Kol.objects.annotate(viewer=Value(user.pk)).filter(
        visible_to_user_of_row("viewer", through="")
    )
    return set(rows.values_list("pk", flat=True))


def test_the_three_shapes_of_the_rule_agree_for_everyone(people):
    everyone, kols = people
    for user in everyone:
        per_kol = set()
        for kol in Kol.objects.select_related("owner"):
            access = kol_access(user, kol)
            if access.is_owner or access.is_collaborator or access.is_manager:
                per_kol.add(kol.pk)
        as_set = set(kols_for_user(user, archived=None).values_list("pk", flat=True))
        assert as_set == per_kol == _seen_by_row_rule(user), user


def test_what_each_person_sees(people):
    everyone, kols = people
    owner, teammate, manager, other_manager, collaborator, outsider = everyone
    seen = {u: set(kols_for_user(u).values_list("pk", flat=True)) for u in everyone}
    assert seen[owner] == {kols[0].pk, kols[1].pk}
    assert seen[teammate] == {kols[2].pk}
    assert seen[manager] == {kols[0].pk, kols[1].pk, kols[2].pk}
    assert seen[other_manager] == set()
    assert seen[collaborator] == {kols[1].pk}
    assert seen[outsider] == set()


def test_one_may_log_for_exactly_the_kols_access_lets_one_log_for(people):
    everyone, kols = people
    for user in everyone:
        may_log = set(kols_user_may_log_for(user).values_list("pk", flat=True))
        by_access = {
            kol.pk
            for kol in Kol.objects.select_related("owner").filter(is_archived=False)
            if kol_access(user, kol).can_log
        }
        assert may_log == by_access, user
