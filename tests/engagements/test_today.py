"""Today, the MSL's home page: follow-ups due, check-ins, suggested gives, next 30 days."""

import datetime
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import AssumptionStatus, Collaborator, Interest, Provenance
from engagements.models import FollowUp
from tests.conftest import HTMX, client_for
from tests.engagements.factories import FollowUpFactory, GiveFactory
from tests.factories import InterestFactory, KolFactory, TopicFactory

TODAY_URL = reverse("engagements:today")
SECTIONS = ["Follow-ups due", "Check-ins this week", "Suggested gives", "Next 30 days"]


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def words(html: str) -> str:
    """What the user reads: the text without tags, spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def section(page: str, anchor: str) -> str:
    """The text of one section of the page (by its id)."""
    start = page.index(f'<section id="{anchor}"')
    return words(page[start : page.index("</section>", start)])


def test_it_shows_the_four_sections_in_order_with_friendly_empty_states(owner_client):
    response = owner_client.get(TODAY_URL)

    assert response.status_code == 200
    text = words(response.content.decode())
    positions = [text.index(f"{heading} (0)") for heading in SECTIONS]
    assert positions == sorted(positions)
    assert "Nothing due today." in text
    assert "No check-ins due this week." in text
    assert "No suggestions:" in text
    assert "Nothing planned for the next 30 days." in text


def test_home_leads_to_today(owner_client):
    response = owner_client.get("/")
    assert response.status_code == 302 and response["Location"] == TODAY_URL


# Follow-ups due ---------------------------------------------------------------------------


def test_follow_ups_due_show_overdue_first_and_lead_with_the_person(owner_client, kol, owner):
    FollowUpFactory(kol=kol, due_on=days(0), text="Send the thank-you recap")
    FollowUpFactory(kol=kol, due_on=days(-6), text="Send the registry protocol")

    page = owner_client.get(TODAY_URL).content.decode()

    due = section(page, "today-due")
    assert due.startswith("Follow-ups due (2)")
    assert due.index("Send the registry protocol") < due.index("Send the thank-you recap")
    assert f"Overdue since {days(-6):%-d %b %Y}" in due and "Due today" in due
    first = due[due.index("Dr Ada Lovelace") :]
    assert first.index("St Thomas' Hospital") < first.index("Overdue since")


def test_follow_ups_due_are_only_the_users_open_ones_on_active_visible_kols(
    owner_client, kol, owner, teammate
):
    FollowUpFactory(kol=kol, due_on=days(-1), text="Mine and due")
    FollowUpFactory(kol=kol, due_on=days(-1), text="Already done", status="done")
    FollowUpFactory(kol=kol, due_on=days(1), text="Due tomorrow")
    FollowUpFactory(kol=kol, owner=teammate, due_on=days(-1), text="Someone else's")
    FollowUpFactory(kol=KolFactory(owner=owner, is_archived=True), due_on=days(0), text="Archived")
    # A follow-up left on a KOL the user no longer works on: they could not act on it.
    FollowUpFactory(kol=KolFactory(owner=teammate), owner=owner, due_on=days(0), text="Gone")

    due = section(owner_client.get(TODAY_URL).content.decode(), "today-due")

    assert due.startswith("Follow-ups due (1)") and "Mine and due" in due
    for hidden in ["Already done", "Due tomorrow", "Someone else's", "Archived", "Gone"]:
        assert hidden not in due


def test_a_full_list_counts_only_what_it_would_show(owner_client, kol, owner, teammate):
    # Past the first ten, the total comes from a count of its own: the same rule as the rows.
    for n in range(12):
        FollowUpFactory(kol=kol, due_on=days(-1), text=f"Mine {n}")
    FollowUpFactory(kol=KolFactory(owner=owner, is_archived=True), due_on=days(0), text="Archived")
    FollowUpFactory(kol=KolFactory(owner=teammate), owner=owner, due_on=days(0), text="Gone")
    FollowUpFactory(kol=kol, owner=teammate, due_on=days(-1), text="Someone else's")
    FollowUpFactory(kol=kol, due_on=days(-1), text="Already done", status="done")
    for n in range(11):
        FollowUpFactory(kol=kol, due_on=days(3), text=f"Soon {n}")
    FollowUpFactory(kol=KolFactory(owner=owner, is_archived=True), due_on=days(3), text="Arch")

    page = owner_client.get(TODAY_URL).content.decode()

    due = section(page, "today-due")
    assert due.startswith("Follow-ups due (12)") and "Show all 12" in due
    assert "Next 30 days (11)" in words(page)


def test_a_collaborators_own_follow_ups_show_on_their_today(kol, teammate):
    Collaborator.objects.create(kol=kol, user=teammate)
    FollowUpFactory(kol=kol, owner=teammate, due_on=days(0), text="Teammate's promise")
    page = client_for(teammate).get(TODAY_URL).content.decode()
    due = section(page, "today-due")
    assert "Teammate's promise" in due and ">Done<" in page


# Acting inline from Today -----------------------------------------------------------------


def test_done_from_today_answers_htmx_with_the_item_still_leading_with_the_person(
    owner_client, kol
):
    followup = FollowUpFactory(kol=kol, due_on=days(-2))
    page = owner_client.get(TODAY_URL).content.decode()
    assert 'name="next" value="/today/"' in page

    response = owner_client.post(
        reverse("kol:followup_done", args=[kol.pk, followup.pk]),
        {"next": TODAY_URL},
        **HTMX,
    )

    assert response.status_code == 200
    item = response.content.decode()
    assert item.lstrip().startswith(f'<li id="followup-{followup.pk}"')
    assert "Dr Ada Lovelace" in words(item) and "Done ✓" in words(item)
    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.DONE


def test_a_plain_snooze_from_today_comes_back_to_today(owner_client, kol):
    followup = FollowUpFactory(kol=kol, due_on=days(-2))
    response = owner_client.post(
        reverse("kol:followup_snooze", args=[kol.pk, followup.pk]),
        {"next": TODAY_URL, "days": "7"},
    )
    assert response.status_code == 302 and response["Location"] == TODAY_URL
    followup.refresh_from_db()
    assert followup.due_on == days(7)
    page = owner_client.get(TODAY_URL).content.decode()
    assert f"Follow-up snoozed until {days(7):%-d %b %Y}." in page
    assert "Send the HFpEF registry protocol" in section(page, "today-upcoming")


def test_a_plain_snooze_to_the_past_from_today_shows_today_with_the_error(owner_client, kol):
    followup = FollowUpFactory(kol=kol, due_on=days(-2))
    response = owner_client.post(
        reverse("kol:followup_snooze", args=[kol.pk, followup.pk]),
        {"next": TODAY_URL, "until": days(-1).isoformat()},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "<html" in page and "Pick today or a later date" in section(page, "today-due")
    followup.refresh_from_db()
    assert followup.due_on == days(-2)


# Check-ins this week ----------------------------------------------------------------------


def test_check_ins_this_week_most_overdue_first_with_status_and_a_way_to_log(owner_client, owner):
    soon = KolFactory(owner=owner, name="Dr Soon", next_check_in_on=days(5))
    late = KolFactory(owner=owner, name="Dr Late", next_check_in_on=days(-10))
    KolFactory(owner=owner, name="Dr Later", next_check_in_on=days(8))
    KolFactory(owner=owner, name="Dr Archived", next_check_in_on=days(-3), is_archived=True)
    KolFactory(name="Dr Not Mine", next_check_in_on=days(-3))

    page = owner_client.get(TODAY_URL).content.decode()

    check_ins = section(page, "today-check-ins")
    assert check_ins.startswith("Check-ins this week (2)")
    assert check_ins.index("Dr Late") < check_ins.index("Overdue") < check_ins.index("Dr Soon")
    assert "Due soon" in check_ins
    for hidden in ["Dr Later", "Dr Archived", "Dr Not Mine"]:
        assert hidden not in check_ins
    touchpoint_new = reverse("engagements:touchpoint_new")
    assert f'href="{touchpoint_new}?kol={late.pk}"' in page
    assert f'href="{touchpoint_new}?kol={soon.pk}"' in page
    assert "Log a touchpoint with Dr Late" in check_ins


# Suggested gives --------------------------------------------------------------------------


def test_suggested_gives_are_kols_who_told_us_an_interest_and_got_nothing_lately(
    owner_client, owner
):
    told = KolFactory(owner=owner, name="Dr Told")
    InterestFactory(kol=told, topic=TopicFactory(name="SGLT2 inhibitors"))
    confirmed = KolFactory(owner=owner, name="Dr Confirmed")
    InterestFactory(
        kol=confirmed,
        topic=TopicFactory(name="Hyperkalaemia"),
        provenance=Provenance.ASSUMED,
        assumption_status=AssumptionStatus.CONFIRMED,
    )
    GiveFactory(kol=confirmed, given_on=days(-61))
    assumed = KolFactory(owner=owner, name="Dr Assumed")
    InterestFactory(kol=assumed, provenance=Provenance.ASSUMED, assumption_status="open")
    given = KolFactory(owner=owner, name="Dr Given")
    InterestFactory(kol=given)
    GiveFactory(kol=given, given_on=days(-20))
    speaker = KolFactory(owner=owner, name="Dr Speaker")
    InterestFactory(kol=speaker, kind=Interest.Kind.SPEAKING, topic=None)

    gives = section(owner_client.get(TODAY_URL).content.decode(), "today-gives")

    assert gives.startswith("Suggested gives (3)")
    assert "Dr Told" in gives and "A literature summary on SGLT2 inhibitors?" in gives
    assert "Dr Confirmed" in gives and "A literature summary on Hyperkalaemia?" in gives
    assert f"Last give {days(-61):%-d %b %Y}" in gives
    assert "A speaking opportunity they are qualified for?" in gives
    assert "Nothing given yet" in gives
    assert "Dr Assumed" not in gives and "Dr Given" not in gives
    # The person first, then what they told us, then the idea.
    told_at = gives.index("Dr Told")
    assert told_at < gives.index("Told you: SGLT2 inhibitors", told_at)


def test_suggested_gives_show_ten_and_say_how_many_more(owner_client, owner):
    topic = TopicFactory(name="Heart failure")
    for kol in KolFactory.create_batch(12, owner=owner):
        InterestFactory(kol=kol, topic=topic)
    gives = section(owner_client.get(TODAY_URL).content.decode(), "today-gives")
    assert gives.startswith("Suggested gives (12)") and "Show all" in gives
    assert gives.count("A literature summary on Heart failure?") == 3
    everything = owner_client.get(TODAY_URL, {"gives": "all"}).content.decode()
    assert section(everything, "today-gives").count("A literature summary on Heart") == 10


# Next 30 days -------------------------------------------------------------------------------


def test_next_30_days_lists_what_comes_after_today(owner_client, kol):
    FollowUpFactory(kol=kol, due_on=days(30), text="In a month")
    FollowUpFactory(kol=kol, due_on=days(1), text="Tomorrow")
    FollowUpFactory(kol=kol, due_on=days(31), text="Too far")
    FollowUpFactory(kol=kol, due_on=days(0), text="Today's")

    upcoming = section(owner_client.get(TODAY_URL).content.decode(), "today-upcoming")

    assert upcoming.startswith("Next 30 days (2)")
    assert upcoming.index("Tomorrow") < upcoming.index("In a month")
    assert f"Due {days(1):%a %-d %b %Y}" in upcoming
    assert "Too far" not in upcoming and "Today's" not in upcoming


# The page itself --------------------------------------------------------------------------


def test_it_answers_htmx_with_the_part_and_browsers_with_the_page(owner_client):
    part = owner_client.get(TODAY_URL, **HTMX).content.decode()
    page = owner_client.get(TODAY_URL).content.decode()
    assert part.lstrip().startswith('<div id="today"') and "<html" not in part
    assert '<div id="today"' in page and "<html" in page and "css/followups.css" in page


def test_it_needs_a_login_and_a_get(owner_client):
    response = client_for(None).get(TODAY_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert owner_client.post(TODAY_URL).status_code == 405


def test_a_manager_sees_their_own_today_not_the_teams(manager_client, kol):
    FollowUpFactory(kol=kol, due_on=days(0), text="Owner's work")
    page = manager_client.get(TODAY_URL)
    assert page.status_code == 200
    assert "Owner's work" not in page.content.decode()


@pytest.mark.parametrize("rows", [5, 300])
def test_it_runs_the_same_queries_whatever_the_rows(
    owner_client, owner, django_assert_max_num_queries, rows
):
    topic = TopicFactory(name="Cardio-renal")
    kols = KolFactory.create_batch(rows, owner=owner, next_check_in_on=days(-3))
    Interest.objects.bulk_create(
        [Interest(kol=kol, kind="research", topic=topic, created_by=owner) for kol in kols]
    )
    FollowUp.objects.bulk_create(
        [
            FollowUp(kol=kol, owner=owner, due_on=days(offset), text=f"Item {kol.pk}")
            for kol in kols
            for offset in (-2, 0, 5)
        ]
    )

    with django_assert_max_num_queries(13):  # incl. the nav's manager check
        response = owner_client.get(TODAY_URL)

    page = response.content.decode()
    text = words(page)
    assert f"Follow-ups due ({2 * rows})" in text and f"Next 30 days ({rows})" in text
    assert f"Check-ins this week ({rows})" in text and f"Suggested gives ({rows})" in text
    # However much piled up, each list shows its first few (the page fits a phone's screens).
    assert page.count('class="followup followup-open"') == min(2 * rows, 5) + min(rows, 3)
    assert page.count('id="check-in-') == min(rows, 3)


def test_each_list_shows_ten_then_more_on_request(owner_client, owner, kol):
    FollowUp.objects.bulk_create(
        [
            FollowUp(kol=kol, owner=owner, due_on=days(-50 + n), text=f"Item {n:02d}")
            for n in range(25)
        ]
    )
    page = owner_client.get(TODAY_URL).content.decode()
    due = section(page, "today-due")
    assert "Follow-ups due (25)" in due and "Show all 25" in due
    assert "Item 00" in due and "Item 04" in due and "Item 05" not in due
    assert 'href="?due=25"' in page

    # htmx swaps the section alone with all of them; the address bar keeps the plain link.
    more = owner_client.get(TODAY_URL, {"due": 25, "part": "due"}, **HTMX)
    part = more.content.decode()
    assert part.lstrip().startswith('<section id="today-due"') and "<html" not in part
    assert "Item 24" in part and "Show all" not in part

    # Without JavaScript the link shows the whole page with all of them and no link.
    plain = owner_client.get(TODAY_URL, {"due": 25}).content.decode()
    assert "<html" in plain and "Item 24" in section(plain, "today-due")
    assert "Show all" not in section(plain, "today-due")


@pytest.mark.parametrize("value", ["abc", "-5", "7", "100000"])
def test_an_odd_show_more_value_shows_a_sensible_number(owner_client, owner, kol, value):
    FollowUp.objects.bulk_create(
        [FollowUp(kol=kol, owner=owner, due_on=days(-1), text=f"Item {n}") for n in range(15)]
    )
    response = owner_client.get(TODAY_URL, {"due": value, "part": "nonsense"})
    assert response.status_code == 200
    shown = response.content.decode().count('class="followup followup-open"')
    assert shown == (15 if value == "100000" else 5)


def test_today_suggests_congress_overviews_for_kols_who_missed_an_event(owner_client, kol):
    import datetime

    from django.utils import timezone

    from events.models import Event
    from tests.factories import InterestFactory

    interest = InterestFactory(kol=kol)
    today = timezone.localdate()
    event = Event.objects.create(
        name="ESC Congress",
        starts_on=today - datetime.timedelta(days=5),
        ends_on=today - datetime.timedelta(days=2),
    )
    event.topics.add(interest.topic)
    page = owner_client.get("/today/").content.decode()
    assert "missed" in page and "ESC Congress" in page
    assert "?give_kind=congress_overview#ledger" in page
    kol_page = owner_client.get(f"/kols/{kol.pk}/?give_kind=congress_overview").content.decode()
    assert '<option value="congress_overview" selected>' in kol_page


# Issue 17: a KOL due for a check-in is on Today once ---------------------------------------


def test_a_kol_with_a_due_check_in_follow_up_is_listed_once(owner_client, owner):
    kol = KolFactory(owner=owner, name="Dr Once", next_check_in_on=days(-2))
    FollowUpFactory(kol=kol, owner=owner, kind=FollowUp.Kind.CHECK_IN, due_on=days(-2))
    KolFactory(owner=owner, name="Dr Coming", next_check_in_on=days(3))

    page = owner_client.get(TODAY_URL).content.decode()

    assert "Dr Once" in section(page, "today-due")
    assert "Dr Once" not in section(page, "today-check-ins")
    assert "Dr Coming" in section(page, "today-check-ins")
