import datetime
import re
from urllib.parse import unquote

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership, User
from contacts.models import AuditEntry, Collaborator, Kol
from engagements.models import FollowUp
from reviews.models import Invitation
from reviews.services.team import TEAM_HISTORY
from reviews.tokens import invite_token
from tests.conftest import HTMX, client_for
from tests.engagements.factories import FollowUpFactory
from tests.factories import KolFactory, MembershipFactory, UserFactory

TEAM_URL = reverse("reviews:team")
INVITE_URL = reverse("reviews:team_invite")
REASSIGN_URL = reverse("reviews:reassign")


def role_url(team, user):
    return reverse("reviews:team_role", args=[team.pk, user.pk])


def remove_url(team, user):
    return reverse("reviews:team_remove", args=[team.pk, user.pk])


def roles(team, user):
    return set(Membership.objects.filter(team=team, user=user).values_list("role", flat=True))


def team_history(team) -> list[tuple[str, str]]:
    entries = AuditEntry.objects.filter(kol=None, subject=TEAM_HISTORY, subject_id=team.pk)
    return list(entries.order_by("at", "pk").values_list("actor__display_name", "summary"))


def join_url_from(message) -> str:
    match = re.search(r"https?://[^/\s]+(/team/join/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


# ---------------------------------------------------------------- access


@pytest.fixture
def pending(manager, team):
    """An open invitation to team A for someone with an account and no team."""
    user = UserFactory(email="newcomer@example.test", display_name="Nell Newcomer")
    return Invitation.objects.create(
        team=team, user=user, email=user.email, role="msl", invited_by=manager
    )


def revoke_url(invitation):
    return reverse("reviews:invitation_revoke", args=[invitation.pk])


@pytest.fixture
def urls(team, owner, pending):
    return [
        ("get", TEAM_URL),
        ("post", INVITE_URL),
        ("post", revoke_url(pending)),
        ("post", role_url(team, owner)),
        ("get", remove_url(team, owner)),
        ("post", remove_url(team, owner)),
        ("get", f"{REASSIGN_URL}?from={owner.pk}"),
        ("post", REASSIGN_URL),
    ]


def test_it_is_404_for_an_msl(owner_client, urls):
    for method, url in urls:
        assert getattr(owner_client, method)(url).status_code == 404, url


def test_it_is_404_for_another_teams_manager(client, other_manager, outsider, urls, owner, team):
    other = client_for(other_manager)
    for method, url in urls[2:]:
        assert getattr(other, method)(url, {"from": owner.pk}).status_code == 404, url
    page = other.get(TEAM_URL).content.decode()
    assert "Otto Outsider" in page and "Olivia Owner" not in page
    assert roles(team, owner) == {"msl"}


def test_it_redirects_anonymous_people_to_sign_in(client, urls):
    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_wrong_methods_get_405(manager_client, team, owner, pending):
    assert manager_client.post(TEAM_URL).status_code == 405
    assert manager_client.get(INVITE_URL).status_code == 405
    assert manager_client.get(revoke_url(pending)).status_code == 405
    assert manager_client.get(role_url(team, owner)).status_code == 405
    assert manager_client.put(remove_url(team, owner)).status_code == 405
    assert manager_client.put(REASSIGN_URL).status_code == 405
    token = invite_token(pending)
    assert manager_client.put(reverse("team_join", args=[token])).status_code == 405
    newcomer = client_for(pending.user)
    assert newcomer.post(reverse("reviews:invitations")).status_code == 405
    answer_url = reverse("reviews:invitation_answer", args=[pending.pk])
    assert newcomer.get(answer_url).status_code == 405


# ---------------------------------------------------------------- the team page


def test_it_lists_people_with_roles_and_the_kols_they_own(
    manager_client, manager, team, owner, teammate, kol
):
    MembershipFactory(team=team, user=manager, role=Membership.Role.MSL)
    KolFactory(owner=owner, is_archived=True)
    KolFactory.create_batch(2, owner=teammate)
    page = manager_client.get(TEAM_URL).content.decode()
    assert f'<h2 id="team-{team.pk}">Team A</h2>' in page
    for name in ["Olivia Owner", "Tom Teammate", "Mona Manager"]:
        assert name in page
    assert ">1 KOL<" in page and ">2 KOLs<" in page  # the archived one is not counted
    assert f"?owner={owner.pk}" in page
    # The manager is also an MSL: both roles show, with a way to drop the MSL one.
    assert "Remove MSL role" in page and "only manager" in page


def test_someone_with_kols_is_removed_through_the_warning_page(manager_client, team, kol, teammate):
    page = manager_client.get(TEAM_URL).content.decode()
    # Owner has a KOL: a plain link to the page that warns; teammate has none: hx-confirm.
    assert f'<a href="{remove_url(team, kol.owner)}">Remove from team' in page
    assert f'hx-post="{remove_url(team, teammate)}"' in page and "hx-confirm=" in page


def test_the_team_page_needs_the_same_queries_for_10_or_200_kols(
    manager_client, team, django_assert_max_num_queries
):
    def build(members: int, kols: int) -> None:
        people = [MembershipFactory(team=team).user for _ in range(members)]
        Kol.objects.bulk_create(KolFactory.build(owner=people[n % members]) for n in range(kols))

    build(2, 10)
    with CaptureQueriesContext(connection) as small:
        assert manager_client.get(TEAM_URL).status_code == 200
    build(20, 190)
    assert Kol.objects.count() == 200
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = manager_client.get(TEAM_URL).content.decode()
    assert page.count('<th scope="row">') == 23  # 22 MSLs and the manager


# ---------------------------------------------------------------- invitations


def test_inviting_a_new_person_creates_an_inactive_account_and_emails_a_link(
    manager_client, manager, team, client
):
    response = manager_client.post(
        INVITE_URL,
        {"display_name": "Nia New", "email": "Nia@Example.test", "role": "msl", "team": team.pk},
    )
    assert response.status_code == 302
    user = User.objects.get(email="nia@example.test")
    assert not user.is_active and not user.has_usable_password()
    assert roles(team, user) == set()  # nothing granted before they accept
    invitation = Invitation.objects.get(user=user)
    assert (invitation.team, invitation.role, invitation.invited_by) == (team, "msl", manager)
    assert invitation.state() == Invitation.State.PENDING
    page = manager_client.get(TEAM_URL).content.decode()
    assert "Nia New was invited to Team A as an MSL." in page
    assert "Invited, waiting for an answer" in page and "nia@example.test" in page
    assert "Mona Manager: Invited Nia New (nia@example.test) to join Team A as an MSL" in page

    (message,) = mail.outbox
    assert message.to == ["nia@example.test"]
    assert message.subject == "Mona Manager invited you to join Team A on KOL CRM"
    assert "List-Unsubscribe" not in message.extra_headers
    assert "as an MSL" in message.body and "expires in 7 days" in message.body
    assert "Set your password" in message.body
    url = join_url_from(message)
    assert url in message.alternatives[0].content
    page = client.get(url).content.decode()
    assert "Welcome, Nia New" in page and "Team A" in page and 'name="new_password1"' in page
    assert team_history(team) == [
        ("Mona Manager", "Invited Nia New (nia@example.test) to join Team A as an MSL")
    ]


def test_inviting_someone_with_an_account_asks_them_first(manager_client, team):
    lone = UserFactory(email="lone@example.test", display_name="Lou Lone")
    response = manager_client.post(
        INVITE_URL,
        {"display_name": "ignored", "email": lone.email, "role": "msl", "team": team.pk},
        follow=True,
    )
    assert (
        "Lou Lone already has an account: they join Team A as an MSL once they accept the "
        "invitation." in response.content.decode()
    )
    assert roles(team, lone) == set()
    lone.refresh_from_db()
    assert lone.display_name == "Lou Lone" and lone.check_password("test-pass-2026")
    (message,) = mail.outbox
    assert "/team/join/" in message.body and "sign in as usual with lone@example.test" in (
        message.body
    )
    assert "Set your password" not in message.body


def test_an_invitation_is_refused_for_a_role_they_have_or_a_team_not_mine(
    manager_client, team, other_team, owner
):
    response = manager_client.post(
        INVITE_URL,
        {"display_name": "Olivia", "email": owner.email, "role": "msl", "team": team.pk},
    )
    assert response.status_code == 422
    assert "Olivia Owner is already an MSL in Team A." in response.content.decode()
    response = manager_client.post(
        INVITE_URL,
        {"display_name": "X", "email": "x@example.test", "role": "msl", "team": other_team.pk},
    )
    assert response.status_code == 422
    assert not User.objects.filter(email="x@example.test").exists()
    assert mail.outbox == [] and not Invitation.objects.exists()


def test_inviting_again_replaces_the_open_invitation(manager_client, team):
    data = {"display_name": "Nia New", "email": "nia@example.test", "role": "msl"}
    manager_client.post(INVITE_URL, {**data, "team": team.pk})
    first = join_url_from(mail.outbox[0])
    manager_client.post(INVITE_URL, {**data, "team": team.pk, "role": "manager"})
    second = join_url_from(mail.outbox[1])
    old, new = Invitation.objects.order_by("pk")
    assert old.state() == Invitation.State.REVOKED and new.state() == Invitation.State.PENDING
    assert new.role == "manager"
    assert client_for(None).get(first).status_code == 400
    assert client_for(None).get(second).status_code == 200


def test_a_manager_withdraws_an_invitation_and_its_link_dies(manager_client, manager, team):
    manager_client.post(
        INVITE_URL,
        {"display_name": "Nia New", "email": "nia@example.test", "role": "msl", "team": team.pk},
    )
    url = join_url_from(mail.outbox[0])
    invitation = Invitation.objects.get()
    response = manager_client.post(revoke_url(invitation), follow=True)
    assert "The invitation of Nia New was withdrawn" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_by == manager and invitation.revoked_at is not None
    anonymous = client_for(None)
    response = anonymous.post(
        url, {"new_password1": "a-good-pass-2026", "new_password2": "a-good-pass-2026"}
    )
    assert response.status_code == 400 and "withdrawn" in response.content.decode()
    user = User.objects.get(email="nia@example.test")
    assert not user.is_active and not user.has_usable_password()
    assert team_history(team)[-1] == (
        "Mona Manager",
        "Withdrew the invitation of Nia New (nia@example.test)",
    )
    # Withdrawing it twice says so and changes nothing.
    response = manager_client.post(revoke_url(invitation), follow=True)
    assert "was withdrawn: it no longer works" in response.content.decode()
    assert len(team_history(team)) == 2


# ---------------------------------------------------------------- the invitation link


@pytest.fixture
def invited(manager_client, team):
    manager_client.post(
        INVITE_URL,
        {"display_name": "Nia New", "email": "nia@example.test", "role": "msl", "team": team.pk},
    )
    return User.objects.get(email="nia@example.test"), join_url_from(mail.outbox[0])


def test_the_link_sets_the_password_once_joins_and_signs_in(client, invited, team):
    user, url = invited
    response = client.post(
        url, {"new_password1": "a-good-pass-2026", "new_password2": "a-good-pass-2026"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("engagements:today")
    user.refresh_from_db()
    assert user.is_active and user.check_password("a-good-pass-2026")
    assert roles(team, user) == {"msl"}
    assert Invitation.objects.get().state() == Invitation.State.ACCEPTED
    assert "Welcome, Nia" in client.get(response["Location"]).content.decode()  # signed in
    assert team_history(team)[-1] == (
        "Nia New",
        "Nia New accepted the invitation of Mona Manager and joined Team A as an MSL",
    )

    again = client_for(None)
    response = again.get(url)
    assert response.status_code == 400 and "This link is not valid" in response.content.decode()
    assert "accepted already" in response.content.decode()
    response = again.post(
        url, {"new_password1": "another-pass-99", "new_password2": "another-pass-99"}
    )
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.check_password("a-good-pass-2026")


def test_a_bad_password_is_shown_and_changes_nothing(client, invited, team):
    user, url = invited
    response = client.post(url, {"new_password1": "a-good-pass-2026", "new_password2": "other"})
    assert response.status_code == 422 and "didn’t match" in response.content.decode()
    user.refresh_from_db()
    assert not user.is_active and not user.has_usable_password()
    assert roles(team, user) == set()
    assert client.get(url).status_code == 200  # still usable


def test_a_tampered_link_is_refused(client, invited):
    user, url = invited
    token = url.split("/")[-2]
    for bad in [token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "nonsense", "a:b:c"]:
        response = client.post(
            reverse("team_join", args=[bad]),
            {"new_password1": "a-good-pass-2026", "new_password2": "a-good-pass-2026"},
        )
        assert response.status_code == 400, bad
        assert "Nothing was changed" in response.content.decode()
    user.refresh_from_db()
    assert not user.is_active and not user.has_usable_password()


def test_a_link_older_than_7_days_is_refused(client, invited, team):
    user, url = invited
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=6)):
        assert client.get(url).status_code == 200
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=8)):
        response = client.post(
            url, {"new_password1": "a-good-pass-2026", "new_password2": "a-good-pass-2026"}
        )
    assert response.status_code == 400 and "more than 7 days old" in response.content.decode()
    user.refresh_from_db()
    assert not user.is_active and roles(team, user) == set()


# ---------------------------------------------------------------- joining with an account


def test_the_link_sends_someone_with_an_account_to_sign_in_then_to_their_invitation(pending, team):
    url = reverse("team_join", args=[invite_token(pending)])
    response = client_for(None).get(url)
    assert response.status_code == 302
    assert unquote(response["Location"]) == f"{reverse('login')}?next={url}"
    signed_in = client_for(pending.user)
    response = signed_in.get(url)
    assert response.status_code == 302 and response["Location"] == reverse("reviews:invitations")
    page = signed_in.get(response["Location"]).content.decode()
    assert "Join Team A?" in page and "Mona Manager invited you to join Team A as MSL" in page
    assert roles(team, pending.user) == set()


def test_someone_with_an_account_joins_from_their_invitations(pending, team, manager):
    client = client_for(pending.user)
    response = client.post(
        reverse("reviews:invitation_answer", args=[pending.pk]), {"answer": "accept"}, follow=True
    )
    assert "You joined Team A as an MSL." in response.content.decode()
    assert roles(team, pending.user) == {"msl"}
    pending.refresh_from_db()
    assert pending.state() == Invitation.State.ACCEPTED
    assert "Nell Newcomer" in client_for(manager).get(TEAM_URL).content.decode()
    page = client.get(reverse("reviews:invitations")).content.decode()
    assert "You have no open invitations" in page


def test_someone_may_decline(pending, team):
    client = client_for(pending.user)
    response = client.post(
        reverse("reviews:invitation_answer", args=[pending.pk]), {"answer": "decline"}, follow=True
    )
    assert "You declined the invitation to Team A." in response.content.decode()
    assert roles(team, pending.user) == set()
    pending.refresh_from_db()
    assert pending.state() == Invitation.State.DECLINED
    assert team_history(team)[-1] == (
        "Nell Newcomer",
        "Nell Newcomer declined the invitation to join Team A",
    )
    # A declined invitation cannot be accepted afterwards.
    client.post(reverse("reviews:invitation_answer", args=[pending.pk]), {"answer": "accept"})
    assert roles(team, pending.user) == set()


def test_a_garbage_answer_changes_nothing(pending, team):
    client = client_for(pending.user)
    response = client.post(
        reverse("reviews:invitation_answer", args=[pending.pk]), {"answer": "yes!"}, follow=True
    )
    assert "not understood" in response.content.decode()
    pending.refresh_from_db()
    assert pending.state() == Invitation.State.PENDING and roles(team, pending.user) == set()


def test_the_invitations_list_is_a_part_for_htmx(pending):
    client = client_for(pending.user)
    part = client.get(reverse("reviews:invitations"), **HTMX).content.decode()
    assert part.strip().startswith('<section id="my-invitations"') and "Join Team A?" in part
    assert "<html" not in part


# ---------------------------------------------------------------- roles


def test_a_manager_adds_and_removes_roles(manager_client, team, owner):
    response = manager_client.post(
        role_url(team, owner), {"role": "manager", "on": "1"}, follow=True
    )
    assert "Olivia Owner is now a manager in Team A." in response.content.decode()
    assert roles(team, owner) == {"msl", "manager"}
    manager_client.post(role_url(team, owner), {"role": "msl", "on": "0"})
    assert roles(team, owner) == {"manager"}


def test_the_last_role_and_the_last_manager_cannot_be_removed(manager_client, team, owner, manager):
    response = manager_client.post(role_url(team, owner), {"role": "msl", "on": "0"}, follow=True)
    assert "use “Remove from team” instead" in response.content.decode()
    assert roles(team, owner) == {"msl"}
    MembershipFactory(team=team, user=manager, role=Membership.Role.MSL)
    response = manager_client.post(
        role_url(team, manager), {"role": "manager", "on": "0"}, follow=True
    )
    assert "Team A needs a manager: Mona Manager is its only one." in response.content.decode()
    assert roles(team, manager) == {"msl", "manager"}


def test_with_another_manager_i_may_step_down(manager_client, team, manager, owner):
    MembershipFactory(team=team, user=manager, role=Membership.Role.MSL)
    MembershipFactory(team=team, user=owner, role=Membership.Role.MANAGER)
    response = manager_client.post(role_url(team, manager), {"role": "manager", "on": "0"})
    assert roles(team, manager) == {"msl"}
    assert response["Location"] == reverse("home")  # no team left to manage


def test_a_garbage_role_change_changes_nothing(manager_client, team, owner):
    response = manager_client.post(
        role_url(team, owner), {"role": "boss", "on": "maybe"}, follow=True
    )
    assert "not understood" in response.content.decode()
    assert roles(team, owner) == {"msl"}


# ---------------------------------------------------------------- removal


def test_the_confirmation_page_says_where_the_kols_go(manager_client, team, kol, owner):
    page = manager_client.get(remove_url(team, owner)).content.decode()
    assert "Olivia Owner owns 1 KOL (archived ones included)." in page
    assert "A team’s KOLs stay with the team" in page
    # Whom to hand them to: the team's active people, the manager chosen.
    assert '<select name="to"' in page
    assert f'<option value="{team.memberships.get(role="manager").user_id}" selected>' in page
    assert "(owner@example.test)</option>" not in page


def test_removing_someone_hands_their_kols_to_the_team(
    manager_client, manager, team, kol, owner, teammate
):
    archived = KolFactory(owner=owner, is_archived=True, name="Dr Archived")
    open_one = FollowUpFactory(kol=kol, owner=owner)
    response = manager_client.post(remove_url(team, owner), {"to": teammate.pk}, follow=True)
    assert (
        "Olivia Owner was removed from Team A. Their 2 KOLs now belong to Tom Teammate."
        in response.content.decode()
    )
    assert roles(team, owner) == set()
    assert set(Kol.objects.filter(owner=teammate)) == {kol, archived}
    open_one.refresh_from_db()
    assert open_one.owner == teammate
    entry = AuditEntry.objects.get(kol=kol, subject="owner")
    assert entry.actor == manager
    assert (
        entry.summary == "Handed over from Olivia Owner to Tom Teammate: Olivia Owner left Team A"
    )
    assert team_history(team)[-1] == (
        "Mona Manager",
        "Removed Olivia Owner from Team A; their 2 KOLs went to Tom Teammate",
    )


def test_without_a_choice_the_kols_go_to_the_removing_manager(manager_client, manager, team, kol):
    manager_client.post(remove_url(team, kol.owner))
    kol.refresh_from_db()
    assert kol.owner == manager


def test_an_heir_outside_the_team_is_refused(manager_client, team, kol, owner, outsider):
    response = manager_client.post(remove_url(team, owner), {"to": outsider.pk})
    assert response.status_code == 422 and "Pick an active member of this team." in (
        response.content.decode()
    )
    assert roles(team, owner) == {"msl"}
    kol.refresh_from_db()
    assert kol.owner == owner


def test_removing_someone_ends_their_collaborations_on_the_teams_kols(
    manager_client, manager, team, kol, owner, teammate
):
    Collaborator.objects.create(kol=kol, user=teammate)
    theirs = FollowUpFactory(kol=kol, owner=teammate)
    response = manager_client.post(remove_url(team, teammate), follow=True)
    assert "They no longer work with 1 KOL of Team A." in response.content.decode()
    assert not Collaborator.objects.filter(user=teammate).exists()
    theirs.refresh_from_db()
    assert theirs.owner == owner
    assert AuditEntry.objects.filter(kol=kol, subject="collaborator", action="deleted").exists()
    assert AuditEntry.objects.get(kol=kol, subject="follow-up").actor == manager


def test_someone_who_stays_in_another_team_keeps_their_kols(
    manager_client, manager, team, other_team, kol, owner
):
    MembershipFactory(team=other_team, user=owner)
    page = manager_client.get(remove_url(team, owner)).content.decode()
    assert "stays in another team" in page and '<select name="to"' not in page
    response = manager_client.post(remove_url(team, owner), follow=True)
    assert "Olivia Owner was removed from Team A." in response.content.decode()
    assert roles(team, owner) == set() and roles(other_team, owner) == {"msl"}
    kol.refresh_from_db()
    assert kol.owner == owner


def test_htmx_removal_reloads_the_team_page(manager_client, team, teammate):
    response = manager_client.post(remove_url(team, teammate), **HTMX)
    assert response.status_code == 200 and response["HX-Redirect"] == TEAM_URL
    assert roles(team, teammate) == set()


def test_the_last_manager_cannot_be_removed(manager_client, team, manager):
    assert "cannot be removed" in manager_client.get(remove_url(team, manager)).content.decode()
    response = manager_client.post(remove_url(team, manager), follow=True)
    assert response.status_code == 422
    assert "the only manager of Team A, so they cannot be removed" in response.content.decode()
    assert roles(team, manager) == {"manager"}


# ---------------------------------------------------------------- reassigning KOLs


@pytest.fixture
def kols(owner):
    return [KolFactory(name=f"Dr Reassign {n}", owner=owner) for n in range(3)]


def test_the_reassign_page_lists_active_kols_and_msl_targets(
    manager_client, owner, teammate, outsider, manager, kols
):
    KolFactory(name="Dr Archived", owner=owner, is_archived=True)
    page = manager_client.get(REASSIGN_URL, {"from": owner.pk}).content.decode()
    assert all(kol.name in page for kol in kols) and "Dr Archived" not in page
    assert page.count('type="checkbox" name="kols"') == 3 and " checked" not in page
    assert "Tom Teammate (teammate@example.test)" in page
    assert "Otto Outsider" not in page and "(owner@example.test)</option>" not in page
    assert "open follow-ups on these KOLs move to the new owner" in page


def test_select_all_works_with_and_without_htmx(manager_client, owner, kols):
    page = manager_client.get(REASSIGN_URL, {"from": owner.pk, "select": "all"}).content.decode()
    assert page.count(" checked>") == 3 and "<html" in page
    part = manager_client.get(REASSIGN_URL, {"from": owner.pk, "select": "all"}, **HTMX)
    body = part.content.decode()
    assert body.strip().startswith('<fieldset id="kol-choices"') and body.count(" checked>") == 3


def test_without_a_source_it_asks_whose_and_ignores_garbage(manager_client, owner, kols):
    page = manager_client.get(REASSIGN_URL).content.decode()
    assert "Whose KOLs?" in page and "Olivia Owner (3 KOLs)" in page
    response = manager_client.get(REASSIGN_URL, {"from": "abc"})
    assert response.status_code == 200 and "not understood" in response.content.decode()


def test_reassigning_one_kol_moves_its_open_follow_ups_and_writes_history(
    manager_client, manager, owner, teammate, kols
):
    kol = kols[0]
    open_one = FollowUpFactory(kol=kol)
    done_one = FollowUpFactory(kol=kol, status=FollowUp.Status.DONE)
    Collaborator.objects.create(kol=kol, user=UserFactory())
    collaborators_one = FollowUpFactory(kol=kol, owner=kol.collaborators.get())
    version = kol.version
    response = manager_client.post(
        REASSIGN_URL, {"from": owner.pk, "to": teammate.pk, "kols": [kol.pk]}, follow=True
    )
    assert "1 KOL moved from Olivia Owner to Tom Teammate, with 1 open follow-up." in (
        response.content.decode()
    )
    kol.refresh_from_db()
    assert kol.owner == teammate and kol.version == version + 1
    assert Kol.objects.filter(owner=owner).count() == 2
    for follow_up, expected in [
        (open_one, teammate),
        (done_one, owner),
        (collaborators_one, collaborators_one.owner),
    ]:
        follow_up.refresh_from_db()
        assert follow_up.owner == expected
    entry = AuditEntry.objects.get(kol=kol, subject="owner")
    assert entry.actor == manager and entry.action == "changed" and entry.subject_id == kol.pk
    assert entry.summary == "Reassigned from Olivia Owner to Tom Teammate"
    assert entry.changes == {"owner": ["Olivia Owner", "Tom Teammate"]}


def test_reassigning_many_kols_at_once(manager_client, owner, teammate, kols):
    Collaborator.objects.create(kol=kols[1], user=teammate)  # becomes the owner instead
    manager_client.post(
        REASSIGN_URL, {"from": owner.pk, "to": teammate.pk, "kols": [k.pk for k in kols]}
    )
    assert set(Kol.objects.filter(owner=teammate)) == set(kols)
    assert AuditEntry.objects.filter(subject="owner").count() == 3
    assert not Collaborator.objects.filter(kol=kols[1], user=teammate).exists()


def test_choosing_no_kol_saves_nothing(manager_client, owner, teammate, kols):
    response = manager_client.post(REASSIGN_URL, {"from": owner.pk, "to": teammate.pk})
    assert response.status_code == 422
    assert "Choose at least one KOL to reassign." in response.content.decode()
    assert Kol.objects.filter(owner=owner).count() == 3
    assert not AuditEntry.objects.filter(subject="owner").exists()


def test_a_foreign_source_or_target_is_404(manager_client, owner, teammate, outsider, kols):
    foreign = KolFactory(owner=outsider)
    response = manager_client.get(REASSIGN_URL, {"from": outsider.pk})
    assert response.status_code == 404
    response = manager_client.post(
        REASSIGN_URL, {"from": outsider.pk, "to": teammate.pk, "kols": [foreign.pk]}
    )
    assert response.status_code == 404
    response = manager_client.post(
        REASSIGN_URL, {"from": owner.pk, "to": outsider.pk, "kols": [kols[0].pk]}
    )
    assert response.status_code == 404
    assert Kol.objects.filter(owner=owner).count() == 3
    foreign.refresh_from_db()
    assert foreign.owner == outsider


def test_a_kol_that_is_not_the_sources_is_refused(manager_client, owner, teammate, outsider, kols):
    foreign = KolFactory(owner=outsider)
    response = manager_client.post(
        REASSIGN_URL, {"from": owner.pk, "to": teammate.pk, "kols": [kols[0].pk, foreign.pk]}
    )
    assert response.status_code == 422 and "nothing was changed" in response.content.decode()
    assert Kol.objects.filter(owner=owner).count() == 3
    foreign.refresh_from_db()
    assert foreign.owner == outsider


def test_people_or_teams_outside_mine_are_404(manager_client, team, other_team, outsider):
    response = manager_client.post(role_url(team, outsider), {"role": "msl", "on": "0"})
    assert response.status_code == 404
    assert manager_client.post(role_url(other_team, outsider)).status_code == 404
    assert manager_client.post(remove_url(other_team, outsider)).status_code == 404
    assert roles(other_team, outsider) == {"msl"}
