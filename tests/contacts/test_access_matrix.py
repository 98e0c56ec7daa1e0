"""Every KOL view against every role: the role table of the foundation issue.

anonymous -> login redirect; a user who cannot see the KOL (teammate without access,
outsider) -> 404; a user who can see it but may not act -> 403; otherwise the page.
"""

import pytest
from django.urls import reverse

from contacts.models import Collaborator, Goal, Interest, Kol
from tests.conftest import HTMX, client_for
from tests.factories import GoalFactory, InterestFactory, MembershipFactory, UserFactory

# (url name, method, what it needs: view | log | edit, kwargs builder, valid post data)
VIEWS = [
    ("kol:kol_detail", "get", "view", lambda o: {"pk": o["kol"].pk}, None),
    ("kol:kol_stage", "get", "view", lambda o: {"pk": o["kol"].pk}, None),
    ("kol:kol_interests", "get", "view", lambda o: {"pk": o["kol"].pk}, None),
    ("kol:kol_goals", "get", "view", lambda o: {"pk": o["kol"].pk, "whose": "kol"}, None),
    ("contacts:kol_edit", "get", "edit", lambda o: {"pk": o["kol"].pk}, None),
    (
        "contacts:kol_edit",
        "post",
        "edit",
        lambda o: {"pk": o["kol"].pk},
        lambda o: {"name": "Dr Ada King", "cadence_days": 60, "version": o["kol"].version},
    ),
    ("contacts:kol_archive", "post", "edit", lambda o: {"pk": o["kol"].pk}, lambda o: {}),
    ("contacts:kol_restore", "post", "edit", lambda o: {"pk": o["kol"].pk}, lambda o: {}),
    (
        "kol:kol_stage_change",
        "post",
        "edit",
        lambda o: {"pk": o["kol"].pk},
        lambda o: {"to_stage": "developing", "reason": "", "version": o["kol"].version},
    ),
    (
        "kol:interest_add",
        "post",
        "log",
        lambda o: {"pk": o["kol"].pk},
        lambda o: {"kind": "speaking", "provenance": "stated", "stated_on": "2026-11-01"},
    ),
    (
        "kol:interest_edit",
        "get",
        "edit",
        lambda o: {"pk": o["kol"].pk, "interest_pk": o["interest"].pk},
        None,
    ),
    (
        "kol:interest_edit",
        "post",
        "edit",
        lambda o: {"pk": o["kol"].pk, "interest_pk": o["interest"].pk},
        lambda o: {
            f"interest{o['interest'].pk}-kind": "publications",
            f"interest{o['interest'].pk}-provenance": "stated",
        },
    ),
    (
        "kol:interest_delete",
        "post",
        "edit",
        lambda o: {"pk": o["kol"].pk, "interest_pk": o["interest"].pk},
        lambda o: {},
    ),
    (
        "kol:goal_add",
        "post",
        "edit",
        lambda o: {"pk": o["kol"].pk, "whose": "ours"},
        lambda o: {
            "ourgoal-whose": "ours",
            "ourgoal-area": "medical",
            "ourgoal-text": "Learn",
            "ourgoal-status": "open",
            "ourgoal-in_it_for_kol": "A talk",
        },
    ),
    (
        "kol:goal_edit",
        "get",
        "edit",
        lambda o: {"pk": o["kol"].pk, "goal_pk": o["goal"].pk},
        None,
    ),
    (
        "kol:goal_edit",
        "post",
        "edit",
        lambda o: {"pk": o["kol"].pk, "goal_pk": o["goal"].pk},
        lambda o: {
            f"goal{o['goal'].pk}-whose": "kol",
            f"goal{o['goal'].pk}-area": "medical",
            f"goal{o['goal'].pk}-text": "Publish",
            f"goal{o['goal'].pk}-status": "open",
            f"goal{o['goal'].pk}-provenance": "stated",
        },
    ),
    (
        "kol:goal_delete",
        "post",
        "edit",
        lambda o: {"pk": o["kol"].pk, "goal_pk": o["goal"].pk},
        lambda o: {},
    ),
    (
        "kol:collaborator_add",
        "post",
        "edit",
        lambda o: {"pk": o["kol"].pk},
        lambda o: {"user": o["spare"].pk, "role": "medical_director"},
    ),
    (
        "kol:collaborator_remove",
        "post",
        "edit",
        lambda o: {"pk": o["kol"].pk, "collaborator_pk": o["collaboration"].pk},
        lambda o: {},
    ),
]

ROLES = ["anonymous", "teammate", "outsider", "other_manager", "owner", "collaborator", "manager"]


def allowed(role: str, action: str) -> bool:
    return {
        "owner": True,
        "collaborator": action in {"view", "log"},
        "manager": action == "view",
    }.get(role, False)


@pytest.fixture
def objects(kol, owner, teammate, outsider, manager, other_manager):
    collaborator = UserFactory(email="collab@example.test", display_name="Cleo Collaborator")
    MembershipFactory(user=collaborator)  # in a team of their own: no team, no pages
    spare = UserFactory(email="spare@example.test", display_name="Sid Spare")
    # The owner's teammate: a KOL is shared only within the owner's teams.
    MembershipFactory(user=spare, team=owner.memberships.first().team)
    collaboration = Collaborator.objects.create(kol=kol, user=collaborator)
    return {
        "kol": kol,
        "interest": InterestFactory(kol=kol),
        "goal": GoalFactory(kol=kol),
        "collaboration": collaboration,
        "spare": spare,
        "users": {
            "anonymous": None,
            "teammate": teammate,
            "outsider": outsider,
            "other_manager": other_manager,
            "owner": owner,
            "collaborator": collaborator,
            "manager": manager,
        },
    }


def _ids(view):
    return f"{view[0]}:{view[1]}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("view", VIEWS, ids=[_ids(v) for v in VIEWS])
def test_it_enforces_the_role_table(objects, view, role):
    name, method, action, kwargs, data = view
    client = client_for(objects["users"][role])
    url = reverse(name, kwargs=kwargs(objects))
    payload = data(objects) if data else None
    response = getattr(client, method)(url, payload) if payload is not None else client.get(url)

    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif role in {"teammate", "outsider", "other_manager"}:
        assert response.status_code == 404
    elif allowed(role, action):
        assert response.status_code in ({200} if method == "get" else {302}), response.content[:500]
    else:
        assert response.status_code == 403
        assert b"Only" in response.content


GET_AND_POST = {"contacts:kol_edit", "kol:interest_edit", "kol:goal_edit"}


@pytest.mark.parametrize("view", VIEWS, ids=[_ids(v) for v in VIEWS])
def test_it_refuses_the_wrong_method(objects, view):
    name, method, _action, kwargs, _data = view
    client = client_for(objects["users"]["owner"])
    url = reverse(name, kwargs=kwargs(objects))
    if name in GET_AND_POST:
        response = client.delete(url)
    elif method == "get":
        response = client.post(url)
    else:
        response = client.get(url)
    assert response.status_code == 405


@pytest.mark.parametrize(
    "name,kwargs,section",
    [
        ("kol:kol_stage", lambda o: {"pk": o["kol"].pk}, 'id="stage"'),
        ("kol:kol_interests", lambda o: {"pk": o["kol"].pk}, 'id="interests"'),
        ("kol:kol_goals", lambda o: {"pk": o["kol"].pk, "whose": "ours"}, 'id="our_goals"'),
        (
            "kol:interest_edit",
            lambda o: {"pk": o["kol"].pk, "interest_pk": o["interest"].pk},
            'id="interests"',
        ),
        (
            "kol:goal_edit",
            lambda o: {"pk": o["kol"].pk, "goal_pk": o["goal"].pk},
            'id="kol_goals"',
        ),
    ],
)
def test_it_answers_htmx_with_the_part_and_browsers_with_the_page(objects, name, kwargs, section):
    client = client_for(objects["users"]["owner"])
    url = reverse(name, kwargs=kwargs(objects))
    part = client.get(url, **HTMX).content.decode()
    page = client.get(url).content.decode()
    assert section in part and "<html" not in part
    assert section in page and "<html" in page and "Dr Ada Lovelace" in page


def test_unknown_and_non_numeric_ids_are_404(owner_client, kol):
    assert owner_client.get(f"/kols/{kol.pk + 1000}/").status_code == 404
    assert owner_client.get("/kols/abc/").status_code == 404
    assert owner_client.get(f"/kols/{kol.pk}/goals/theirs/").status_code == 404
    assert owner_client.post(f"/kols/{kol.pk}/interests/99999/delete/").status_code == 404


def test_a_goal_of_another_kol_is_404_even_for_its_owner(owner_client, kol, owner):
    other = Kol.objects.create(name="Dr Other", owner=owner)
    goal = GoalFactory(kol=other)
    url = reverse("kol:goal_delete", kwargs={"pk": kol.pk, "goal_pk": goal.pk})
    assert owner_client.post(url).status_code == 404
    assert Goal.objects.filter(pk=goal.pk).exists()


def test_a_collaborator_may_edit_the_interests_they_added(objects):
    collaborator = objects["users"]["collaborator"]
    client = client_for(collaborator)
    mine = InterestFactory(kol=objects["kol"], created_by=collaborator)
    url = reverse("kol:interest_delete", kwargs={"pk": objects["kol"].pk, "interest_pk": mine.pk})
    assert client.post(url).status_code == 302
    assert not Interest.objects.filter(pk=mine.pk).exists()
