"""Today in a browser: the quick actions of a follow-up (one form, a button per action) act
in place, and "Show more" adds the next follow-ups without leaving the page."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from engagements.models import FollowUp
from tests.browser.test_kol_journey import sign_in
from tests.factories import KolFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_snooze_skip_and_show_more_act_in_place(phone_page):
    msl = UserFactory(email="msl@demo.test", display_name="Sam Okafor")
    MembershipFactory(user=msl)  # someone in no team gets the page saying so instead
    kol = KolFactory(owner=msl, name="Dr Amara Nwosu")
    today = timezone.localdate()
    FollowUp.objects.bulk_create(
        [
            FollowUp(
                kol=kol,
                owner=msl,
                due_on=today - datetime.timedelta(days=30 - n),
                text=f"Item {n:02d}",
            )
            for n in range(15)
        ]
    )
    page = phone_page
    sign_in(page, msl.email)
    page.goto("/today/")
    page.evaluate("window.__noReload = 'still here'")
    due = page.locator("#today-due")
    expect(due).to_contain_text("Follow-ups due (15)")
    expect(due.locator("li.followup")).to_have_count(5)

    first = FollowUp.objects.get(text="Item 00")
    item = page.locator(f"#followup-{first.pk}")
    item.locator("summary").click()  # the menu holds all but Done
    item.get_by_role("button", name=re.compile(r"^Snooze a week\W+Item 00")).click()
    expect(item).to_contain_text("Due")  # swapped in place: no longer overdue
    second = FollowUp.objects.get(text="Item 01")
    skip = re.compile(r"^Skip\W+Item 01")
    page.locator(f"#followup-{second.pk} summary").click()
    page.locator(f"#followup-{second.pk}").get_by_role("button", name=skip).click()
    expect(page.locator(f"#followup-{second.pk}")).to_contain_text("Skipped")

    due.get_by_role("link", name="Show all 15").click()
    expect(page.locator("#today-due li.followup")).to_have_count(13)  # 15 less the two acted on
    assert page.evaluate("window.__noReload") == "still here"
    assert "due=15" in page.url
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.due_on == today + datetime.timedelta(days=7)
    assert second.status == FollowUp.Status.SKIPPED
