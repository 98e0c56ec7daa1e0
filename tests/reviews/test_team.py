import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership, User
from contacts.models import AuditEntry, Collaborator, Kol
from engagements.models import FollowUp
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


def join_url_from(message) -> str:
    match = re.search(r"https?://[^/\s]+(/team/join/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


# ---------------------------------------------------------------- access


@pytest.fixture
def urls(team, owner):
    return [
        ("get", TEAM_URL),
        ("post", INVITE_URL),
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


def test_wrong_methods_get_405(manager_client, team, owner):
    assert manager_client.post(TEAM_URL).status_code == 405
    assert manager_client.get(INVITE_URL).status_code == 405
    assert manager_client.get(role_url(team, owner)).status_code == 405
    assert manager_client.put(remove_url(team, owner)).status_code == 405
    assert manager_client.put(REASSIGN_URL).status_code == 405
    token = invite_token(owner)
    assert manager_client.put(reverse("team_join", args=[token])).status_code == 405


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
    manager_client, team, client
):
    response = manager_client.post(
        INVITE_URL,
        {"display_name": "Nia New", "email": "Nia@Example.test", "role": "msl", "team": team.pk},
    )
    assert response.status_code == 302
    user = User.objects.get(email="nia@example.test")
    assert not user.is_active and not user.has_usable_password()
    assert roles(team, user) == {"msl"}
    page = manager_client.get(TEAM_URL).content.decode()
    assert "Nia New was invited to Team A as an MSL." in page and "Invited, not joined yet" in page

    (message,) = mail.outbox
    assert message.to == ["nia@example.test"]
    assert message.subject == "Mona Manager added you to Team A on KOL CRM"
    assert "List-Unsubscribe" not in message.extra_headers
    assert "as an MSL" in message.body and "expires in 7 days" in message.body
    url = join_url_from(message)
    assert url in message.alternatives[0].content
    page = client.get(url).content.decode()
    assert "Welcome, Nia New" in page and "Team A" in page and 'name="new_password1"' in page


def test_inviting_someone_who_has_an_account_adds_them_and_says_so(manager_client, team, outsider):
    response = manager_client.post(
        INVITE_URL,
        {"display_name": "ignored", "email": outsider.email, "role": "msl", "team": team.pk},
        follow=True,
    )
    assert "Otto Outsider already has an account: they were added to Team A" in (
        response.content.decode()
    )
    assert roles(team, outsider) == {"msl"}
    outsider.refresh_from_db()
    assert outsider.display_name == "Otto Outsider" and outsider.check_password("test-pass-2026")
    (message,) = mail.outbox
    assert "/team/join/" not in message.body and "/accounts/login/" in message.body


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
    assert mail.outbox == []


# ---------------------------------------------------------------- the invitation link


@pytest.fixture
def invited(manager_client, team):
    manager_client.post(
        INVITE_URL,
        {"display_name": "Nia New", "email": "nia@example.test", "role": "msl", "team": team.pk},
    )
    return User.objects.get(email="nia@example.test"), join_url_from(mail.outbox[0])


def test_the_link_sets_the_password_once_and_signs_in(client, invited):
    user, url = invited
    response = client.post(
        url, {"new_password1": "a-good-pass-2026", "new_password2": "a-good-pass-2026"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("engagements:today")
    user.refresh_from_db()
    assert user.is_active and user.check_password("a-good-pass-2026")
    assert "Welcome, Nia" in client.get(response["Location"]).content.decode()  # signed in

    again = client_for(None)
    response = again.get(url)
    assert response.status_code == 400 and "This link is not valid" in response.content.decode()
    response = again.post(
        url, {"new_password1": "another-pass-99", "new_password2": "another-pass-99"}
    )
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.check_password("a-good-pass-2026")


def test_a_bad_password_is_shown_and_changes_nothing(client, invited):
    user, url = invited
    response = client.post(url, {"new_password1": "a-good-pass-2026", "new_password2": "other"})
    assert response.status_code == 422 and "didn’t match" in response.content.decode()
    user.refresh_from_db()
    assert not user.is_active and not user.has_usable_password()
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


def test_a_link_older_than_7_days_is_refused(client, invited):
    user, url = invited
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=6)):
        assert client.get(url).status_code == 200
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=8)):
        response = client.post(
            url, {"new_password1": "a-good-pass-2026", "new_password2": "a-good-pass-2026"}
        )
    assert response.status_code == 400
    user.refresh_from_db()
    assert not user.is_active


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


def test_the_confirmation_page_warns_about_kols_still_owned(manager_client, team, kol, owner):
    page = manager_client.get(remove_url(team, owner)).content.decode()
    assert "Olivia Owner still owns 1 KOL." in page
    assert f'href="{REASSIGN_URL}?from={owner.pk}"' in page
    assert "you will no longer see them" in page


def test_removing_someone_keeps_their_kols_and_other_teams(
    manager_client, manager, team, other_team, kol, owner
):
    MembershipFactory(team=other_team, user=owner)
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
    assert "Team A needs a manager" in response.content.decode()
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
