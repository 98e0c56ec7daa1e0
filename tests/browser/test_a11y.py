"""axe-core finds no serious or critical problem on Today and the KOL page, on a phone and a
desk. axe.min.js is vendored for the tests only (tests/browser/vendor/, never served).
"""

from pathlib import Path

import pytest

from contacts.models import Kol
from engagements.models import Give
from tests.browser.test_phone import demo, sign_in  # noqa: F401 (a fixture)
from voice import selectors as voice_selectors
from voice import services as voice_services
from voice.tokens import voice_token

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")


def serious_problems(page) -> list[str]:
    page.evaluate(AXE)
    return page.evaluate(
        "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations"
        ".filter(v => ['serious', 'critical'].includes(v.impact))"
        ".flatMap(v => v.nodes.map(n => v.id + ': ' + n.target.join(' '))))"
    )


@pytest.mark.parametrize("width", [375, 1280])
def test_today_and_the_kol_page_have_no_serious_axe_problem(browser, live_server, demo, width):  # noqa: F811
    context = browser.new_context(
        viewport={"width": width, "height": 900}, has_touch=True, base_url=live_server.url
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, demo["msl"])
    kol, other = demo["kol"], demo["other"]
    for url in ["/today/", f"/kols/{kol.pk}/", f"/kols/{kol.pk}/merge/{other.pk}/"]:
        page.goto(url)
        assert serious_problems(page) == [], url
    context.close()


def test_the_kols_own_page_has_no_serious_axe_problem(browser, live_server, demo):  # noqa: F811
    """The page a KOL opens from their personal link (voice/), on a phone, with every part:
    no serious axe problem, nothing wider than the screen."""
    kol = Kol.objects.get(pk=demo["kol"].pk)
    kol.email, kol.email_consent = "kol@example.org", True
    kol.save()
    link = voice_services.link_create(
        kol=kol,
        by=kol.owner,
        ask_interests=True,
        share_plan=voice_selectors.has_plan_to_share(kol),
        gives=list(Give.objects.filter(kol=kol)[:2]),
    )
    context = browser.new_context(viewport={"width": 375, "height": 812}, base_url=live_server.url)
    page = context.new_page()
    page.goto(f"/for-you/{voice_token(link)}/")
    assert page.get_by_role("heading", level=1).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # mobile-first
    assert serious_problems(page) == []
    context.close()
