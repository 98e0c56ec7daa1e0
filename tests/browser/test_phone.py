"""Made for the MSL's phone: at 375 x 812 with touch, no page is wider than the screen, the
shell is a 56 px top bar and a five-tab bottom bar, the KOL page stays short, and the after-
meeting journey takes at most 20 taps with no console error.
"""

import io
import re

import pytest
from django.core.management import call_command
from django.db.models import Count
from playwright.sync_api import expect

from contacts.models import Kol
from demo.people import DEMO_PASSWORD, MANAGER_EMAIL, MSL_EMAILS
from tests.browser.conftest import strict_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
# Before issue 17 the KOL page of the demo's busiest KOL was 12,053 px tall at 375 px; with
# its sections opening on demand it is about 2,700 px.
KOL_PAGE_MAX_PX = 4_000


@pytest.fixture
def touch_page(browser, live_server):
    """A touch phone, 375 x 812; fails the test on any console error or CSP violation."""
    yield from strict_page(browser, live_server, viewport=PHONE, has_touch=True, is_mobile=True)


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", stdout=io.StringIO())
    msl_email = MSL_EMAILS[0]
    # The busiest of the MSL's KOLs that has a follow-up open, to snooze in the journey.
    busiest = (
        Kol.objects.filter(owner__email=msl_email, follow_ups__status="open")
        .annotate(n=Count("touchpoints", distinct=True))
        .order_by("-n", "pk")
        .first()
    )
    other = Kol.objects.filter(owner__email=msl_email).exclude(pk=busiest.pk).first()
    return {"msl": msl_email, "kol": busiest, "other": other}


def sign_in(page, email: str) -> int:
    """Sign in; returns the taps it took (two fields typed, one button)."""
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").tap()
    expect(page).not_to_have_url(re.compile("/accounts/login/"))
    return 3


def page_width(page) -> int:
    # innerWidth grows with the content on a mobile viewport, so compare with the screen.
    return page.evaluate("document.documentElement.scrollWidth")


def test_no_page_is_wider_than_the_phone(touch_page, demo):
    page = touch_page
    kol, other = demo["kol"], demo["other"]
    sign_in(page, demo["msl"])
    for url in [
        "/today/",
        "/kols/",
        f"/kols/{kol.pk}/",
        "/touchpoints/new/",
        "/search/?q=the",
        f"/kols/{kol.pk}/prep/",
        f"/kols/{kol.pk}/merge/",
        f"/kols/{kol.pk}/merge/{other.pk}/",
        "/accounts/preferences/",
        "/events/",
        "/opportunities/",
    ]:
        page.goto(url)
        assert page_width(page) <= PHONE["width"], url
    page.context.clear_cookies()
    sign_in(page, MANAGER_EMAIL)
    for url in ["/team/", "/team/people/", "/team/reassign/"]:
        page.goto(url)
        assert page_width(page) <= PHONE["width"], url


def test_the_shell_is_a_short_top_bar_and_five_tabs(touch_page, demo):
    page = touch_page
    sign_in(page, demo["msl"])
    assert page.locator(".site-header").bounding_box()["height"] <= 56
    tabs = page.locator(".tabbar > li:visible > a")
    expect(tabs).to_have_text(["Today", "My KOLs", "Log a touchpoint", "Search", "More"])
    shown = tabs.evaluate_all(
        "links => links.map(a => { const c = a.cloneNode(true);"
        " c.querySelectorAll('.wide-only').forEach(s => s.remove());"
        " return c.textContent.trim(); })"
    )
    assert shown == ["Today", "KOLs", "Log", "Search", "More"]
    for box in [tabs.nth(i).bounding_box() for i in range(5)]:
        assert box["height"] >= 44 and box["width"] >= 44
        assert box["y"] + box["height"] == pytest.approx(PHONE["height"], abs=1)
    expect(page.get_by_role("link", name="Today")).to_have_attribute("aria-current", "page")
    # The last thing on the page is not hidden behind the bar.
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    footer = page.locator("footer small").bounding_box()
    assert footer["y"] + footer["height"] <= tabs.first.bounding_box()["y"]

    page.get_by_role("link", name="My KOLs").tap()
    expect(page.get_by_role("link", name="My KOLs")).to_have_attribute("aria-current", "page")
    expect(page.locator("#more")).to_be_hidden()
    page.get_by_role("link", name="More").tap()
    more = page.locator("#more")
    expect(more.get_by_role("link", name="Add a KOL")).to_be_in_viewport()
    expect(more.get_by_role("button", name="Sign out")).to_be_in_viewport()

    # The search icon reveals the field.
    page.get_by_role("link", name="Search what KOLs said").tap()
    expect(page.get_by_role("searchbox", name="Search what KOLs said")).to_be_focused()


def test_the_kol_page_stays_short_on_a_phone(touch_page, demo):
    page = touch_page
    sign_in(page, demo["msl"])
    page.goto(f"/kols/{demo['kol'].pk}/")
    height = page.evaluate("document.documentElement.scrollHeight")
    print(f"KOL page height at 375 px: {height}")
    assert height <= KOL_PAGE_MAX_PX
    # The sections open on demand: the timeline shows its heading and its form, no entries.
    timeline = page.locator("#timeline")
    expect(timeline.get_by_text("Log a touchpoint")).to_be_visible()
    expect(timeline.locator(".timeline > li").first).to_be_hidden()
    open_button = timeline.get_by_role("button", name="Open Touchpoints and timeline")
    expect(open_button).to_have_attribute("aria-expanded", "false")
    open_button.tap()
    expect(timeline.locator(".timeline > li").first).to_be_visible()
    timeline.get_by_role("button", name="Close Touchpoints and timeline").tap()
    expect(timeline.locator(".timeline > li").first).to_be_hidden()
    # The section menu opens a section; the rest of the timeline is one tap more.
    page.get_by_role("link", name="Timeline", exact=True).tap()
    expect(timeline.locator(".timeline > li").first).to_be_in_viewport()
    page.get_by_role("link", name="Show the whole timeline").tap()
    expect(page.locator("#timeline .timeline > li").nth(5)).to_be_visible()
    expect(page.get_by_role("navigation", name="Sections of this page")).to_be_in_viewport()


def test_the_msl_journey_takes_at_most_twenty_taps(touch_page, demo):
    page = touch_page
    kol = demo["kol"]
    taps = sign_in(page, demo["msl"])

    page.get_by_role("link", name="My KOLs").tap()
    page.locator("#id_q").fill(kol.name)
    page.locator("#results").get_by_role("link", name=kol.name).first.tap()
    taps += 3
    expect(page.get_by_role("heading", level=1)).to_contain_text(kol.name)

    timeline = page.locator("#timeline")
    timeline.get_by_text("Log a touchpoint").tap()
    form = timeline.locator("form").first
    form.locator("select[name=kind]").select_option(label="In-person meeting")
    form.locator("textarea[name=they_said]").fill("Wants the registry protocol before May.")
    timeline.get_by_role("button", name="Log touchpoint").tap()
    taps += 4
    confirmation = page.locator("#timeline .flash-success")
    expect(confirmation).to_contain_text("The thank-you recap is due")
    expect(confirmation).to_be_in_viewport()
    # The new thank-you follow-up is on screen with the confirmation, not below the fold.
    next_up = confirmation.locator(".logged-next")
    expect(next_up).to_contain_text("Thank")
    expect(next_up).to_be_in_viewport()
    expect(confirmation.locator(".followup-draft-line")).to_be_in_viewport()

    page.get_by_role("link", name="Follow-ups", exact=True).tap()
    followups = page.locator("#followups")
    # The new thank-you (its recap quotes them): the part has refreshed after the log, and
    # no later refresh will replace what the next taps open.
    expect(followups).to_contain_text("Wants the registry protocol before May.")
    followups.locator("button.followup-done").first.tap()
    taps += 2
    # The answer replaces the follow-up with a notice offering Undo (wait for it: "Done ✓"
    # is also in the hidden list of recently completed ones).
    expect(followups.locator("button.followup-undo")).to_be_visible()

    item = page.locator("#followups li.followup-open").first
    # Skip and Snooze sit in the item's one menu (tap waits for it: a count() taken at the
    # wrong moment of a swap read 0 and skipped the tap).
    item.locator("details.followup-menu > summary").tap()
    taps += 1
    item.get_by_role("button", name=re.compile(r"^Snooze (1|a) day")).tap()
    taps += 1
    expect(page.locator("#followups")).to_contain_text(re.compile("Snoozed|Due"))

    page.get_by_role("link", name="Give and ask", exact=True).tap()
    ledger = page.locator("#ledger")
    ledger.get_by_text("Log a give").tap()
    ledger.locator("select[name=give-kind]").select_option(label="Literature summary")
    ledger.get_by_label("What you gave").fill("The registry protocol, as promised")
    ledger.get_by_role("button", name="Log give").tap()
    taps += 5
    expect(page.locator("#ledger")).to_contain_text("The registry protocol, as promised")

    page.get_by_role("button", name="Prep brief for the next meeting").tap()
    taps += 1
    expect(page.get_by_role("heading", name=re.compile("Assumptions to test"))).to_be_visible()
    print(f"MSL journey taps: {taps}")
    assert taps <= 20
