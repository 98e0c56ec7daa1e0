"""What people type is shown as text everywhere: pages, partials, emails; spreadsheets never
run it as a formula.

One KOL carries markup in every field people type (its name is `<script>alert(1)</script>`),
with a touchpoint, follow-up, give, ask, plan, goals, interests, event, opportunity, stage
change and review, and a sent reminder. Every page that shows them is fetched as the people
who see it and must hold the escaped text, never the markup.
"""

import csv
import datetime
import io
import uuid
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook

from contacts import services as contact_services
from contacts.exports import FORMULA_STARTS
from contacts.models import Goal, Interest, Stage
from engagements.services import followups as followup_services
from engagements.services import ledger as ledger_services
from engagements.services import plan as plan_services
from engagements.services import touchpoints as touchpoint_services
from events import services as event_services
from reminders import sending as reminders
from reminders.models import Reminder
from reviews.services import invitations as invitation_services
from reviews.services import reviews as review_services
from tests.conftest import HTMX, client_for
from tests.contacts.test_import import import_csv
from tests.factories import KolFactory, TherapeuticAreaFactory, TopicFactory

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
BOLD = "<b>bold</b>"
RAW = [SCRIPT, IMG, BOLD, "<u>Owner</u>", "<i>", "<svg onload"]
ESCAPED_NAME = "&lt;script&gt;alert(1)&lt;/script&gt;"
NOTE = f"{IMG} said {BOLD} and &amp; more"


def assert_escaped(body: str, *, where: str = "", shows_name: bool = True) -> None:
    for raw in RAW:
        assert raw not in body, f"{where}: {raw}"
    # The page does show what was typed (so the check above means something).
    assert any(escape(raw) in body for raw in RAW), where
    if shows_name:
        assert ESCAPED_NAME in body, where


@pytest.fixture
def world(owner, teammate, manager, team):
    """The payload in every field people type, through the same services the forms call."""
    owner.display_name = "Olivia <u>Owner</u>"
    owner.save()
    today = timezone.localdate()
    area = TherapeuticAreaFactory(name="Cardiology")
    topic = TopicFactory(area=area, name=f"HFpEF {IMG}")
    kol = contact_services.kol_create(
        by=owner,
        data={
            "name": SCRIPT,
            "credentials": "<i>MD</i>",
            "institution": IMG,
            "specialty": BOLD,
            "city": "<svg onload=alert(1)>",
            "passions": NOTE,
            "from_where": BOLD,
            "trained_at": IMG,
            "cadence_days": 30,
            "therapeutic_areas": [area],
        },
    )
    contact_services.collaborator_add(kol=kol, user=teammate, role="msl", by=owner)
    for whose in (Goal.Whose.KOL, Goal.Whose.OURS):
        contact_services.goal_add(
            kol=kol,
            by=owner,
            data={
                "whose": whose,
                "area": Goal.Area.PROFESSIONAL,
                "text": f"Goal {NOTE}",
                "status": Goal.Status.OPEN,
                "in_it_for_kol": f"For them {NOTE}",
                "provenance": "stated",
                "stated_on": today,
                "assumption_status": "",
            },
        )
    contact_services.interest_add(
        kol=kol,
        by=owner,
        data={
            "kind": Interest.Kind.RESEARCH,
            "topic": topic,
            "provenance": "assumed",
            "stated_on": None,
            "assumption_status": "open",
            "note": f"Interest {NOTE}",
            "give_cadence_days": 30,
        },
    )
    touchpoint, _ = touchpoint_services.touchpoint_log(
        kol=kol,
        by=owner,
        form_token=uuid.uuid4(),
        data={
            "occurred_at": timezone.now() - datetime.timedelta(days=40),
            "kind": "meeting",
            "where": IMG,
            "topics": [topic],
            "summary": f"Summary {NOTE} bold",
            "they_said": f"They said {SCRIPT} {NOTE} bold",
            "feedback": f"Feedback {NOTE}",
            "is_criticism": True,
            "questions_text": f"Questions {NOTE}",
            "next_steps": f"Send {BOLD}",
        },
    )
    followup_services.followup_add(
        kol=kol, by=owner, kind="other", text=f"Follow up {NOTE}", due_on=today
    )
    ledger_services.give_log(
        kol=kol,
        by=owner,
        data={"kind": "literature", "topic": topic, "note": f"Give {NOTE}", "response": BOLD},
    )
    ledger_services.ask_log(
        kol=kol,
        by=owner,
        data={"kind": "advisory_board", "in_it_for_kol": f"Ask {NOTE}", "outcome": IMG},
    )
    ledger_services.ask_log(
        kol=kol, by=owner, data={"kind": "speaking", "in_it_for_kol": BOLD, "outcome": ""}
    )
    plan_services.plan_save(
        kol=kol,
        by=owner,
        expected_version=0,
        data={
            "objectives": f"Objectives {NOTE}",
            "built_with_kol": True,
            "kol_input": IMG,
            "who_interacts": BOLD,
            "outcome_measures": SCRIPT,
            "next_review_on": today + datetime.timedelta(days=30),
        },
    )
    contact_services.kol_change_stage(
        kol=kol, by=owner, to_stage=Stage.DEVELOPING, reason="", expected_version=kol.version
    )
    kol.refresh_from_db()
    contact_services.kol_change_stage(
        kol=kol,
        by=owner,
        to_stage=Stage.ESTABLISHING,
        reason=f"Back {NOTE}",
        expected_version=kol.version,
    )
    review_services.stage_review_record(
        kol=kol, by=manager, verdict="suggest", suggested_stage="developing", comment=NOTE
    )
    event = event_services.event_create(
        by=owner,
        data={
            "name": f"ESC {SCRIPT}",
            "starts_on": today + datetime.timedelta(days=10),
            "ends_on": today + datetime.timedelta(days=12),
            "location": IMG,
            "areas": [area],
            "topics": [topic],
            "attendees": [kol],
        },
    )
    opportunity = event_services.opportunity_create(
        by=owner,
        data={
            "kind": "speaking",
            "title": f"Talk {SCRIPT}",
            "description": NOTE,
            "deadline": today + datetime.timedelta(days=20),
            "topics": [topic],
        },
    )
    Reminder.objects.create(
        recipient=owner,
        kind=Reminder.Kind.DIGEST,
        due_key=str(today),
        status=Reminder.Status.FAILED,
        subject=f"Today {SCRIPT}",
        last_error=f"550 {IMG}",
    )
    # Due for a check-in, so the KOL shows on Today, the board and the weekly summary.
    KolFactory(owner=owner, name=f"Dr Overdue {BOLD}", next_check_in_on=today)
    kol.refresh_from_db()
    return SimpleNamespace(kol=kol, touchpoint=touchpoint, event=event, opportunity=opportunity)


def kol_pages(kol, touchpoint) -> list[tuple[str, dict]]:
    pk = kol.pk
    goal = kol.goals.first()
    interest = kol.interests.first()
    give = kol.gives.first()
    ask = kol.asks.first()
    return [
        (reverse("kol:kol_detail", args=[pk]), {}),
        (reverse("contacts:kol_edit", args=[pk]), {}),
        (reverse("kol:kol_stage", args=[pk]), HTMX),
        (reverse("kol:kol_interests", args=[pk]), HTMX),
        (reverse("kol:interest_edit", args=[pk, interest.pk]), HTMX),
        (reverse("kol:kol_goals", args=[pk, "kol"]), HTMX),
        (reverse("kol:kol_goals", args=[pk, "ours"]), HTMX),
        (reverse("kol:goal_edit", args=[pk, goal.pk]), HTMX),
        (reverse("kol:kol_timeline", args=[pk]), HTMX),
        (reverse("kol:touchpoint_edit", args=[pk, touchpoint.pk]), {}),
        (reverse("engagements:touchpoint_new") + f"?kol={pk}", {}),
        (reverse("kol:kol_followups", args=[pk]), HTMX),
        (reverse("kol:kol_ledger", args=[pk]), HTMX),
        (reverse("kol:give_edit", args=[pk, give.pk]), HTMX),
        (reverse("kol:ask_edit", args=[pk, ask.pk]), HTMX),
        (reverse("kol:kol_plan", args=[pk]), HTMX),
        (reverse("kol:plan_edit", args=[pk]), HTMX),
        (reverse("engagements:prep_brief", args=[pk]), {}),
        (reverse("privacy:kol_data", args=[pk]), {}),
        (reverse("privacy:kol_erase", args=[pk]), {}),
        (reverse("contacts:merge_pick", args=[pk]), {}),
    ]


def test_the_owners_pages_show_the_payload_as_text(world, owner):
    client = client_for(owner)
    kol = world.kol
    pages = [
        *kol_pages(kol, world.touchpoint),
        (reverse("contacts:kol_list"), {}),
        (reverse("contacts:kol_list") + "?q=alert", HTMX),
        (reverse("engagements:today"), {}),
        (reverse("engagements:touchpoint_new") + "?q=alert", HTMX),
        (reverse("events:event_list"), {}),
        (reverse("events:event_detail", args=[world.event.pk]), {}),
        (reverse("events:event_edit", args=[world.event.pk]), {}),
        (reverse("events:opportunity_list"), {}),
        (reverse("events:opportunity_detail", args=[world.opportunity.pk]), {}),
        (reverse("events:opportunity_edit", args=[world.opportunity.pk]), {}),
    ]
    for url, headers in pages:
        response = client.get(url, **headers)
        assert response.status_code == 200, url
        # A part of the KOL page may show only its own section, not the name.
        assert_escaped(response.content.decode(), where=url, shows_name=not headers)
    # The History lists every change, values included.
    page = client.get(
        reverse("kol:kol_detail", args=[kol.pk]), {"open": "history"}
    ).content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "&amp;amp; more" in page


def test_the_sent_reminders_page_shows_subjects_and_errors_as_text(world, owner):
    page = client_for(owner).get(reverse("sent_reminders")).content.decode()
    assert_escaped(page)
    assert "550 &lt;img src=x onerror=alert(1)&gt;" in page


def test_the_managers_pages_show_the_payload_as_text(world, manager):
    client = client_for(manager)
    # The overview and the people page count per MSL (names in the SVG chart); the others
    # name the KOL.
    pages = [
        (reverse("reviews:overview"), False),
        (reverse("reviews:team"), False),
        (reverse("reviews:board"), True),
        (reverse("reviews:hearing") + "?period=365", True),
        (reverse("reviews:flow") + "?period=365", True),
        (reverse("kol:kol_detail", args=[world.kol.pk]), True),
        (reverse("reviews:reassign") + f"?from={world.kol.owner_id}", True),
    ]
    for url, shows_name in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_escaped(response.content.decode(), where=url, shows_name=shows_name)
    overview = client.get(reverse("reviews:overview")).content.decode()
    assert "Olivia &lt;u&gt;Owner&lt;/u&gt;" in overview


@pytest.mark.parametrize(
    ("query", "marked"),
    [
        ("bold", "&lt;b&gt;<mark>bold</mark>&lt;/b&gt;"),
        ("alert", "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;"),
    ],
)
def test_search_marks_the_words_and_escapes_the_rest(world, owner, query, marked):
    for headers in ({}, HTMX):
        response = client_for(owner).get(reverse("search:search"), {"q": query}, **headers)
        page = response.content.decode()
        assert_escaped(page, shows_name=False)
        assert marked in page
        # Only our own tags survive: every <mark> is one we put there.
        assert page.count("<mark>") == page.count("</mark>") > 0


def test_the_data_export_is_json_with_the_text_as_typed(world, owner):
    response = client_for(owner).get(reverse("privacy:kol_data_json", args=[world.kol.pk]))
    assert response["Content-Type"].startswith("application/json")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.json()["profile"]["name"] == SCRIPT


# --- Emails ---------------------------------------------------------------------------------


def assert_email_escapes(message) -> None:
    html = message.alternatives[0].content
    assert_escaped(html)
    assert SCRIPT in message.body  # the text part shows what was typed
    assert "&lt;" not in message.body and "&amp;" not in message.body.replace("&amp; more", "")
    assert "&lt;" not in message.subject and "&#x27;" not in message.subject


def test_the_digest_escapes_the_html_and_keeps_the_text(world, owner):
    reminder = Reminder(recipient=owner, kind=Reminder.Kind.DIGEST, due_key="x")
    message = reminders.build_reminder_email(reminder, now=timezone.now())
    assert_email_escapes(message)
    assert f"Follow up {NOTE}" in message.body


def test_the_follow_up_email_escapes_the_html_and_keeps_the_text(world, owner):
    follow_up = world.kol.follow_ups.get(text__startswith="Follow up")
    reminder = Reminder(
        recipient=owner, kind=Reminder.Kind.FOLLOW_UP, object_key=f"followup:{follow_up.pk}"
    )
    message = reminders.build_reminder_email(reminder, now=timezone.now())
    assert_email_escapes(message)
    assert message.subject == f"Due today: other for {SCRIPT}"


def test_the_weekly_summary_escapes_the_html_and_keeps_the_text(world, manager):
    reminder = Reminder(recipient=manager, kind=Reminder.Kind.MANAGER_WEEKLY, due_key="x")
    message = reminders.build_reminder_email(reminder, now=timezone.now())
    assert_email_escapes(message)
    assert f"Back {NOTE}" in message.body


def test_the_invitation_escapes_the_html_and_keeps_the_text(world, manager, team, mailoutbox):
    manager.display_name = f"Mona {SCRIPT}"
    manager.save()
    team.name = f"Team {IMG}"
    team.save()
    invitation = invitation_services.member_invite(
        by=manager, team=team, email="new@example.test", display_name=BOLD, role="msl"
    )
    invitation_services.invitation_send(invitation=invitation)
    message = mailoutbox[-1]
    html = message.alternatives[0].content
    assert_escaped(html, shows_name=False)
    assert "Mona &lt;script&gt;" in html
    assert f"Mona {SCRIPT}" in message.body and IMG in message.body
    assert message.subject == f"Mona {SCRIPT} invited you to join Team {IMG} on KOL CRM"


# --- Spreadsheets: tab- and CR-led values too ---------------------------------------------------

HOSTILE = ["\t=cmd|' /C calc'!A0", "\r=1+1", "=HYPERLINK(1)", "+1", "-1", "@SUM(A1)"]


def read_csv(response) -> list[list[str]]:
    content = (
        b"".join(response.streaming_content) if response.streaming else response.content
    ).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content, newline="")))


def cells(rows: list[list[str]]) -> set[str]:
    return {cell for row in rows[1:] for cell in row}


@pytest.fixture
def hostile_kols(owner):
    kols = [KolFactory(owner=owner, name=value, city=value, credentials="") for value in HOSTILE]
    for kol in kols:
        touchpoint_services.touchpoint_log(
            kol=kol,
            by=owner,
            form_token=uuid.uuid4(),
            data={"kind": "meeting", "summary": kol.name, "occurred_at": timezone.now()},
        )
    return kols


def assert_neutralised(found: set[str]) -> None:
    for value in HOSTILE:
        assert value not in found, repr(value)
        assert f"'{value}" in found, repr(value)


def test_the_kol_list_exports_neutralise_tab_and_cr_led_values(owner_client, hostile_kols):
    assert_neutralised(cells(read_csv(owner_client.get(reverse("contacts:kol_export_csv")))))
    xlsx = owner_client.get(reverse("contacts:kol_export_xlsx"))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    found = {cell for row in sheet.iter_rows(min_row=2, values_only=True) for cell in row}
    # XML reads a stored CR back as LF; what matters is the leading quote.
    assert_neutralised({str(cell or "").replace("\n", "\r") for cell in found})


def test_the_timeline_csv_neutralises_tab_and_cr_led_values(owner_client, hostile_kols):
    for kol in hostile_kols:
        url = reverse("privacy:kol_timeline_csv", args=[kol.pk])
        found = cells(read_csv(owner_client.get(url)))
        assert kol.name not in found and f"'{kol.name}" in found


def test_the_board_csv_neutralises_tab_and_cr_led_values(manager_client, hostile_kols):
    assert_neutralised(cells(read_csv(manager_client.get(reverse("reviews:board_csv")))))


def test_the_overview_csv_neutralises_tab_and_cr_led_names(manager_client, owner):
    owner.display_name = "\t=cmd()"
    owner.save()
    found = cells(read_csv(manager_client.get(reverse("reviews:overview_csv"))))
    assert "\t=cmd()" not in found and "'\t=cmd()" in found


def test_the_skipped_rows_neutralise_tab_and_cr_led_values(owner_client, owner):
    # The import trims the cells; rows with a bad email are skipped.
    job = import_csv(owner_client, 'Name,Institution,Email\n"\t=cmd()",x,bad\nDr B,"\r=1+1",bad\n')
    url = reverse("contacts:import_skipped_csv", args=[job.pk])
    found = cells(read_csv(owner_client.get(url)))
    assert "'=cmd()" in found and "'=1+1" in found
    assert not [cell for cell in found if cell.startswith(FORMULA_STARTS)]
