"""An MSL on a phone: create a KOL, add what they told us, change the stage, see the history.

Everything after the KOL is created happens in place (htmx): the test marks the window and
checks the mark survives, which a full page load would wipe.
"""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Membership
from contacts.models import Kol, Stage
from tests.browser.conftest import open_section
from tests.factories import PASSWORD, MembershipFactory, TeamFactory, TopicFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def msl(transactional_db):
    user = UserFactory(email="msl@demo.test", display_name="Sam Okafor")
    MembershipFactory(team=TeamFactory(name="Cardio"), user=user, role=Membership.Role.MSL)
    TopicFactory(name="HFpEF registries", area__name="Cardiology")
    return user


def sign_in(page, email: str, *, lands_on: str = "Today") -> None:
    """Sign in; an MSL lands on Today, a manager on Needs you."""
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name=lands_on, exact=True)).to_be_visible()


def test_it_builds_a_relationship_without_reloading(phone_page, msl):
    page = phone_page
    sign_in(page, msl.email)

    page.get_by_role("link", name="Add a KOL").click()
    page.get_by_label("Name").fill("Dr Amara Nwosu")
    page.get_by_label("Institution").fill("King's College Hospital")
    page.get_by_label("Where they trained").fill("University of Lagos; Imperial College")
    page.get_by_role("button", name="Add KOL").click()
    expect(page.get_by_role("heading", name="Dr Amara Nwosu", exact=True)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scroll

    page.evaluate("window.__noReload = 'still here'")

    # A stated interest, inline.
    interests = page.locator("#interests")
    interests.get_by_text("Add an interest").click()
    interests.get_by_label("Kind").select_option(label="Research / investigator-initiated studies")
    interests.get_by_label(re.compile(r"^Topic")).select_option(
        label="HFpEF registries (Cardiology)"
    )
    interests.get_by_label("Stated by the KOL").check()
    interests.get_by_label("Note").fill("Wants to lead a registry study")
    interests.get_by_role("button", name="Add interest").click()
    expect(page.locator("#interests")).to_contain_text("Wants to lead a registry study")
    expect(page.locator("#interests")).to_contain_text("Stated")

    # One of their goals.
    goals = page.locator("#kol_goals")
    goals.get_by_text("Add one of their goals").click()
    goals.get_by_label(re.compile(r"^Goal")).fill("Publish the first HFpEF registry results")
    goals.get_by_label("Area").select_option(label="Professional")
    goals.get_by_role("button", name="Add goal").click()
    expect(page.locator("#kol_goals")).to_contain_text("Publish the first HFpEF registry results")

    # Our goal without what is in it for them: the error shows in place, nothing is lost.
    ours = page.locator("#our_goals")
    ours.get_by_text("Add a goal of ours").click()
    ours.get_by_label(re.compile(r"^Goal")).fill("Understand gaps in HFpEF diagnosis")
    ours.get_by_label("Area").select_option(label="Medical")
    ours.get_by_role("button", name="Add goal").click()
    ours = page.locator("#our_goals")
    expect(ours).to_contain_text("Say what is in it for the KOL")
    expect(ours.get_by_label(re.compile(r"^Goal"))).to_have_value(
        "Understand gaps in HFpEF diagnosis"
    )
    ours.get_by_label(re.compile(r"^What is in it")).fill("A speaking slot at the congress")
    ours.get_by_role("button", name="Add goal").click()
    expect(page.locator("#our_goals")).to_contain_text("In it for them: A speaking slot")

    # The stage, with a reason, and the history below it (on a phone, open it first).
    stage = open_section(page, "stage")
    stage.get_by_label("Move to stage").select_option(label="Developing")
    stage.get_by_label("Reason").fill("Two real conversations about her registry")
    stage.get_by_role("button", name="Change stage").click()
    history = page.locator("#stage .history")
    expect(history).to_contain_text("Establishing → Developing")
    expect(history).to_contain_text("Two real conversations about her registry")
    expect(page.locator("#stage-badge")).to_have_text("Developing")

    # Moving back without a reason is refused in place.
    page.locator("#stage").get_by_label("Move to stage").select_option(label="Establishing")
    page.locator("#stage").get_by_role("button", name="Change stage").click()
    expect(page.locator("#stage")).to_contain_text("Say why the relationship moves back a stage")

    assert page.evaluate("window.__noReload") == "still here"
    kol = Kol.objects.get(name="Dr Amara Nwosu")
    assert kol.stage == Stage.DEVELOPING and kol.owner == msl
    assert kol.interests.get().provenance == "stated"
    assert kol.goals.get(whose="kol").text == "Publish the first HFpEF registry results"
    assert kol.goals.get(whose="ours").in_it_for_kol == "A speaking slot at the congress"


def test_the_kol_list_searches_as_you_type(phone_page, msl):
    from tests.factories import KolFactory

    KolFactory(name="Dr Grace Hopper", institution="Yale", owner=msl)
    KolFactory(name="Dr Alan Turing", institution="Manchester", owner=msl)
    page = phone_page
    sign_in(page, msl.email)
    page.goto("/kols/")
    page.evaluate("window.__noReload = 1")
    page.locator("#id_q").fill("yale")
    expect(page.locator("#results")).not_to_contain_text("Alan Turing")
    expect(page.locator("#results")).to_contain_text("Grace Hopper")
    assert "q=yale" in page.url
    assert page.evaluate("window.__noReload") == 1
