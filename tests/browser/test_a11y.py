"""axe-core finds no serious or critical problem on Today and the KOL page, on a phone and a
desk. axe.min.js is vendored for the tests only (tests/browser/vendor/, never served).
"""

from pathlib import Path

import pytest

from tests.browser.test_phone import demo, sign_in  # noqa: F401 (a fixture)

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
