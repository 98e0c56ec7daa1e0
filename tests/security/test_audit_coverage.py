"""The History covers every change users make to what we hold about a KOL, and erasing a
KOL leaves none of their words in it.

Decided here, model by model: which ones the History must cover (AUDITED) and which ones it
leaves out, with the reason (EXCUSED). A new model fails the first test until it is put in
one of the two.
"""

import datetime
import json
import uuid

from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from contacts import imports
from contacts.models import AuditEntry, Collaborator, ImportJob, Kol
from events.models import Event
from tests.conftest import HTMX, client_for
from tests.engagements.factories import AskFactory, GiveFactory, TouchpointFactory
from tests.factories import GoalFactory, InterestFactory, TopicFactory

AUDITED = {
    "contacts.Kol": "KOL profile",
    "contacts.StageChange": "stage",
    "contacts.Interest": "interest",
    "contacts.Goal": "goal",
    "contacts.Collaborator": "collaborator",
    "engagements.Touchpoint": "touchpoint",
    "engagements.FollowUp": "follow-up",
    "engagements.Give": "give",
    "engagements.Ask": "ask",
    "engagements.EngagementPlan": "engagement plan",
    "events.Event": "event attendance",
    "events.Opportunity": "opportunity",
    "reviews.StageReview": "stage review",
}
EXCUSED = {
    "contacts.AuditEntry": "the History itself",
    "contacts.TherapeuticArea": "shared vocabulary, edited in the admin; holds nobody's data",
    "contacts.Topic": "shared vocabulary; a topic added from an interest is in that interest's "
    "entry",
    "contacts.ImportJob": "the uploader's working copy; each KOL an import creates or updates "
    "gets its own History entry (test_an_import_run_writes_history_for_each_kol)",
    "engagements.TouchpointInterest": "recorded in the touchpoint's and the interest's entries",
    "engagements.Question": "an MSL's own question bank: about no KOL",
    "reminders.Reminder": "the email outbox: system bookkeeping, written by the dispatcher",
    "reminders.DispatchRun": "the dispatcher's lease and last run: system bookkeeping",
    "reviews.Invitation": "about no KOL: each invitation, answer and withdrawal is a team "
    "History entry (tests/reviews/test_team_security.py)",
}


def test_every_model_users_change_is_audited_or_excused():
    models = {
        model._meta.label
        for app in ("contacts", "events", "engagements", "reviews", "reminders")
        for model in apps.get_app_config(app).get_models()
        if not model._meta.auto_created
    }
    assert models == set(AUDITED) | set(EXCUSED)
    assert not set(AUDITED) & set(EXCUSED)


def _subjects(kol: Kol) -> list[tuple[str, str]]:
    return list(AuditEntry.objects.filter(kol=kol).values_list("action", "subject"))


def _today(days: int = 0) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def test_each_change_through_the_pages_writes_a_history_entry(
    owner, teammate, manager, kol, owner_client
):
    topic = TopicFactory()
    interest = InterestFactory(kol=kol, topic=topic, created_by=owner)
    goal = GoalFactory(kol=kol, created_by=owner)
    give = GiveFactory(kol=kol)
    ask = AskFactory(kol=kol)
    touchpoint = TouchpointFactory(kol=kol)
    AuditEntry.objects.all().delete()

    def post(name: str, *args, data=None, client=owner_client) -> None:
        response = client.post(reverse(name, args=[kol.pk, *args]), data or {}, **HTMX)
        assert response.status_code in {200, 204, 302}, (name, response.status_code)

    post("contacts:kol_edit", data={"name": "Dr Ada King", "version": kol.version})
    post("kol:kol_stage_change", data={"to_stage": "developing", "version": kol.version + 1})
    post("kol:interest_add", data={"kind": "speaking", "provenance": "stated"})
    post(
        "kol:interest_edit",
        interest.pk,
        data={
            f"interest{interest.pk}-kind": "research",
            f"interest{interest.pk}-topic": topic.pk,
            f"interest{interest.pk}-provenance": "stated",
            f"interest{interest.pk}-note": "Registries",
        },
    )
    post("kol:interest_delete", interest.pk)
    post(
        "kol:goal_edit",
        goal.pk,
        data={
            f"goal{goal.pk}-whose": "kol",
            f"goal{goal.pk}-area": "medical",
            f"goal{goal.pk}-text": "Publish the registry",
            f"goal{goal.pk}-status": "progressing",
            f"goal{goal.pk}-provenance": "stated",
        },
    )
    post("kol:goal_delete", goal.pk)
    post("kol:collaborator_add", data={"user": teammate.pk, "role": "msl"})
    collaborator = Collaborator.objects.get(kol=kol)
    post("kol:collaborator_remove", collaborator.pk)
    post(
        "kol:touchpoint_add",
        data={
            "form_token": str(uuid.uuid4()),
            "kind": "phone",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "summary": "Quick call",
        },
    )
    post("kol:touchpoint_delete", touchpoint.pk)
    post(
        "kol:followup_add",
        data={"followup-kind": "other", "followup-text": "Call back", "followup-due_on": _today(3)},
    )
    post(
        "kol:give_edit",
        give.pk,
        data={f"give{give.pk}-kind": "resource", f"give{give.pk}-given_on": _today()},
    )
    post("kol:give_delete", give.pk)
    post(
        "kol:ask_edit",
        ask.pk,
        data={
            f"ask{ask.pk}-kind": "speaking",
            f"ask{ask.pk}-in_it_for_kol": "A keynote",
            f"ask{ask.pk}-asked_on": _today(),
        },
    )
    post("kol:ask_delete", ask.pk)
    post("kol:plan_edit", data={"objectives": "A registry study", "version": 0})
    post(
        "kol:review_add",
        data={"verdict": "agree"},
        client=client_for(manager),
    )
    event_response = owner_client.post(
        reverse("events:event_create"),
        {"name": "ESC", "starts_on": _today(-3), "ends_on": _today(-1), "attendees": [kol.pk]},
    )
    assert event_response.status_code == 302
    event = Event.objects.get()
    owner_client.post(
        reverse("events:event_edit", args=[event.pk]),
        {"name": "ESC", "starts_on": _today(-3), "ends_on": _today(-1)},
    )

    entries = set(_subjects(kol))
    expected = {
        ("changed", "KOL profile"),
        ("changed", "stage"),
        ("created", "interest"),
        ("changed", "interest"),
        ("deleted", "interest"),
        ("changed", "goal"),
        ("deleted", "goal"),
        ("created", "collaborator"),
        ("deleted", "collaborator"),
        ("created", "touchpoint"),
        ("deleted", "touchpoint"),
        ("created", "follow-up"),
        ("changed", "give"),
        ("deleted", "give"),
        ("changed", "ask"),
        ("deleted", "ask"),
        ("created", "engagement plan"),
        ("created", "stage review"),
        ("created", "event attendance"),
        ("deleted", "event attendance"),
    }
    assert expected <= entries, expected - entries
    assert set(AUDITED.values()) <= {subject for _, subject in entries} | {
        "give",
        "ask",
        "opportunity",
    }  # opportunity: its own test below


def test_an_import_run_writes_history_for_each_kol(owner, kol):
    job = ImportJob.objects.create(
        owner=owner,
        file_name="kols.csv",
        headers=["Name", "Institution", "City"],
        rows=[["Grace Hopper", "Yale", ""], [kol.name, kol.institution, "London"]],
    )
    columns = {"name": 0, "institution": 1, "city": 2}
    imports.import_queue(job=job, columns=columns, update_duplicates=True)
    imports.import_run(job_id=job.pk)

    created = Kol.objects.get(name="Grace Hopper")
    assert _subjects(created) == [("created", "KOL profile")]
    updated = AuditEntry.objects.filter(kol=kol, action="changed").get()
    assert updated.changes["city"] == ["", "London"]


def test_events_and_opportunities_have_a_history_of_their_own(owner_client, owner):
    """About no KOL: entries without a kol, shown on their detail pages."""
    owner_client.post(
        reverse("events:opportunity_create"), {"kind": "speaking", "title": "Grand rounds"}
    )
    entry = AuditEntry.objects.get(subject="opportunity", action="created")
    assert entry.kol is None and entry.actor == owner
    edit = reverse("events:opportunity_edit", args=[entry.subject_id])
    owner_client.post(edit, {"kind": "speaking", "title": "Grand rounds, cardiology"})
    changed = AuditEntry.objects.get(subject="opportunity", action="changed")
    assert changed.changes["title"] == ["Grand rounds", "Grand rounds, cardiology"]
    page = owner_client.get(reverse("events:opportunity_detail", args=[entry.subject_id]))
    history = page.content.decode().split('id="history"')[1]
    assert "created opportunity" in history and "changed opportunity" in history


MARK = "Qvzmark"


def test_erasing_a_kol_purges_their_words_from_every_history_entry(
    owner, manager, owner_client, kol
):
    owner_client.post(
        reverse("contacts:kol_edit", args=[kol.pk]),
        {"name": f"Dr Ada {MARK}", "passions": f"Sailing {MARK}", "version": kol.version},
    )
    kol.refresh_from_db()
    owner_client.post(
        reverse("kol:kol_stage_change", args=[kol.pk]),
        {"to_stage": "developing", "reason": f"Met at {MARK}", "version": kol.version},
    )
    owner_client.post(
        reverse("kol:touchpoint_add", args=[kol.pk]),
        {
            "form_token": str(uuid.uuid4()),
            "kind": "meeting",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "they_said": f"{MARK} registry",
            "next_steps": f"Send {MARK} slides",
        },
    )
    client_for(manager).post(
        reverse("kol:review_add", args=[kol.pk]),
        {"verdict": "suggest", "suggested_stage": "maintaining", "comment": f"{MARK} is ready"},
    )
    owner_client.post(
        reverse("events:event_create"),
        {"name": "ESC", "starts_on": _today(-3), "ends_on": _today(-1), "attendees": [kol.pk]},
    )

    def holding_mark() -> list[str]:
        return [
            f"{entry.pk} {entry.subject}"
            for entry in AuditEntry.objects.all()
            if MARK in entry.summary or MARK in json.dumps(entry.changes)
        ]

    subjects = {subject for _, subject in _subjects(kol)}
    assert {"stage review", "event attendance", "touchpoint", "follow-up"} <= subjects
    assert len(holding_mark()) >= 5

    response = owner_client.post(
        reverse("privacy:kol_erase", args=[kol.pk]), {"confirm_name": f"Dr Ada {MARK}"}
    )

    assert response.status_code == 302
    assert holding_mark() == []
    assert not AuditEntry.objects.filter(summary__contains="Ada").exists()
    erased = AuditEntry.objects.filter(kol=kol, action="erased").get()
    assert (erased.actor, erased.changes) == (owner, {})
    assert MARK not in erased.summary
