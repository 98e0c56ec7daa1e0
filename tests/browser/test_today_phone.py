"""Today on a phone (375 x 812): compact cards, Done with Undo, the menu for the rest, no CSP
errors (phone_page fails on any), and the demo MSL's day in at most three screens."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from demo.people import DEMO_PASSWORD
from engagements.models import FollowUp
from tests.browser.test_kol_journey import sign_in
from tests.factories import KolFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREEN = 812


@pytest.fixture
def msl_with_work():
    msl = UserFactory(email="msl@demo.test", display_name="Sam Okafor")
    MembershipFactory(user=msl)
    kol = KolFactory(owner=msl, name="Dr Amara Nwosu")
    today = timezone.localdate()
    followups = FollowUp.objects.bulk_create(
        [
            FollowUp(kol=kol, owner=msl, due_on=today - datetime.timedelta(days=9 - n), text=t)
            for n, t in enumerate(["Send the registry protocol", "Book the advisory call"])
        ]
    )
    return msl, followups


def test_done_shows_undo_and_undo_restores_the_card(phone_page, msl_with_work):
    msl, (first, _) = msl_with_work
    page = phone_page
    sign_in(page, msl.email)
    page.goto("/today/")
    card = page.locator(f"#followup-{first.pk}")
    done = card.get_by_role("button", name=re.compile(r"^Done\W+Send the registry"))
    assert done.bounding_box()["height"] >= 44

    done.click()

    expect(card).to_contain_text("Done ✓")
    undo = card.get_by_role("button", name=re.compile(r"^Undo"))
    assert undo.bounding_box()["height"] >= 44
    first.refresh_from_db()
    assert first.status == FollowUp.Status.DONE
    undo.click()
    expect(card).to_contain_text("Undone.")
    expect(card.get_by_role("button", name=re.compile(r"^Done"))).to_be_visible()
    first.refresh_from_db()
    assert (first.status, first.done_at) == (FollowUp.Status.OPEN, None)


def test_snooze_from_the_menu_raises_no_console_errors(phone_page, msl_with_work):
    msl, (first, second) = msl_with_work
    today = timezone.localdate()
    page = phone_page
    sign_in(page, msl.email)
    page.goto("/today/")

    card = page.locator(f"#followup-{first.pk}")
    menu = card.locator("summary", has_text="More actions: Send the registry")
    assert menu.bounding_box()["height"] >= 44
    menu.click()
    card.get_by_role("button", name=re.compile(r"^Snooze a day")).click()
    expect(card).to_contain_text("Snoozed")
    expect(card.get_by_role("button", name=re.compile(r"^Undo"))).to_be_visible()

    other = page.locator(f"#followup-{second.pk}")
    other.locator("summary").click()
    until = today + datetime.timedelta(days=12)
    other.get_by_label("Snooze to a date").fill(until.isoformat())
    other.get_by_role("button", name=re.compile(r"^Snooze\W+Book")).click()
    expect(other).to_contain_text(f"Snoozed · Due {until:%a %-d %b %Y}")

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.due_on, second.due_on) == (today + datetime.timedelta(days=1), until)
    # The notice folds away by itself (CSS animation, no script).
    expect(card).to_be_hidden(timeout=12_000)


def test_the_demo_msls_today_fits_three_screens(phone_page):
    call_command("seed_demo", verbosity=0)
    page = phone_page
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill("msl1@demo.kolcrm.test")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Today")).to_be_visible()

    height = page.evaluate("document.documentElement.scrollHeight")
    print(f"Today height at 375 px: {height}")
    assert page.locator("#today-due li.followup").count() >= 1
    parts = page.evaluate(
        "[...document.querySelectorAll('body > *, #today > *')]"
        ".map(e => (e.id || e.tagName) + ' ' + Math.round(e.getBoundingClientRect().height))"
    )
    assert height <= 3 * SCREEN, f"Today is {height} px at 375 px, over 3 screens: {parts}"
