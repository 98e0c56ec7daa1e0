"""Follow-ups on the KOL page: the part, adding one, done / skip / snooze inline."""

import datetime
import re
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from contacts.models import Collaborator
from engagements.models import FollowUp
from engagements.services import followups as services
from tests.conftest import HTMX, client_for
from tests.engagements.factories import FollowUpFactory
from tests.factories import KolFactory, MembershipFactory, UserFactory


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def words(html: str) -> str:
    """What the user reads: the text without tags, spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def url(name, kol, followup=None):
    kwargs = {"pk": kol.pk} | ({"followup_pk": followup.pk} if followup else {})
    return reverse(f"kol:{name}", kwargs=kwargs)


@pytest.fixture
def collaborator(kol):
    user = UserFactory(email="collab@example.test", display_name="Cleo Collaborator")
    MembershipFactory(user=user)  # in a team of their own: someone in no team sees nothing
    Collaborator.objects.create(kol=kol, user=user)
    return user


@pytest.fixture
def followup(kol):
    return FollowUpFactory(kol=kol, due_on=days(3), text="Send the registry protocol")


# The part on the KOL page -------------------------------------------------------------


def test_it_lists_open_follow_ups_soonest_first_with_their_state_in_words(owner_client, kol):
    FollowUpFactory(kol=kol, due_on=days(5), text="Later one", kind="check_in")
    FollowUpFactory(kol=kol, due_on=days(-4), text="Late one")
    FollowUpFactory(kol=kol, due_on=days(0), text="Today one", kind="thank_you")
    FollowUpFactory(kol=kol, due_on=days(1), text="Finished", status="done", done_at=None)

    page = owner_client.get(reverse("kol:kol_detail", args=[kol.pk])).content.decode()

    section = page[page.index('<section id="followups"') :]
    assert section.index("Late one") < section.index("Today one") < section.index("Later one")
    assert f"Overdue since {days(-4):%-d %b %Y}" in words(section)
    assert "Due today" in section and "Thank-you recap" in section and "Check-in" in section
    assert "Finished" not in section
    for action in ["Done", "Skip", "Snooze a day", "Snooze a week", "Snooze to a date"]:
        assert f">{action}<" in section


def test_recently_completed_ones_sit_in_a_collapsed_details(owner_client, kol):
    now = timezone.now()
    FollowUpFactory(
        kol=kol, text="Sent last week", status="done", done_at=now - datetime.timedelta(days=7)
    )
    FollowUpFactory(
        kol=kol,
        text="Skipped yesterday",
        status="skipped",
        done_at=now - datetime.timedelta(days=1),
    )
    FollowUpFactory(
        kol=kol, text="Long ago", status="done", done_at=now - datetime.timedelta(days=31)
    )

    part = owner_client.get(url("kol_followups", kol), **HTMX).content.decode()

    details = part[part.index('<details class="followups-recent">') :]
    assert "Completed in the last 30 days (2)" in details
    assert details.index("Skipped yesterday") < details.index("Sent last week")
    assert "Done ✓" in details and "Skipped" in details
    assert "Long ago" not in part
    assert "Nothing to follow up" in part


def test_it_adds_a_follow_up_inline_owned_by_whoever_adds_it(kol, collaborator):
    response = client_for(collaborator).post(
        url("followup_add", kol),
        {
            "followup-kind": "promised_resource",
            "followup-text": "Send the SGLT2 meta-analysis",
            "followup-due_on": days(2).isoformat(),
        },
        **HTMX,
    )

    assert response.status_code == 200
    part = response.content.decode()
    assert part.lstrip().startswith('<section id="followups"') and "<html" not in part
    assert "Send the SGLT2 meta-analysis" in part
    added = FollowUp.objects.get()
    assert (added.owner, added.due_on, added.status) == (collaborator, days(2), "open")


def test_a_plain_add_comes_back_to_the_page(owner_client, kol, owner):
    response = owner_client.post(
        url("followup_add", kol),
        {"followup-kind": "other", "followup-text": "Call back", "followup-due_on": days(0)},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/kols/{kol.pk}/#followups"
    assert FollowUp.objects.get().owner == owner


def test_the_same_add_form_sent_twice_adds_one_follow_up(owner_client, kol, owner):
    """A double tap, or the phone's offline queue replayed on a flaky network: one follow-up.
    The same token sent for another KOL is refused and adds nothing there."""
    form = owner_client.get(url("kol_detail", kol), {"open": "followup"}, **HTMX).content.decode()
    token = re.search(r'name="followup-form_token" value="([0-9a-f-]{36})"', form).group(1)
    data = {
        "followup-form_token": token,
        "followup-kind": "other",
        "followup-text": "Send the registry protocol",
        "followup-due_on": days(3).isoformat(),
    }
    for _ in range(3):
        assert owner_client.post(url("followup_add", kol), data, **HTMX).status_code == 200
    assert FollowUp.objects.filter(text="Send the registry protocol").count() == 1

    # Another form (a new token) is another follow-up.
    again = data | {"followup-form_token": "5f0c4a52-7f6e-4f0e-9a57-1d6f2a1c9b11"}
    owner_client.post(url("followup_add", kol), again, **HTMX)
    assert FollowUp.objects.filter(text="Send the registry protocol").count() == 2

    other = KolFactory(owner=owner, name="Dr Other")
    refused = owner_client.post(url("followup_add", other), data, **HTMX)
    assert refused.status_code == 422
    assert "This form was sent for another KOL" in words(refused.content.decode())
    assert not other.follow_ups.exists()


def test_a_past_due_date_is_refused_next_to_the_field_and_nothing_is_saved(owner_client, kol):
    data = {
        "followup-kind": "other",
        "followup-text": "Too late",
        "followup-due_on": days(-1).isoformat(),
    }
    response = owner_client.post(url("followup_add", kol), data, **HTMX)

    assert response.status_code == 422
    part = response.content.decode()
    assert "<html" not in part and "<details open" in part
    field = part[part.index('for="id_followup-due_on"') :]
    assert field.index("Pick today or a later date") < field.index('name="followup-due_on"')
    assert "Too late</textarea>" in part
    assert not FollowUp.objects.exists()

    page = owner_client.post(url("followup_add", kol), data)
    assert page.status_code == 422
    assert "<html" in page.content.decode()
    assert "Pick today or a later date" in page.content.decode()
    assert not FollowUp.objects.exists()


def test_an_empty_follow_up_says_what_is_missing(owner_client, kol):
    response = owner_client.post(
        url("followup_add", kol), {"followup-kind": "other", "followup-text": "  "}, **HTMX
    )
    assert response.status_code == 422
    assert "Say what to do." in response.content.decode()
    assert "Pick the day it is due." in response.content.decode()


def test_the_manager_sees_follow_ups_but_no_add_form_or_actions(manager_client, kol, followup):
    part = manager_client.get(url("kol_followups", kol), **HTMX).content.decode()
    assert "Send the registry protocol" in part
    assert "Add a follow-up" not in part and ">Done<" not in part and "Snooze" not in part


def test_a_collaborator_sees_actions_only_on_their_own_follow_ups(kol, collaborator, followup):
    FollowUpFactory(kol=kol, owner=collaborator, text="Mine to do")
    part = client_for(collaborator).get(url("kol_followups", kol), **HTMX).content.decode()
    theirs = part[part.index(f'id="followup-{followup.pk}"') :]
    theirs = theirs[: theirs.index("</li>")]
    assert ">Done<" not in theirs and "For Olivia Owner" in theirs
    mine = part[part.index("Mine to do") :]
    assert ">Done<" in mine[: mine.index("</li>")]


# Done, skip, snooze ---------------------------------------------------------------------


def test_done_answers_htmx_with_the_item(owner_client, kol, followup):
    response = owner_client.post(url("followup_done", kol, followup), **HTMX)

    assert response.status_code == 200
    item = response.content.decode()
    assert item.lstrip().startswith(f'<li id="followup-{followup.pk}"')
    assert "Done ✓" in item and ">Skip<" not in item
    followup.refresh_from_db()
    assert followup.status == "done" and followup.done_at is not None


def test_skip_marks_it_skipped(owner_client, kol, followup):
    response = owner_client.post(url("followup_skip", kol, followup), **HTMX)
    assert response.status_code == 200 and "Skipped" in response.content.decode()
    followup.refresh_from_db()
    assert followup.status == "skipped" and followup.done_at is not None


def test_a_plain_post_goes_back_to_the_kol_page(owner_client, kol, followup):
    response = owner_client.post(url("followup_done", kol, followup))
    assert response.status_code == 302
    assert response["Location"] == f"/kols/{kol.pk}/#followups"
    page = owner_client.get(response["Location"]).content.decode()
    assert "Follow-up done." in page


def test_a_plain_post_goes_back_to_a_safe_next_only(owner_client, kol, followup):
    response = owner_client.post(url("followup_done", kol, followup), {"next": "/today/"})
    assert response["Location"] == "/today/"
    other = FollowUpFactory(kol=kol)
    response = owner_client.post(
        url("followup_done", kol, other), {"next": "https://evil.example/"}
    )
    assert response["Location"] == f"/kols/{kol.pk}/#followups"


def test_completing_twice_is_harmless(owner_client, kol, followup):
    owner_client.post(url("followup_done", kol, followup), **HTMX)
    followup.refresh_from_db()
    first_done_at = followup.done_at

    response = owner_client.post(url("followup_skip", kol, followup), **HTMX)

    assert response.status_code == 200 and "Done ✓" in response.content.decode()
    followup.refresh_from_db()
    assert (followup.status, followup.done_at) == ("done", first_done_at)


@pytest.mark.parametrize(
    "due_in,snooze,expected",
    [
        (-3, {"days": "1"}, 1),  # overdue: a day from today, not from the old due date
        (-3, {"days": "7"}, 7),
        (10, {"days": "7"}, 17),  # due later: a week after the due date
        (3, {"until": days(20).isoformat()}, 20),
        (3, {"until": days(0).isoformat()}, 0),
    ],
)
def test_snooze_moves_the_due_date(owner_client, kol, due_in, snooze, expected):
    followup = FollowUpFactory(kol=kol, due_on=days(due_in))
    response = owner_client.post(url("followup_snooze", kol, followup), snooze, **HTMX)

    assert response.status_code == 200
    followup.refresh_from_db()
    assert (followup.due_on, followup.status) == (days(expected), "open")
    shown = words(response.content.decode())
    assert "Due today" in shown if expected == 0 else f"Due {days(expected):%a %-d %b %Y}" in shown


def test_snoozing_to_a_past_date_is_refused_next_to_the_field(owner_client, kol, followup):
    past = days(-2).isoformat()
    response = owner_client.post(url("followup_snooze", kol, followup), {"until": past}, **HTMX)

    assert response.status_code == 422
    item = response.content.decode()
    assert item.lstrip().startswith(f'<li id="followup-{followup.pk}"')
    assert "Pick today or a later date" in item and 'aria-invalid="true"' in item
    assert f'aria-describedby="followup-{followup.pk}-until-error"' in item
    followup.refresh_from_db()
    assert followup.due_on == days(3)

    page = owner_client.post(url("followup_snooze", kol, followup), {"until": past})
    assert page.status_code == 422
    content = page.content.decode()
    assert "<html" in content and "Dr Ada Lovelace" in content
    assert "Pick today or a later date" in content


def test_snooze_without_a_date_asks_for_one(owner_client, kol, followup):
    response = owner_client.post(url("followup_snooze", kol, followup), {"until": ""}, **HTMX)
    assert response.status_code == 422
    assert "Pick a date to snooze until." in response.content.decode()


def test_the_kol_owner_may_act_on_a_collaborators_follow_up(owner_client, kol, collaborator):
    theirs = FollowUpFactory(kol=kol, owner=collaborator)
    assert owner_client.post(url("followup_done", kol, theirs)).status_code == 302
    theirs.refresh_from_db()
    assert theirs.status == "done"


def test_a_collaborator_may_act_on_their_own_follow_up_only(kol, collaborator, followup):
    client = client_for(collaborator)
    mine = FollowUpFactory(kol=kol, owner=collaborator)
    assert client.post(url("followup_snooze", kol, mine), {"days": "7"}).status_code == 302
    response = client.post(url("followup_done", kol, followup))
    assert response.status_code == 403
    assert b"Only the follow-up&#x27;s owner or the KOL&#x27;s owner" in response.content
    followup.refresh_from_db()
    assert followup.status == "open"


def test_a_follow_up_of_another_kol_is_404_even_for_its_owner(owner_client, kol, owner):
    other = FollowUpFactory(kol=KolFactory(owner=owner))
    assert owner_client.post(url("followup_done", kol, other)).status_code == 404
    other.refresh_from_db()
    assert other.status == "open"


# Who may do what --------------------------------------------------------------------------

# (url name, method, what it needs: view | log | act)
VIEWS = [
    ("kol_followups", "get", "view"),
    ("followup_add", "post", "log"),
    ("followup_done", "post", "act"),
    ("followup_skip", "post", "act"),
    ("followup_snooze", "post", "act"),
]
ROLES = ["anonymous", "teammate", "outsider", "other_manager", "owner", "collaborator", "manager"]
VALID = {
    "followup_add": {
        "followup-kind": "other",
        "followup-text": "Send slides",
        "followup-due_on": "2999-01-01",
    },
    "followup_snooze": {"days": "1"},
}


def allowed(role: str, action: str) -> bool:
    return {
        "owner": True,
        "collaborator": action in {"view", "log"},  # "act" on the owner's follow-up: no
        "manager": action == "view",
    }.get(role, False)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("view", VIEWS, ids=[f"{v[0]}:{v[1]}" for v in VIEWS])
def test_it_enforces_the_role_table(
    kol, followup, collaborator, teammate, outsider, other_manager, owner, manager, view, role
):
    name, method, action = view
    users = {
        "anonymous": None,
        "teammate": teammate,
        "outsider": outsider,
        "other_manager": other_manager,
        "owner": owner,
        "collaborator": collaborator,
        "manager": manager,
    }
    client = client_for(users[role])
    target = url(name, kol, followup if action == "act" else None)
    payload = VALID.get(name, {})
    response = client.get(target) if method == "get" else client.post(target, payload)

    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif role in {"teammate", "outsider", "other_manager"}:
        assert response.status_code == 404
    elif allowed(role, action):
        assert response.status_code == (200 if method == "get" else 302)
    else:
        assert response.status_code == 403
        assert b"Only" in response.content
    followup.refresh_from_db()
    if not (allowed(role, action) and action == "act"):
        assert (followup.status, followup.due_on) == ("open", days(3))
    if not (allowed(role, action) and action == "log"):
        assert FollowUp.objects.count() == 1


@pytest.mark.parametrize("view", VIEWS, ids=[f"{v[0]}:{v[1]}" for v in VIEWS])
def test_it_refuses_the_wrong_method(owner_client, kol, followup, view):
    name, method, action = view
    target = url(name, kol, followup if action == "act" else None)
    response = owner_client.post(target) if method == "get" else owner_client.get(target)
    assert response.status_code == 405


def test_the_part_answers_htmx_with_the_part_and_browsers_with_the_page(owner_client, kol):
    part = owner_client.get(url("kol_followups", kol), **HTMX).content.decode()
    page = owner_client.get(url("kol_followups", kol)).content.decode()
    assert part.lstrip().startswith('<section id="followups"') and "<html" not in part
    assert 'id="followups"' in page and "<html" in page and "Dr Ada Lovelace" in page


@pytest.mark.parametrize("rows", [5, 300])
def test_the_part_runs_the_same_queries_whatever_the_rows(
    owner_client, kol, collaborator, django_assert_max_num_queries, rows
):
    done_at = timezone.now() - datetime.timedelta(days=2)
    FollowUp.objects.bulk_create(
        [
            FollowUp(
                kol=kol,
                owner=collaborator if i % 2 else kol.owner,
                due_on=days(i % 40 - 10),
                text=f"Follow-up {i}",
                status="open" if i % 3 else "done",
                done_at=None if i % 3 else done_at,
            )
            for i in range(rows)
        ]
    )
    with django_assert_max_num_queries(7):
        response = owner_client.get(url("kol_followups", kol), **HTMX)
    assert response.content.decode().count('class="followup followup-') == rows


# Services ------------------------------------------------------------------------------


def test_followup_add_refuses_a_past_date(kol, owner):
    with pytest.raises(ValidationError) as error:
        services.followup_add(kol=kol, by=owner, kind="other", text="x", due_on=days(-1))
    assert error.value.message_dict == {"due_on": ["Pick today or a later date."]}
    assert not FollowUp.objects.exists()


def test_followup_complete_keeps_the_first_completion(followup):
    services.followup_complete(followup=followup, status="skipped")
    first = followup.done_at
    again = services.followup_complete(followup=followup, status="done")
    assert (again.status, again.done_at) == ("skipped", first)
    with pytest.raises(ValueError):
        services.followup_complete(followup=followup, status="open")


def test_followup_snooze_leaves_a_completed_one_alone(followup):
    services.followup_complete(followup=followup, status="done")
    services.followup_snooze(followup=followup, until=days(9))
    followup.refresh_from_db()
    assert (followup.status, followup.due_on) == ("done", days(3))
    with pytest.raises(ValidationError):
        services.followup_snooze(followup=followup, until=days(-1))
