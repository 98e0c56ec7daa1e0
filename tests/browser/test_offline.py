"""Never lose a note (README: Offline and on the home screen), in real Chromium: installable,
logging offline into a queue sent once when the signal returns, drafts through an expired
session, and nothing of one person left for the next on a shared browser."""

import re

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from contacts import services as contact_services
from engagements.models import FollowUp, Touchpoint
from tests.browser.conftest import strict_page
from tests.engagements.factories import FollowUpFactory
from tests.factories import PASSWORD, MembershipFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
SAVED = "Saved on this phone: it will be sent when you are online."
# Offline, the browser reports the requests it could not make; a 422 or 409 is how forms
# answer, a 404 how a KOL no longer yours answers a replay. None is an error of the page.
OFFLINE_NOISE = (
    "ERR_INTERNET_DISCONNECTED",
    "status of 422",
    "status of 409",
    "status of 404",
)


@pytest.fixture
def people(transactional_db):
    team = TeamFactory(name="Team A")
    msl = UserFactory(email="msl@example.test", display_name="Sam Field")
    other = UserFactory(email="other@example.test", display_name="Lena Other")
    for user in (msl, other):
        MembershipFactory(team=team, user=user)
    kol = contact_services.kol_create(by=msl, data={"name": "Dr Ada Lovelace", "cadence_days": 90})
    followup = FollowUpFactory(kol=kol, owner=msl, text="Send the registry protocol")
    return {"msl": msl, "other": other, "kol": kol, "followup": followup}


@pytest.fixture
def phone(browser, live_server, people):
    # After `people`: the page closes before the database is emptied, so a late refresh
    # of the page never meets an empty database.
    yield from strict_page(browser, live_server, allowed=OFFLINE_NOISE, viewport=PHONE)


def sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile("/accounts/login/"))


def under_the_worker(page) -> None:
    """Waits until the service worker runs and controls this page."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("Boolean(navigator.serviceWorker.controller)"):
        page.reload()
    page.wait_for_function("Boolean(navigator.serviceWorker.controller)")


def keep(page, user, path: str, part: str = "") -> None:
    """Opens `path` online through the worker and waits until it has kept it for offline
    (with `part`, the KOL page's form of that name, which the worker keeps beside it)."""
    page.goto(path)
    under_the_worker(page)
    page.goto(path)  # now through the worker
    key = path + f"?open={part}&__part=1" if part else path
    for _ in range(100):
        if page.evaluate(
            "async ([name, key]) => Boolean(await (await caches.open(name)).match(key))",
            [f"kolcrm-pages-u{user.pk}", key],
        ):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"{key} was not kept")


def sent_all(page) -> None:
    """Waits until the queue on the phone is empty (everything sent)."""
    for _ in range(150):
        if not stored(page)["queue"]:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"still waiting: {stored(page)['queue']}")


def send_again(page, item: dict, user) -> None:
    """A flaky network: the answer to a sent item was lost, so the phone sends it again."""
    page.evaluate(
        """async ([item, user]) => {
          const {id, ...again} = item;
          await KolOffline.add(again);
          return KolOffline.replay(user);
        }""",
        [item, str(user.pk)],
    )


def stored(page) -> dict:
    return page.evaluate(
        """async () => {
          const names = await caches.keys();
          const pages = [];
          for (const name of names.filter((n) => n.startsWith("kolcrm-pages-"))) {
            pages.push(...(await (await caches.open(name)).keys()).map((r) => r.url));
          }
          const queue = await new Promise((resolve) => {
            const open = indexedDB.open("kolcrm-offline");
            open.onupgradeneeded = () => { open.transaction.abort(); resolve([]); };
            open.onerror = () => resolve([]);
            open.onsuccess = () => {
              const db = open.result;
              if (!db.objectStoreNames.contains("queue")) { db.close(); resolve([]); return; }
              const all = db.transaction("queue").objectStore("queue").getAll();
              all.onsuccess = () => { db.close(); resolve(all.result); };
            };
          });
          const drafts = Object.keys(localStorage).filter((k) => k.startsWith("kolcrm-"));
          return {pages, queue, drafts};
        }"""
    )


def test_it_registers_the_worker_under_the_csp_and_is_installable(phone, people):
    page = phone
    sign_in(page, people["msl"].email)
    page.goto("/today/")
    under_the_worker(page)
    scope = page.evaluate("navigator.serviceWorker.ready.then((r) => r.scope)")
    assert scope == page.url.split("/today/")[0] + "/"
    cdp = page.context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"].endswith("/manifest.webmanifest")
    assert manifest["errors"] == []
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    # Playwright's contexts are incognito, where Chromium never offers to install.
    assert [error["errorId"] for error in errors if error["errorId"] != "in-incognito"] == []


def test_offline_notes_wait_on_the_phone_and_are_sent_once(phone, people):
    page = phone
    msl, kol, followup = people["msl"], people["kol"], people["followup"]
    sign_in(page, msl.email)
    kol_url = f"/kols/{kol.pk}/"
    log_url = f"/touchpoints/new/?kol={kol.pk}"
    keep(page, msl, log_url)
    keep(page, msl, "/today/")
    keep(page, msl, kol_url)
    keep(page, msl, kol_url, part="touchpoint")

    page.context.set_offline(True)
    # The KOL page's form, opened offline (it is built when opened: the worker kept it).
    page.locator("#timeline summary", has_text="Log a touchpoint").click()
    page.locator("textarea[name=they_said]").fill("Offline from the KOL page: wants registry data")
    page.get_by_role("button", name="Log touchpoint").click()
    expect(page.locator(".offline-saved")).to_have_text(SAVED)
    expect(page.locator(".offline-count")).to_have_text("1 item waits")

    page.goto(log_url)  # the Log page, as kept
    expect(page.locator(".offline-synced")).to_contain_text("Offline copy, as last synced")
    page.locator("textarea[name=they_said]").fill("Offline from the Log page: asked about dosing")
    page.get_by_role("button", name="Log touchpoint").click()
    expect(page.locator(".offline-count")).to_have_text("2 items wait")

    page.goto(kol_url)
    page.locator(f"#followup-{followup.pk} .followup-done").click()
    expect(page.locator(f"#followup-{followup.pk} .offline-queued")).to_contain_text("Done ✓")
    expect(page.locator(".offline-count")).to_have_text("3 items wait")

    page.reload()  # offline: the page as kept, and what waits
    expect(page.locator(".offline-count")).to_have_text("3 items wait")
    expect(page.locator(".offline-waiting")).to_contain_text(SAVED)
    assert Touchpoint.objects.filter(kol=kol).count() == 0
    page.goto("/today/")  # Today, as last synced
    expect(page.locator(".offline-synced")).to_contain_text("Offline copy, as last synced")
    expect(page.locator("main")).to_contain_text("Send the registry protocol")
    expect(page.locator(".offline-count")).to_have_text("3 items wait")
    page.goto(kol_url)

    page.context.set_offline(False)
    sent_all(page)
    expect(page.locator(".offline-count")).to_have_count(0)
    said = sorted(Touchpoint.objects.filter(kol=kol).values_list("they_said", flat=True))
    assert said == [
        "Offline from the KOL page: wants registry data",
        "Offline from the Log page: asked about dosing",
    ]
    for touchpoint in Touchpoint.objects.filter(kol=kol):
        thanks = FollowUp.objects.filter(source_touchpoint=touchpoint, kind="thank_you")
        assert thanks.count() == 1
    followup.refresh_from_db()
    assert followup.status == "done"
    assert stored(page)["queue"] == []
    # The KOL page refreshes its parts with what was sent.
    expect(page.locator("#timeline")).to_contain_text("Offline from the Log page")
    expect(page.locator("#followups")).to_contain_text("Thank Dr Ada Lovelace")
    expect(page.locator(f"#followups #followup-{followup.pk}.followup-open")).to_have_count(0)


def test_a_queue_sent_twice_creates_nothing_twice(phone, people):
    page = phone
    msl, kol = people["msl"], people["kol"]
    sign_in(page, msl.email)
    log_url = f"/touchpoints/new/?kol={kol.pk}"
    keep(page, msl, log_url)
    page.context.set_offline(True)
    page.locator("textarea[name=they_said]").fill("Said once, sent twice")
    page.get_by_role("button", name="Log touchpoint").click()
    expect(page.locator(".offline-count")).to_have_text("1 item waits")
    item = stored(page)["queue"][0]
    page.context.set_offline(False)
    sent_all(page)
    # A flaky network: the answer was lost, so the same item is sent again.
    send_again(page, item, msl)
    assert Touchpoint.objects.filter(kol=kol, they_said="Said once, sent twice").count() == 1
    assert stored(page)["queue"] == []


def test_a_follow_up_added_offline_is_added_once(phone, people):
    """The "Add a follow-up" form opens offline (the worker kept it with the KOL page), waits
    on the phone with its one-time token, and a replay of the same item adds nothing more."""
    page = phone
    msl, kol = people["msl"], people["kol"]
    sign_in(page, msl.email)
    keep(page, msl, f"/kols/{kol.pk}/", part="followup")

    page.context.set_offline(True)
    page.locator("#followups summary", has_text="Add a follow-up").click()
    form = page.locator("#followups form[action$='/followups/add/']")
    form.locator("textarea").fill("Bring the HFpEF poster to the congress")
    form.get_by_role("button", name="Add follow-up").click()
    expect(page.locator(".offline-count")).to_have_text("1 item waits")
    item = stored(page)["queue"][0]
    assert item["kind"] == "followup-add"
    assert not FollowUp.objects.filter(text__startswith="Bring the HFpEF poster").exists()

    page.context.set_offline(False)
    sent_all(page)
    send_again(page, item, msl)
    added = FollowUp.objects.filter(text="Bring the HFpEF poster to the congress")
    assert [(f.kol_id, f.owner_id, f.status) for f in added] == [(kol.pk, msl.pk, "open")]
    expect(page.locator("#followups")).to_contain_text("Bring the HFpEF poster to the congress")


def test_a_conflict_stays_with_the_servers_reason_and_the_text(phone, people):
    page = phone
    msl, other, kol = people["msl"], people["other"], people["kol"]
    sign_in(page, msl.email)
    log_url = f"/touchpoints/new/?kol={kol.pk}"
    keep(page, msl, log_url)
    page.context.set_offline(True)
    page.locator("textarea[name=they_said]").fill("Notes about a KOL that moved on")
    page.get_by_role("button", name="Log touchpoint").click()
    expect(page.locator(".offline-count")).to_have_text("1 item waits")
    kol.owner = other  # reassigned meanwhile
    kol.save(update_fields=["owner"])
    page.context.set_offline(False)
    conflict = page.locator(".offline-conflict")
    expect(conflict).to_contain_text("Not sent: Touchpoint with Dr Ada Lovelace", timeout=15_000)
    expect(conflict).to_contain_text("no longer yours")
    expect(conflict.locator("textarea")).to_have_value(
        re.compile("Notes about a KOL that moved on")
    )
    assert Touchpoint.objects.count() == 0
    conflict.get_by_role("button", name="Delete it from this phone").click()
    expect(conflict).to_have_count(0)
    assert stored(page)["queue"] == []


def test_a_draft_comes_back_after_the_session_ended_and_waits_to_be_confirmed(phone, people):
    page = phone
    msl, kol = people["msl"], people["kol"]
    sign_in(page, msl.email)
    page.goto(f"/kols/{kol.pk}/")
    page.locator("#timeline summary", has_text="Log a touchpoint").click()
    page.locator("textarea[name=they_said]").fill("Typed in the corridor")
    page.locator("textarea[name=summary]").fill("Long talk about the registry")
    Session.objects.all().delete()  # the session ends while the form is open
    page.get_by_role("button", name="Log touchpoint").click()
    expect(page).to_have_url(re.compile("/accounts/login/"))
    page.get_by_label("Email address").fill(msl.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(f"/kols/{kol.pk}/"))
    expect(page.locator("textarea[name=they_said]")).to_have_value("Typed in the corridor")
    expect(page.locator("textarea[name=summary]")).to_have_value("Long talk about the registry")
    expect(page.locator(".offline-draft-back")).to_contain_text("Nothing has been saved yet")
    assert Touchpoint.objects.count() == 0
    page.get_by_role("button", name="Log touchpoint").click()
    expect(page.locator("#timeline")).to_contain_text("Typed in the corridor")
    assert Touchpoint.objects.filter(they_said="Typed in the corridor").count() == 1
    assert not [key for key in stored(page)["drafts"] if key.startswith("kolcrm-draft:")]


def test_signing_out_leaves_nothing_for_the_next_person(phone, people):
    page = phone
    msl, other, kol = people["msl"], people["other"], people["kol"]
    sign_in(page, msl.email)
    keep(page, msl, f"/kols/{kol.pk}/")
    keep(page, msl, f"/touchpoints/new/?kol={kol.pk}")
    page.locator("textarea[name=they_said]").fill("A draft nobody else may read")
    page.evaluate(  # an item the server refused, kept for its text
        """(user) => KolOffline.add({user, kind: "touchpoint", url: "/", body: "", label: "x",
             text: "A note nobody else may read", status: "conflict", message: "refused"})""",
        str(msl.pk),
    )
    before = stored(page)
    assert before["pages"] and before["queue"] and before["drafts"]
    page.goto("/today/#more")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.locator("#more").get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile("/accounts/login/"))
    assert stored(page) == {"pages": [], "queue": [], "drafts": []}
    assert asked == [
        "1 item saved on this phone was not sent. Signing out deletes it from this phone. "
        "Sign out anyway?"
    ]

    sign_in(page, other.email)
    page.goto("/today/")
    under_the_worker(page)
    page.context.set_offline(True)
    page.goto(f"/kols/{kol.pk}/")
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Dr Ada Lovelace")
    page.context.set_offline(False)


def test_a_draft_survives_a_closed_tab_and_goes_when_saved_or_discarded(phone, people):
    page = phone
    msl, kol = people["msl"], people["kol"]
    sign_in(page, msl.email)
    log_url = f"/touchpoints/new/?kol={kol.pk}"
    page.goto(log_url)
    page.locator("textarea[name=they_said]").fill("Half a thought")
    page.goto("/today/")  # the tab moves on (or closes)
    page.goto(log_url)
    expect(page.locator("textarea[name=they_said]")).to_have_value("Half a thought")
    page.get_by_role("button", name="Discard the draft").click()
    expect(page.locator("textarea[name=they_said]")).to_have_value("")
    page.reload()
    expect(page.locator("textarea[name=they_said]")).to_have_value("")

    page.locator("textarea[name=they_said]").fill("A whole thought")
    page.goto(log_url)
    expect(page.locator("textarea[name=they_said]")).to_have_value("A whole thought")
    page.get_by_role("button", name="Log touchpoint").click()  # a plain post, then the KOL page
    expect(page).to_have_url(re.compile(f"/kols/{kol.pk}/"))
    assert Touchpoint.objects.filter(they_said="A whole thought").count() == 1
    page.goto(log_url)
    expect(page.locator("textarea[name=they_said]")).to_have_value("")
    expect(page.locator(".offline-draft-back")).to_have_count(0)


def test_the_sign_out_answer_alone_empties_the_browser(phone, people):
    """Clear-Site-Data works in Chromium even when the page's own clean-up does not run."""
    page = phone
    msl, kol = people["msl"], people["kol"]
    sign_in(page, msl.email)
    keep(page, msl, f"/touchpoints/new/?kol={kol.pk}")
    page.locator("textarea[name=they_said]").fill("Kept until signing out")
    page.evaluate(
        """(user) => KolOffline.add({user, kind: "touchpoint", url: "/", body: "", label: "x",
             text: "t", status: "conflict", message: "refused"})""",
        str(msl.pk),
    )
    before = stored(page)
    assert before["pages"] and before["queue"] and before["drafts"]
    # form.submit() fires no submit event: only the server's answer can clear anything.
    page.evaluate("document.querySelector('form[action=\"/accounts/logout/\"]').submit()")
    expect(page).to_have_url(re.compile("/accounts/login/"))
    assert stored(page) == {"pages": [], "queue": [], "drafts": []}
