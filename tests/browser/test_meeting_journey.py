"""After a meeting, on a phone: log it from the KOL page, record what they told us, see the
timeline and the thank-you follow-up appear, mark it done; then prepare the next meeting.
"""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Membership
from contacts import services
from engagements.models import FollowUp, Touchpoint
from tests.browser.test_kol_journey import sign_in
from tests.factories import (
    InterestFactory,
    MembershipFactory,
    TeamFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def kol(transactional_db):
    msl = UserFactory(email="msl@demo.test", display_name="Sam Okafor")
    MembershipFactory(team=TeamFactory(name="Cardio"), user=msl, role=Membership.Role.MSL)
    TopicFactory(name="HFpEF registries", area__name="Cardiology")
    kol = services.kol_create(by=msl, data={"name": "Dr Amara Nwosu", "institution": "KCH"})
    InterestFactory(
        kol=kol,
        kind="speaking",
        provenance="assumed",
        assumption_status="open",
        topic=TopicFactory(name="Cardiac amyloidosis", area__name="Cardiology"),
    )
    return kol


def test_it_logs_a_meeting_follows_up_and_prepares_the_next(phone_page, kol):
    page = phone_page
    sign_in(page, kol.owner.email)
    page.goto(f"/kols/{kol.pk}/")
    page.evaluate("window.__noReload = 'still here'")

    timeline = page.locator("#timeline")
    timeline.get_by_text("Log a touchpoint").click()
    form = timeline.locator("form").first
    form.locator("select[name=kind]").select_option(label="In-person meeting")
    form.locator("textarea[name=they_said]").fill(
        "Echo waits of four months hold back HFpEF diagnosis."
    )
    form.locator("select[name=stated_interest_kind]").select_option(
        label="Research / investigator-initiated studies"
    )
    form.locator("select[name=stated_interest_topic]").select_option(
        label="HFpEF registries (Cardiology)"
    )
    timeline.get_by_role("button", name="Log touchpoint").click()

    expect(page.locator("#timeline")).to_contain_text("Echo waits of four months")
    expect(page.locator("#timeline")).to_contain_text("The thank-you recap is due")
    followups = page.locator("#followups")
    expect(followups).to_contain_text("Thank Dr Amara Nwosu")
    followups.get_by_role("button", name=re.compile(r"^Done")).first.click()
    expect(page.locator("#followups")).to_contain_text("Done ✓")
    assert page.evaluate("window.__noReload") == "still here"

    touchpoint = Touchpoint.objects.get(kol=kol)
    assert touchpoint.they_said.startswith("Echo waits")
    assert kol.interests.filter(provenance="stated", topic__name="HFpEF registries").exists()
    assert FollowUp.objects.get(kind="thank_you").status == "done"

    page.get_by_role("button", name="Prep brief for the next meeting").click()
    expect(page.get_by_role("heading", name=re.compile("Assumptions to test"))).to_be_visible()
    expect(page.locator("main")).to_contain_text("Cardiac amyloidosis")
    expect(page.locator("main")).to_contain_text("Echo waits of four months")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
