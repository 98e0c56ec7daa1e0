"""An MSL imports their KOL list on a phone: upload, map, start, watch it finish."""

import pytest
from playwright.sync_api import expect

from accounts.models import Membership
from contacts import imports
from contacts.models import ImportJob, Interest, Kol
from tests.browser.test_kol_journey import sign_in
from tests.factories import MembershipFactory, TeamFactory, TopicFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = (
    "Full name,Hospital,E-mail,Town,Interests\n"
    "Dr Amara Nwosu,King's College,amara@example.test,London,Heart failure\n"
    "Dr Ben Ode,Guy's,not-an-email,London,\n"
    "Dr Chen Li,St Mary's,chen@example.test,Leeds,Robotics\n"
)


def test_it_imports_a_small_csv(phone_page, settings, tmp_path):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    msl = UserFactory(email="msl@demo.test", display_name="Sam Okafor")
    MembershipFactory(team=TeamFactory(name="Cardio"), user=msl, role=Membership.Role.MSL)
    TopicFactory(name="Heart failure", area__name="Cardiology")
    file = tmp_path / "my-kols.csv"
    file.write_text(CSV, encoding="utf-8")

    page = phone_page
    sign_in(page, msl.email)
    page.goto("/kols/import/")
    page.get_by_label("Your KOL list").set_input_files(str(file))
    page.get_by_role("button", name="Upload and map columns").click()
    expect(page.get_by_role("heading", name="Match the columns")).to_be_visible()

    # The guesses stand; "Town" becomes the country instead of the city (an htmx preview).
    expect(page.get_by_label("Full name")).to_have_value("name")
    page.get_by_label("Town").select_option(label="Country")
    expect(page.locator("#preview")).to_contain_text("Country")
    expect(page.locator("#preview")).to_contain_text("is not a valid address")
    page.get_by_role("button", name="Start the import").click()

    expect(page.get_by_text("3 of 3 rows")).to_be_visible()
    summary = page.locator(".import-summary")
    expect(summary).to_contain_text("2 KOLs added")
    expect(summary).to_contain_text("is not a valid address")
    expect(summary).to_contain_text("Robotics (1 row)")
    expect(summary.get_by_role("link", name="Download the skipped rows (CSV)")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    amara = Kol.objects.get(name="Amara Nwosu")  # the title goes to credentials
    assert (amara.credentials, amara.owner, amara.country, amara.city) == ("Dr", msl, "London", "")
    assert Interest.objects.get(kol=amara).provenance == "assumed"
    assert not Kol.objects.filter(name="Ben Ode").exists()


def test_the_page_waits_while_the_worker_reads_the_file(phone_page, tmp_path):
    """No eager tasks: the upload only stores the file; the page polls until it is read."""
    msl = UserFactory(email="msl@demo.test", display_name="Sam Okafor")
    MembershipFactory(team=TeamFactory(name="Cardio"), user=msl, role=Membership.Role.MSL)
    file = tmp_path / "my-kols.csv"
    file.write_text(CSV, encoding="utf-8")

    page = phone_page
    sign_in(page, msl.email)
    page.goto("/kols/import/")
    page.get_by_label("Your KOL list").set_input_files(str(file))
    page.get_by_role("button", name="Upload and map columns").click()
    expect(page.get_by_role("heading", name="Reading your file…")).to_be_visible()

    # The worker reads it; the next poll moves the page on to the mapping.
    assert imports.import_read(job_id=ImportJob.objects.get().pk)
    expect(page.get_by_role("heading", name="Match the columns")).to_be_visible()
    expect(page.get_by_label("Full name")).to_have_value("name")
