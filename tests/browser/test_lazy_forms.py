"""The KOL page's collapsed add-forms are fetched when opened (htmx), and still work without
JavaScript (a link opens the page with that form open)."""

import pytest
from playwright.sync_api import expect

from engagements.models import FollowUp, Give
from tests.browser.test_kol_journey import sign_in
from tests.browser.test_meeting_journey import kol  # noqa: F401 - the fixture
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_opening_a_collapsed_form_fetches_it_in_place(phone_page, kol):  # noqa: F811
    page = phone_page
    sign_in(page, kol.owner.email)
    page.goto(f"/kols/{kol.pk}/")
    page.evaluate("window.__noReload = 'still here'")
    ledger = page.locator("#ledger")
    expect(ledger.locator("select[name=give-kind]")).to_have_count(0)

    ledger.get_by_text("Log a give").click()
    ledger.locator("select[name=give-kind]").select_option(label="Literature summary")
    ledger.get_by_label("What you gave").fill("The 2026 HFpEF registry review")
    ledger.get_by_role("button", name="Log give").click()

    expect(ledger).to_contain_text("The 2026 HFpEF registry review")
    assert page.evaluate("window.__noReload") == "still here"
    assert Give.objects.get().note == "The 2026 HFpEF registry review"


def test_without_javascript_the_link_opens_the_form(browser, live_server, kol):  # noqa: F811
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto("/accounts/login/")
        page.get_by_label("Email address").fill(kol.owner.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"/kols/{kol.pk}/")

        followups = page.locator("#followups")
        followups.get_by_text("Add a follow-up").click()
        followups.get_by_role("link", name="Open the form").click()
        followups.get_by_label("What to do").fill("Send the amyloidosis slides")
        followups.get_by_role("button", name="Add follow-up").click()

        expect(page.locator("#followups")).to_contain_text("Send the amyloidosis slides")
        assert FollowUp.objects.filter(text="Send the amyloidosis slides").exists()
    finally:
        context.close()


def test_opening_the_history_fetches_its_entries(phone_page, kol):  # noqa: F811
    page = phone_page
    sign_in(page, kol.owner.email)
    page.goto(f"/kols/{kol.pk}/")
    history = page.locator("#history")
    expect(history.locator("ol.history")).to_have_count(0)

    history.locator("summary").click()

    expect(history.locator("ol.history")).to_be_visible()
    expect(history.get_by_role("link", name="Show the history")).to_have_count(0)
