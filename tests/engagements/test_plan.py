"""The engagement plan on the KOL page: written with the KOL, edited inline by the owner."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import Collaborator
from engagements.models import EngagementPlan
from tests.conftest import HTMX, client_for
from tests.engagements.factories import EngagementPlanFactory
from tests.factories import MembershipFactory, UserFactory


def url(name, kol):
    return reverse(f"kol:{name}", kwargs={"pk": kol.pk})


def plan_data(version: int, **overrides) -> dict:
    return {
        "objectives": "Understand referral gaps; she expects unbiased data.",
        "built_with_kol": "on",
        "kol_input": "Wants help starting an investigator-initiated study.",
        "who_interacts": "Olivia Owner, MSL: quarterly check-ins",
        "outcome_measures": "IIS proposal submitted by Q3",
        "next_review_on": (timezone.localdate() + datetime.timedelta(days=90)).isoformat(),
        "version": version,
    } | overrides


@pytest.fixture
def collaborator(kol):
    user = UserFactory(email="collab@example.test", display_name="Cleo Collaborator")
    MembershipFactory(user=user)  # in a team of their own: someone in no team sees nothing
    Collaborator.objects.create(kol=kol, user=user)
    return user


def test_without_a_plan_it_invites_the_owner_to_write_one_with_the_kol(owner_client, kol):
    part = owner_client.get(url("kol_plan", kol), **HTMX).content.decode()

    assert part.lstrip().startswith('<section id="plan"')
    assert "No engagement plan yet. Write it with Dr Ada Lovelace" in part
    assert f'href="{url("plan_edit", kol)}"' in part and "Write the plan" in part


def test_it_shows_the_plan_read_only_to_a_manager(manager_client, kol):
    EngagementPlanFactory(kol=kol, objectives="Map unmet needs", who_interacts="MSL and MD")

    part = manager_client.get(url("kol_plan", kol), **HTMX).content.decode()

    assert "Map unmet needs" in part and "MSL and MD" in part
    assert "Edit plan" not in part and url("plan_edit", kol) not in part


def test_the_edit_button_swaps_in_the_form(owner_client, kol):
    review = datetime.date(2027, 3, 1)
    plan = EngagementPlanFactory(kol=kol, objectives="Map unmet needs", next_review_on=review)

    part = owner_client.get(url("plan_edit", kol), **HTMX).content.decode()
    assert 'value="2027-03-01"' in part

    assert part.lstrip().startswith('<section id="plan"') and "<html" not in part
    assert "Map unmet needs</textarea>" in part
    assert f'name="version" value="{plan.version}"' in part
    assert f'href="/kols/{kol.pk}/#plan"' in part  # Cancel works without JS
    page = owner_client.get(url("plan_edit", kol)).content.decode()
    assert "<html" in page and "Map unmet needs</textarea>" in page


def test_the_first_save_creates_the_plan(owner_client, kol, owner):
    response = owner_client.post(url("plan_edit", kol), plan_data(version=0), **HTMX)

    assert response.status_code == 200
    part = response.content.decode()
    assert part.lstrip().startswith('<section id="plan"') and "<textarea" not in part
    assert "Understand referral gaps" in part
    assert "Wants help starting an investigator-initiated study." in part
    plan = EngagementPlan.objects.get(kol=kol)
    assert (plan.version, plan.updated_by, plan.built_with_kol) == (1, owner, True)


def test_a_save_updates_the_plan_and_its_version(owner_client, kol, owner):
    plan = EngagementPlanFactory(kol=kol)

    response = owner_client.post(
        url("plan_edit", kol), plan_data(version=plan.version, objectives="Co-author a review")
    )

    assert response.status_code == 302
    assert response["Location"] == f"/kols/{kol.pk}/#plan"
    plan.refresh_from_db()
    assert (plan.objectives, plan.version, plan.updated_by) == ("Co-author a review", 2, owner)


def test_a_stale_save_is_a_conflict_and_overwrites_nothing(owner_client, kol):
    plan = EngagementPlanFactory(kol=kol, objectives="Saved by the other tab", version=3)

    response = owner_client.post(
        url("plan_edit", kol), plan_data(version=2, objectives="Typed in this tab"), **HTMX
    )

    assert response.status_code == 409
    part = response.content.decode()
    assert "saved this plan while you were editing" in part and "Nothing was overwritten" in part
    assert "Saved by the other tab" in part  # the saved text
    assert "Typed in this tab</textarea>" in part  # the user's input, kept
    assert 'name="version" value="3"' in part  # saving again is a deliberate overwrite
    plan.refresh_from_db()
    assert (plan.objectives, plan.version) == ("Saved by the other tab", 3)


def test_a_first_save_after_someone_else_created_the_plan_is_a_conflict(owner_client, kol):
    EngagementPlanFactory(kol=kol, objectives="Written elsewhere")

    response = owner_client.post(url("plan_edit", kol), plan_data(version=0))

    assert response.status_code == 409
    assert "<html" in response.content.decode() and "Written elsewhere" in response.content.decode()
    assert EngagementPlan.objects.get().objectives == "Written elsewhere"


def test_the_plan_needs_objectives_and_their_words_when_built_with_them(owner_client, kol):
    response = owner_client.post(
        url("plan_edit", kol), plan_data(version=0, objectives=" ", kol_input=""), **HTMX
    )

    assert response.status_code == 422
    part = response.content.decode()
    assert "State the objectives and expectations" in part
    assert "Note what they said" in part
    assert "IIS proposal submitted by Q3</textarea>" in part
    assert not EngagementPlan.objects.exists()


def test_a_past_review_date_is_saved_and_shows_review_overdue(owner_client, kol):
    last_month = timezone.localdate() - datetime.timedelta(days=30)

    response = owner_client.post(
        url("plan_edit", kol), plan_data(version=0, next_review_on=last_month.isoformat()), **HTMX
    )

    assert response.status_code == 200
    assert "Review overdue" in response.content.decode()
    assert EngagementPlan.objects.get().next_review_on == last_month


def test_a_future_review_date_is_not_overdue(owner_client, kol):
    EngagementPlanFactory(kol=kol, next_review_on=timezone.localdate() + datetime.timedelta(days=1))
    assert "Review overdue" not in owner_client.get(url("kol_plan", kol), **HTMX).content.decode()


def test_the_plan_part_needs_a_fixed_number_of_queries(
    owner_client, kol, django_assert_max_num_queries
):
    EngagementPlanFactory(kol=kol)
    with django_assert_max_num_queries(7):
        owner_client.get(url("kol_plan", kol), **HTMX)


# Who may do what -----------------------------------------------------------------------

ROLES = ["anonymous", "teammate", "outsider", "other_manager", "owner", "collaborator", "manager"]
VIEWS = [("kol_plan", "get", "view"), ("plan_edit", "get", "edit"), ("plan_edit", "post", "edit")]


@pytest.fixture
def users(owner, teammate, outsider, manager, other_manager, collaborator):
    return {
        "anonymous": None,
        "teammate": teammate,
        "outsider": outsider,
        "other_manager": other_manager,
        "owner": owner,
        "collaborator": collaborator,
        "manager": manager,
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("view", VIEWS, ids=[f"{v[0]}:{v[1]}" for v in VIEWS])
def test_it_enforces_the_role_table(kol, users, view, role):
    name, method, needs = view
    plan = EngagementPlanFactory(kol=kol, objectives="As saved")
    client = client_for(users[role])
    target = url(name, kol)

    if method == "post":
        response = client.post(target, plan_data(version=plan.version, objectives="Changed"))
    else:
        response = client.get(target)

    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif role in {"teammate", "outsider", "other_manager"}:
        assert response.status_code == 404
    elif role == "owner" or needs == "view":
        assert response.status_code == (200 if method == "get" else 302)
    else:
        assert response.status_code == 403
        assert "Only the KOL&#x27;s owner can change this." in response.content.decode()
    if role != "owner":
        assert EngagementPlan.objects.get().objectives == "As saved"


@pytest.mark.parametrize(
    "name,method", [("kol_plan", "post"), ("kol_plan", "delete"), ("plan_edit", "put")]
)
def test_it_refuses_the_wrong_method(owner_client, kol, name, method):
    assert getattr(owner_client, method)(url(name, kol)).status_code == 405


def test_it_answers_htmx_with_the_part_and_browsers_with_the_page(owner_client, kol):
    EngagementPlanFactory(kol=kol, objectives="Map unmet needs")
    part = owner_client.get(url("kol_plan", kol), **HTMX).content.decode()
    page = owner_client.get(url("kol_plan", kol)).content.decode()
    assert part.lstrip().startswith('<section id="plan"') and "<html" not in part
    assert "Map unmet needs" in page and "<html" in page and "Dr Ada Lovelace" in page
