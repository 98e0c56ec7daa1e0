"""Team membership, written as the attacks of issue 15: each test sends the request an
attacker would send and asserts what the database holds afterwards.

Standing cast (tests/conftest.py): owner and teammate are MSLs of team A, managed by
`manager`; outsider is an MSL of team B, managed by `other_manager`.
"""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Membership, User
from contacts.models import AuditEntry, Collaborator, Kol
from contacts.selectors import kols_for_user
from events.models import Event, Opportunity
from reviews.models import Invitation
from reviews.services import invitations
from reviews.services import team as services
from reviews.tokens import invite_token
from tests.conftest import HTMX, client_for
from tests.engagements.factories import FollowUpFactory
from tests.factories import KolFactory, MembershipFactory, UserFactory

TEAM_URL = reverse("reviews:team")
INVITE_URL = reverse("reviews:team_invite")
REASSIGN_URL = reverse("reviews:reassign")
INVITATIONS_URL = reverse("reviews:invitations")
PASSWORDS = {"new_password1": "a-good-pass-2026", "new_password2": "a-good-pass-2026"}


def roles(team, user) -> set[str]:
    return set(Membership.objects.filter(team=team, user=user).values_list("role", flat=True))


def invite(client, team, email, role="msl"):
    return client.post(
        INVITE_URL, {"display_name": "Someone", "email": email, "role": role, "team": team.pk}
    )


def answer(user, invitation, choice="accept"):
    url = reverse("reviews:invitation_answer", args=[invitation.pk])
    return client_for(user).post(url, {"answer": choice}, follow=True)


def remove(client, team, user, **data):
    url = reverse("reviews:team_remove", args=[team.pk, user.pk])
    return client.post(url, data, follow=True)


def team_history(team) -> list[tuple[str, str]]:
    entries = AuditEntry.objects.filter(kol=None, subject=services.TEAM_HISTORY, subject_id=team.pk)
    return list(entries.order_by("at", "pk").values_list("actor__display_name", "summary"))


@pytest.fixture
def outsider_kol(outsider):
    return KolFactory(owner=outsider, name="Dr Outsider Own")


# ---------------------------------------------------------------- 1. inviting a member of
# another team grants nothing, and a manager never reaches KOLs outside their teams


def test_inviting_another_teams_member_is_refused_and_grants_nothing(
    manager, manager_client, team, other_team, outsider, other_manager, outsider_kol, owner
):
    response = invite(manager_client, team, outsider.email)
    assert response.status_code == 422
    assert (
        "Otto Outsider is in Team B. Only its manager (Max Other) or a staff member can "
        "release them" in response.content.decode()
    )
    assert roles(team, outsider) == set() and roles(other_team, outsider) == {"msl"}
    assert not Invitation.objects.exists() and mail.outbox == []
    # Nothing of theirs is reachable: page, list, export, reassignment.
    detail = reverse("kol:kol_detail", args=[outsider_kol.pk])
    assert manager_client.get(detail).status_code == 404
    export = manager_client.get(reverse("contacts:kol_export_csv"))
    body = b"".join(export.streaming_content) if export.streaming else export.content
    assert "Dr Outsider Own" not in body.decode("utf-8-sig")
    assert manager_client.get(REASSIGN_URL, {"from": outsider.pk}).status_code == 404
    response = manager_client.post(
        REASSIGN_URL, {"from": outsider.pk, "to": owner.pk, "kols": [outsider_kol.pk]}
    )
    assert response.status_code == 404
    outsider_kol.refresh_from_db()
    assert outsider_kol.owner == outsider
    assert outsider_kol not in kols_for_user(manager)


def test_a_pending_invitation_grants_nothing_and_only_the_invitee_answers_it(
    manager, manager_client, team, outsider, other_manager, outsider_kol, owner
):
    # Say an invitation exists (one from before the fix, or a forged row): still nothing.
    invitation = Invitation.objects.create(
        team=team, user=outsider, email=outsider.email, role="msl", invited_by=manager
    )
    detail = reverse("kol:kol_detail", args=[outsider_kol.pk])
    assert manager_client.get(detail).status_code == 404
    # The manager answers it for them: 404, nothing changes.
    url = reverse("reviews:invitation_answer", args=[invitation.pk])
    assert manager_client.post(url, {"answer": "accept"}).status_code == 404
    assert client_for(owner).post(url, {"answer": "accept"}).status_code == 404
    # The invitee accepts while still in team B: refused, naming who must release them.
    response = answer(outsider, invitation)
    assert "You are in Team B. Only its manager (Max Other)" in response.content.decode()
    assert roles(team, outsider) == set()
    invitation.refresh_from_db()
    assert invitation.state() == Invitation.State.PENDING
    assert manager_client.get(detail).status_code == 404


def test_once_released_the_person_joins_without_the_old_teams_kols(
    manager, manager_client, team, other_team, outsider, other_manager, outsider_kol
):
    # Team B's manager releases them: their KOL stays with team B.
    remove(client_for(other_manager), other_team, outsider)
    outsider_kol.refresh_from_db()
    assert outsider_kol.owner == other_manager
    # Now team A's manager may invite them; they join when they accept.
    assert invite(manager_client, team, outsider.email).status_code == 302
    invitation = Invitation.objects.get(user=outsider)
    assert roles(team, outsider) == set()
    response = answer(outsider, invitation)
    assert "You joined Team A as an MSL." in response.content.decode()
    assert roles(team, outsider) == {"msl"}
    detail = reverse("kol:kol_detail", args=[outsider_kol.pk])
    assert manager_client.get(detail).status_code == 404
    assert client_for(outsider).get(detail).status_code == 404


def test_an_invitation_dies_when_its_manager_no_longer_manages_the_team(manager, team, owner):
    lone = UserFactory(email="lone@example.test", display_name="Lou Lone")
    invitation = invitations.member_invite(
        by=manager, team=team, email=lone.email, display_name="", role="manager"
    )
    MembershipFactory(team=team, user=owner, role=Membership.Role.MANAGER)
    Membership.objects.filter(team=team, user=manager).delete()
    response = answer(lone, invitation)
    assert "Mona Manager no longer manages Team A" in response.content.decode()
    assert roles(team, lone) == set()


def test_reassigning_to_someone_outside_my_teams_is_refused(
    manager, manager_client, team, owner, outsider, kol
):
    lone = UserFactory(email="lone@example.test")
    Invitation.objects.create(
        team=team, user=lone, email=lone.email, role="msl", invited_by=manager
    )
    for target in [outsider, lone]:  # another team's MSL; someone invited, not joined
        response = manager_client.post(
            REASSIGN_URL, {"from": owner.pk, "to": target.pk, "kols": [kol.pk]}
        )
        assert response.status_code == 404, target
    # The service refuses on its own too (a view that forgot the check).
    with pytest.raises(ValidationError):
        services.kols_reassign(by=manager, source=owner, target=outsider, kols=[kol])
    kol.refresh_from_db()
    assert kol.owner == owner
    assert not AuditEntry.objects.filter(subject="owner").exists()


def test_a_manager_cannot_invite_into_or_withdraw_from_a_team_they_do_not_manage(
    manager, other_manager, other_team, team
):
    other = client_for(other_manager)
    assert invite(other, team, "x@example.test").status_code == 422
    invitation = invitations.member_invite(
        by=manager, team=team, email="nia@example.test", display_name="Nia", role="msl"
    )
    url = reverse("reviews:invitation_revoke", args=[invitation.pk])
    assert other.post(url).status_code == 404
    invitation.refresh_from_db()
    assert invitation.state() == Invitation.State.PENDING
    with pytest.raises(ValidationError):
        invitations.member_invite(
            by=other_manager, team=team, email="y@example.test", display_name="Y", role="msl"
        )
    assert not User.objects.filter(email__in=["x@example.test", "y@example.test"]).exists()


# ---------------------------------------------------------------- 2. removal: a team's KOLs
# stay with the team; the removed person loses access to them


def test_a_removed_msl_loses_the_teams_kols_and_the_manager_keeps_them(
    manager, manager_client, team, owner, teammate, kol
):
    remove(manager_client, team, owner)
    kol.refresh_from_db()
    assert kol.owner == manager
    assert kol not in kols_for_user(owner) and kol in kols_for_user(manager)
    # The removed person asks for the KOL and its exports: the no-team page, no KOL.
    former = client_for(owner)
    for url in [
        reverse("kol:kol_detail", args=[kol.pk]),
        reverse("contacts:kol_export_csv"),
        reverse("privacy:kol_data_json", args=[kol.pk]),
    ]:
        response = former.get(url)
        assert response.status_code == 403, url
        assert kol.name not in response.content.decode(), url
    # The manager still reassigns it within the team.
    response = manager_client.post(
        REASSIGN_URL, {"from": manager.pk, "to": teammate.pk, "kols": [kol.pk]}
    )
    assert response.status_code == 302
    kol.refresh_from_db()
    assert kol.owner == teammate


def test_a_member_removed_from_one_team_loses_their_collaborations_on_its_kols(
    manager_client, team, other_team, owner, teammate, kol
):
    MembershipFactory(team=other_team, user=teammate)  # still in a team afterwards
    Collaborator.objects.create(kol=kol, user=teammate)
    detail = reverse("kol:kol_detail", args=[kol.pk])
    assert client_for(teammate).get(detail).status_code == 200
    remove(manager_client, team, teammate)
    assert not Collaborator.objects.filter(kol=kol, user=teammate).exists()
    assert client_for(teammate).get(detail).status_code == 404
    assert kol not in kols_for_user(teammate)


def test_removal_and_the_heir_are_checked_in_one_transaction(manager, team, owner, kol, outsider):
    with pytest.raises(ValidationError):
        services.member_remove(by=manager, team=team, user=owner, hand_over_to=outsider)
    assert roles(team, owner) == {"msl"}
    kol.refresh_from_db()
    assert kol.owner == owner
    assert not AuditEntry.objects.filter(subject=services.TEAM_HISTORY).exists()


# ---------------------------------------------------------------- 3. links die on revoking or
# removal; a user with no team sees nothing but a page saying so


def test_removal_withdraws_an_open_invitation_to_the_team(manager, manager_client, team, owner):
    invitation = invitations.member_invite(
        by=manager, team=team, email=owner.email, display_name="", role="manager"
    )
    remove(manager_client, team, owner)
    invitation.refresh_from_db()
    assert invitation.state() == Invitation.State.REVOKED
    response = answer(owner, invitation)
    assert "withdrawn" in response.content.decode()
    assert roles(team, owner) == set()


def test_a_withdrawn_link_activates_nothing(manager, manager_client, team):
    invitation = invitations.member_invite(
        by=manager, team=team, email="nia@example.test", display_name="Nia New", role="msl"
    )
    url = reverse("team_join", args=[invite_token(invitation)])
    manager_client.post(reverse("reviews:invitation_revoke", args=[invitation.pk]))
    response = client_for(None).post(url, PASSWORDS)
    assert response.status_code == 400
    user = User.objects.get(email="nia@example.test")
    assert not user.is_active and not user.has_usable_password() and roles(team, user) == set()


def test_an_old_link_after_joining_and_removal_does_nothing(manager, manager_client, team):
    invitation = invitations.member_invite(
        by=manager, team=team, email="nia@example.test", display_name="Nia New", role="msl"
    )
    url = reverse("team_join", args=[invite_token(invitation)])
    assert client_for(None).post(url, PASSWORDS).status_code == 302
    user = User.objects.get(email="nia@example.test")
    remove(manager_client, team, user)
    response = client_for(None).post(url, PASSWORDS)
    assert response.status_code == 400 and roles(team, user) == set()


@pytest.fixture
def teamless(owner, kol):
    """A signed-in MSL in no team who still owns a KOL (as before the fix)."""
    Membership.objects.filter(user=owner).delete()
    return owner


def test_a_user_with_no_team_sees_only_the_page_saying_so(teamless, kol):
    event = Event.objects.create(
        name="HFA Congress",
        starts_on=datetime.date(2026, 5, 1),
        ends_on=datetime.date(2026, 5, 2),
        created_by=teamless,
    )
    opportunity = Opportunity.objects.create(
        kind="speaking", title="Registry symposium", created_by=teamless
    )
    client = client_for(teamless)
    urls = [
        reverse("engagements:today"),
        reverse("contacts:kol_list"),
        reverse("kol:kol_detail", args=[kol.pk]),
        reverse("contacts:kol_export_csv"),
        reverse("search:search") + "?q=Lovelace",
        reverse("events:event_list"),
        reverse("events:event_detail", args=[event.pk]),
        reverse("events:opportunity_list"),
        reverse("events:opportunity_detail", args=[opportunity.pk]),
        reverse("preferences"),
    ]
    for url in urls:
        response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 403, url
        assert "You are not in a team" in page, url
        assert "Lovelace" not in page and "HFA Congress" not in page, url
        assert "Registry symposium" not in page, url
        part = client.get(url, **HTMX)
        assert part["HX-Refresh"] == "true" and "Lovelace" not in part.content.decode(), url
    # Writing is refused the same way, and writes nothing.
    response = client.post(reverse("contacts:kol_edit", args=[kol.pk]), {"name": "Dr Changed"})
    assert response.status_code == 403
    kol.refresh_from_db()
    assert kol.name == "Dr Ada Lovelace"
    # Signing out still works.
    assert client.post(reverse("logout")).status_code == 302


def test_the_no_team_page_offers_the_invitations(teamless, manager, team):
    invitations.member_invite(
        by=manager, team=team, email=teamless.email, display_name="", role="msl"
    )
    client = client_for(teamless)
    page = client.get(reverse("engagements:today")).content.decode()
    assert f'hx-get="{INVITATIONS_URL}"' in page and f'href="{INVITATIONS_URL}"' in page
    part = client.get(INVITATIONS_URL, **HTMX).content.decode()
    assert "Join Team A?" in part
    invitation = Invitation.objects.get()
    answer(teamless, invitation)
    assert client.get(reverse("engagements:today")).status_code == 200


def test_staff_with_no_team_are_not_stopped(db):
    staff = UserFactory(is_staff=True)
    assert client_for(staff).get(reverse("engagements:today")).status_code == 200


# ---------------------------------------------------------------- 4. deactivation by staff
# is only undone by staff


@pytest.fixture
def deactivated(db):
    return UserFactory(email="gone@example.test", display_name="Gus Gone", is_active=False)


def test_inviting_a_deactivated_user_changes_nothing(
    manager_client, other_manager, team, other_team, deactivated
):
    for client, to in [(manager_client, team), (client_for(other_manager), other_team)]:
        response = invite(client, to, "Gone@Example.test")
        assert response.status_code == 422
        assert "Gus Gone’s account was deactivated by staff: only staff can reactivate it" in (
            response.content.decode()
        )
    deactivated.refresh_from_db()
    assert not deactivated.is_active and deactivated.check_password("test-pass-2026")
    assert not Invitation.objects.exists() and mail.outbox == []
    assert not Membership.objects.filter(user=deactivated).exists()


def test_a_link_made_before_deactivation_does_not_reactivate(manager, team):
    lone = UserFactory(email="lone@example.test", display_name="Lou Lone")
    invitation = invitations.member_invite(
        by=manager, team=team, email=lone.email, display_name="", role="msl"
    )
    User.objects.filter(pk=lone.pk).update(is_active=False)  # staff, in the admin
    url = reverse("team_join", args=[invite_token(invitation)])
    for method in ("get", "post"):
        response = getattr(client_for(None), method)(url, PASSWORDS)
        assert response.status_code == 400 and "deactivated" in response.content.decode()
    lone.refresh_from_db()
    assert not lone.is_active and lone.check_password("test-pass-2026")
    assert roles(team, lone) == set()


def test_a_deactivated_member_keeps_no_session(team, owner):
    client = client_for(owner)
    User.objects.filter(pk=owner.pk).update(is_active=False)
    response = client.get(reverse("engagements:today"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_someone_else_cannot_use_an_invitation_link_meant_for_an_account(manager, team, teammate):
    lone = UserFactory(email="lone@example.test", display_name="Lou Lone")
    invitation = invitations.member_invite(
        by=manager, team=team, email=lone.email, display_name="", role="msl"
    )
    url = reverse("team_join", args=[invite_token(invitation)])
    response = client_for(teammate).post(url, PASSWORDS)
    assert response.status_code == 400 and "sent to someone else" in response.content.decode()
    lone.refresh_from_db()
    assert lone.check_password("test-pass-2026") and roles(team, lone) == set()


# ---------------------------------------------------------------- 5. every change of
# membership, role and ownership is in the History, with who did it


def test_every_membership_role_and_ownership_change_is_in_the_history(
    manager, manager_client, team, owner, teammate, kol
):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC), tick=True):
        invite(manager_client, team, "nia@example.test")
        nia_invitation = Invitation.objects.get()
        client_for(None).post(reverse("team_join", args=[invite_token(nia_invitation)]), PASSWORDS)
        nia = User.objects.get(email="nia@example.test")
        role_url = reverse("reviews:team_role", args=[team.pk, owner.pk])
        manager_client.post(role_url, {"role": "manager", "on": "1"})
        manager_client.post(role_url, {"role": "manager", "on": "0"})
        manager_client.post(REASSIGN_URL, {"from": owner.pk, "to": teammate.pk, "kols": [kol.pk]})
        lone = UserFactory(email="lone@example.test", display_name="Lou Lone")
        invitations.member_invite(
            by=manager, team=team, email=lone.email, display_name="", role="msl"
        )
        manager_client.post(
            reverse("reviews:invitation_revoke", args=[Invitation.objects.get(user=lone).pk])
        )
        remove(manager_client, team, teammate, to=nia.pk)
    assert team_history(team) == [
        ("Mona Manager", "Invited Someone (nia@example.test) to join Team A as an MSL"),
        ("Someone", "Someone accepted the invitation of Mona Manager and joined Team A as an MSL"),
        ("Mona Manager", "Made Olivia Owner a manager in Team A"),
        ("Mona Manager", "Took the Manager role in Team A from Olivia Owner"),
        ("Mona Manager", "Invited Lou Lone (lone@example.test) to join Team A as an MSL"),
        ("Mona Manager", "Withdrew the invitation of Lou Lone (lone@example.test)"),
        ("Mona Manager", "Removed Tom Teammate from Team A; their 1 KOL went to Someone"),
    ]
    owners = AuditEntry.objects.filter(kol=kol, subject="owner").order_by("at", "pk")
    assert list(owners.values_list("actor__display_name", "changes")) == [
        ("Mona Manager", {"owner": ["Olivia Owner", "Tom Teammate"]}),
        ("Mona Manager", {"owner": ["Tom Teammate", "Someone"]}),
    ]
    page = manager_client.get(TEAM_URL).content.decode()
    assert "Mona Manager: Removed Tom Teammate from Team A" in page


def test_moving_follow_ups_of_a_removed_collaborator_is_recorded(
    manager, manager_client, team, owner, teammate, kol
):
    Collaborator.objects.create(kol=kol, user=teammate)
    follow_up = FollowUpFactory(kol=kol, owner=teammate, text="Send the protocol")
    remove(manager_client, team, teammate)
    entry = AuditEntry.objects.get(kol=kol, subject="follow-up")
    assert entry.actor == manager and entry.subject_id == follow_up.pk
    assert entry.changes == {"owner": ["Tom Teammate", "Olivia Owner"]}
    assert Kol.objects.get(pk=kol.pk).owner == owner
