"""The KOL's own voice, end to end: the MSL makes a personal link on the KOL page; the KOL,
in another browser with no session, no account and no JavaScript, answers on a 375 px
phone; the MSL then sees what they said, their plan comment, the give they rated useful
and a new follow-up."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contacts.models import Interest, Provenance
from engagements.models import EngagementPlan, Give
from tests.browser.conftest import strict_page
from tests.browser.test_kol_journey import sign_in
from tests.engagements.factories import GiveFactory
from tests.factories import (
    KolFactory,
    MembershipFactory,
    TeamFactory,
    TherapeuticAreaFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
KOL_NAME = "Dr Grace Hopper"


@pytest.fixture
def laptop_page(browser, live_server):
    yield from strict_page(
        browser, live_server, allowed=("status of 422",), viewport={"width": 1280, "height": 900}
    )


@pytest.fixture
def world(transactional_db):
    msl = UserFactory(email="msl@example.test", display_name="Sam Okafor")
    MembershipFactory(team=TeamFactory(name="Team A"), user=msl)
    kol = KolFactory(
        name=KOL_NAME,
        owner=msl,
        email="grace@example.test",
        email_consent=True,
        email_consent_on=timezone.localdate(),
    )
    area = TherapeuticAreaFactory(name="Cardiology")
    kol.therapeutic_areas.add(area)
    topic = TopicFactory(area=area, name="Heart failure registries")
    EngagementPlan.objects.create(kol=kol, objectives="Co-design a registry of late referrals")
    Interest.objects.create(
        kol=kol,
        kind=Interest.Kind.SPEAKING,
        provenance=Provenance.ASSUMED,
        assumption_status="open",
        created_by=msl,
    )
    give = GiveFactory(kol=kol, kind=Give.Kind.LITERATURE, topic=topic)
    return {"msl": msl, "kol": kol, "give": give}


def test_the_kol_answers_and_the_msl_sees_it(laptop_page, browser, live_server, world):
    page, kol = laptop_page, world["kol"]
    sign_in(page, world["msl"].email)
    page.goto(f"/kols/{kol.pk}/#voice")
    voice = page.locator("#voice")
    voice.get_by_text("Give them a personal link").click()
    voice.get_by_label("Our plan together", exact=False).check()
    voice.get_by_label("Literature summary: Heart failure registries", exact=False).check()
    voice.get_by_role("button", name="Make the link").click()
    expect(page.locator("#voice").get_by_text("Sent", exact=True)).to_be_visible()
    address = page.locator("#voice .voice-address").first.input_value()
    assert address.startswith(live_server.url + "/for-you/")

    # The KOL: another browser, no session, no JavaScript, a phone.
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    phone = context.new_page()
    phone.set_default_timeout(10_000)
    phone.goto(address)
    expect(phone.get_by_role("heading", name=f"Dear {KOL_NAME}")).to_be_visible()
    phone.get_by_label("Speaking at meetings and congresses").check()
    phone.get_by_label("Research, such as investigator-initiated studies").check()
    phone.get_by_label("Your goals, in your own words").fill("Train the next registry fellows")
    phone.get_by_role("button", name="Send my answer").click()
    expect(phone.get_by_text("Thank you: your answer is saved.")).to_be_visible()
    phone.get_by_label("Your comments or suggestions on our plan").fill("Include our nurses")
    phone.get_by_role("button", name="Send my comment").click()
    expect(phone.get_by_text("Thank you: your comment is saved.")).to_be_visible()
    phone.get_by_role("button", name="Useful", exact=True).click()
    expect(phone.get_by_text("Thank you: your rating is saved.")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert context.cookies() == []  # not even a CSRF cookie
    context.close()

    # The MSL sees what the KOL told us.
    page.goto(f"/kols/{kol.pk}/")
    voice = page.locator("#voice")
    expect(voice.get_by_text("Stated by the KOL")).to_be_visible()
    expect(voice.get_by_text("confirms what we assumed")).to_be_visible()
    expect(voice.get_by_text("Train the next registry fellows")).to_be_visible()
    expect(voice.get_by_text("Answered", exact=True)).to_be_visible()
    expect(page.locator("#plan").get_by_text("Include our nurses")).to_be_visible()
    expect(page.locator("#ledger").get_by_text("They rated it: Useful")).to_be_visible()
    expect(page.get_by_text(f"Read what {KOL_NAME} told us").first).to_be_visible()
