"""A manager on a phone: the stage board, filtered to overdue; a review recorded in place;
then the MSL who owns the KOL signs in and reads it."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Membership
from reviews.models import StageReview
from tests.browser.conftest import open_section
from tests.browser.test_kol_journey import sign_in
from tests.factories import KolFactory, MembershipFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def kol_met(owner, name: str, days_ago: int):
    kol = KolFactory(owner=owner, name=name, credentials="")
    kol.last_interaction_at = timezone.now() - datetime.timedelta(days=days_ago)
    kol.next_check_in_on = kol.compute_next_check_in()
    kol.save()
    return kol


@pytest.fixture
def cast(transactional_db):
    team = TeamFactory(name="Cardio")
    msl = UserFactory(email="msl@demo.test", display_name="Sam Okafor")
    MembershipFactory(team=team, user=msl, role=Membership.Role.MSL)
    boss = UserFactory(email="boss@demo.test", display_name="Maria Manager")
    MembershipFactory(team=team, user=boss, role=Membership.Role.MANAGER)
    kol_met(msl, "Dr On Track", 3)
    late = kol_met(msl, "Dr Late Reply", 35)  # 30-day cadence: overdue, not long overdue
    return msl, boss, late


def test_a_manager_reviews_a_stage_and_the_msl_reads_it(phone_page, cast):
    msl, boss, late = cast
    page = phone_page
    sign_in(page, boss.email, lands_on="Needs you")

    page.goto("/team/board/")
    expect(page.get_by_role("heading", name="Stage board")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # columns stack
    page.evaluate("window.__noReload = 'board'")
    page.get_by_label("Check-in").select_option(label="Overdue")
    board = page.locator("#board")
    expect(board).not_to_contain_text("Dr On Track")
    expect(board).to_contain_text("Dr Late Reply")
    assert "check_in=overdue" in page.url
    assert page.evaluate("window.__noReload") == "board"

    board.get_by_role("link", name="Dr Late Reply").click()
    expect(page.get_by_role("heading", name="Dr Late Reply", exact=True)).to_be_visible()
    page.evaluate("window.__noReload = 'kol'")

    review = open_section(page, "review")
    review.get_by_text("Record a stage review").click()
    review.get_by_label("Suggest another stage").check()
    review.get_by_role("button", name="Record review").click()
    # Refused in place: the comment is what the MSL needs.
    expect(page.locator("#review")).to_contain_text("Say why")
    review = page.locator("#review")
    review.get_by_label("Suggested stage").select_option(label="Developing")
    review.get_by_label("Comment for the MSL").fill("Two calls and a give this month: move on.")
    review.get_by_role("button", name="Record review").click()
    expect(page.locator("#review")).to_contain_text("Suggests Developing")
    expect(page.locator("#review")).to_contain_text("Two calls and a give this month")
    assert page.evaluate("window.__noReload") == "kol"
    assert StageReview.objects.get().reviewer == boss

    page.locator("nav details.dropdown > summary").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Email address")).to_be_visible()

    sign_in(page, msl.email)
    page.goto(f"/kols/{late.pk}/")
    review = page.locator("#review")
    expect(review).to_contain_text("Suggests Developing")
    expect(review).to_contain_text("Two calls and a give this month: move on.")
    expect(review).to_contain_text("Maria Manager")
    expect(review.get_by_text("New", exact=True)).to_be_visible()
    expect(review.get_by_role("button", name="Record review")).to_have_count(0)
    assert StageReview.objects.get().seen_at is not None
