"""Issue 17, a manager on a 1280 px laptop: lands on what needs them (the team's overdue
check-ins), reads the overview without scrolling sideways, and opens a topic of what the
team is hearing to read the quotes behind its count."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Membership
from contacts.models import Stage
from tests.browser.conftest import strict_page
from tests.browser.test_kol_journey import PASSWORD
from tests.engagements.factories import TouchpointFactory
from tests.factories import (
    KolFactory,
    MembershipFactory,
    StageChangeFactory,
    TeamFactory,
    TherapeuticAreaFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def laptop_page(browser, live_server):
    """A 1280x800 page that fails the test on any CSP violation or console error."""
    yield from strict_page(browser, live_server, viewport={"width": 1280, "height": 800})


def ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def team_at_work(transactional_db):
    team = TeamFactory(name="Cardio-Renal Medical Affairs")
    boss = UserFactory(email="boss@demo.test", display_name="Maria Manager")
    MembershipFactory(team=team, user=boss, role=Membership.Role.MANAGER)
    heart = TopicFactory(area=TherapeuticAreaFactory(name="Cardiology"), name="Heart failure")
    for n, name in enumerate(["Sam Okafor", "Lena Fischer", "Priya Raman"]):
        msl = UserFactory(email=f"msl{n}@demo.test", display_name=name)
        MembershipFactory(team=team, user=msl, role=Membership.Role.MSL)
        for k in range(4):
            kol = KolFactory(
                owner=msl,
                name=f"Dr {name.split()[1]} {k}",
                stage=Stage.DEVELOPING,
                next_check_in_on=msl.today() - datetime.timedelta(days=3 + 10 * k + n),
            )
            for week in range(0, 80, 9):
                touchpoint = TouchpointFactory(
                    kol=kol, occurred_at=ago(week + k), they_said=f"Words of {kol.name} {week}"
                )
                touchpoint.topics.add(heart)
            StageChangeFactory(
                kol=kol, from_stage=Stage.ESTABLISHING, to_stage=Stage.DEVELOPING, changed_at=ago(k)
            )
    other = TeamFactory(name="Elsewhere")
    stranger = UserFactory(email="stranger@demo.test", display_name="Otto Outsider")
    MembershipFactory(team=other, user=stranger, role=Membership.Role.MSL)
    KolFactory(owner=stranger, name="Dr Not Yours", next_check_in_on=ago(60).date())
    return boss


def sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_a_manager_lands_on_the_desk_reads_the_overview_and_opens_a_topic(
    laptop_page, team_at_work
):
    page = laptop_page
    sign_in(page, team_at_work.email)

    page.goto("/")
    expect(page.get_by_role("heading", name="Needs you")).to_be_visible()
    overdue = page.locator("#desk-overdue")
    expect(overdue.get_by_role("heading")).to_contain_text("Overdue check-ins (12)")
    expect(overdue.get_by_role("link", name="Dr Raman 3")).to_be_visible()  # the worst first
    expect(page.locator("main")).not_to_contain_text("Dr Not Yours")
    expect(page.locator("#desk-reviews")).to_contain_text("Moved to developing")
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")

    page.goto("/team/")
    expect(page.get_by_role("heading", name="Team overview")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    fits = page.evaluate(
        "(() => { const t = document.querySelector('.overview-table');"
        " return [t.scrollWidth, t.parentElement.clientWidth]; })()"
    )
    assert fits[0] <= fits[1], f"table {fits[0]} px in a {fits[1]} px box"
    expect(page.locator("svg.trend-chart")).to_be_visible()
    expect(page.locator("svg.trend-chart polyline")).to_have_count(3)

    page.goto("/team/hearing/")
    topic = page.locator("details.hearing-topic").first
    expect(topic.locator("summary")).to_contain_text("Heart failure")
    expect(topic.locator("summary")).to_contain_text("conversations")
    quotes = topic.locator(".hearing-item")
    expect(quotes.first).not_to_be_visible()
    topic.locator("summary").click()
    expect(quotes.first).to_be_visible()
    expect(quotes.first).to_contain_text("Words of Dr")
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
