"""Hostile input: random and malformed posts to every form, htmx and plain.

Whatever arrives (NUL bytes, invalid UTF-8, huge or negative numbers, impossible dates,
lists where one value is expected, missing and extra fields), a form answers with a 4xx
and says which field is wrong, never a 500, and an answer that refuses saves nothing.

Each example runs in a savepoint that is rolled back, so every example starts from the same
rows. `pytest -s` prints how many examples were tried.
"""

import collections
import datetime
import traceback
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import models, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Membership, User
from contacts import services as contact_services
from contacts.models import (
    AuditEntry,
    Collaborator,
    Goal,
    ImportJob,
    Interest,
    Kol,
    StageChange,
    TherapeuticArea,
    Topic,
)
from engagements.models import (
    Ask,
    EngagementPlan,
    FollowUp,
    Give,
    Question,
    Touchpoint,
    TouchpointInterest,
)
from events.models import Event, Opportunity
from reviews.models import StageReview
from tests.conftest import HTMX
from tests.engagements.factories import (
    AskFactory,
    FollowUpFactory,
    GiveFactory,
    TouchpointFactory,
)
from tests.factories import GoalFactory, InterestFactory, TopicFactory

EXAMPLES: collections.Counter[str] = collections.Counter()
STATUSES: collections.Counter[int] = collections.Counter()

# Every table a form can write to: an answer that refuses must leave all of them as they were.
TRACKED = [
    Kol,
    StageChange,
    Interest,
    Goal,
    Collaborator,
    Touchpoint,
    TouchpointInterest,
    FollowUp,
    Give,
    Ask,
    EngagementPlan,
    Question,
    Event,
    Opportunity,
    StageReview,
    AuditEntry,
    Topic,
    ImportJob,
    User,
    Membership,
]
REFUSED = {400, 403, 404, 405, 409, 422}


@pytest.fixture(scope="module", autouse=True)
def report_examples():
    yield
    total = sum(EXAMPLES.values())
    print(
        f"\nhostile forms: {total} examples over {len(EXAMPLES)} forms; statuses {dict(STATUSES)}"
    )


# Hostile values --------------------------------------------------------------------------

ODD_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "0000-00-00",
    "99999-01-01",
    "2024-02-30",
    "2024-13-01",
    "0001-01-01",
    "9999-12-31",
    "-0001-01-01",
    "0000-00-00T00:00",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "99999-12-31T23:59",
    "1e309",
    "NaN",
    "-inf",
    "-1",
    "0",
    "2147483648",
    "-9223372036854775809",
    "99999999999999999999999999999",
    "on",
    "true",
    "[]",
    "{}",
    "None",
    "\u202egnp.exe",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "😀" * 30,
    "x" * 5000,
    "\ufeff\u200b",
]
# Raw bytes, sent percent-encoded as they are: invalid UTF-8, an encoded lone surrogate.
ODD_BYTES = [b"\xff\xfe", b"\xed\xa0\x80", b"\xc0\xaf", b"\x00\xff", b"a\x80b"]

hostile_value = st.one_of(
    st.sampled_from(ODD_TEXT),
    st.sampled_from(ODD_BYTES),
    st.text(max_size=40),
    st.text(max_size=20).map(lambda s: f"{s}\x00{s}"),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.binary(max_size=12),
)


@st.composite
def payloads(draw, valid: dict[str, Any]) -> list[tuple[str, Any]]:
    """The valid submission with each field kept, dropped, replaced or repeated, plus extras."""
    pairs: list[tuple[str, Any]] = []
    for key, value in valid.items():
        how = draw(st.sampled_from(["keep", "keep", "drop", "hostile", "many"]))
        if how == "keep":
            values = value if isinstance(value, list) else [value]
            pairs += [(key, v) for v in values]
        elif how == "hostile":
            pairs.append((key, draw(hostile_value)))
        elif how == "many":
            pairs += [(key, v) for v in draw(st.lists(hostile_value, min_size=2, max_size=3))]
    names = st.sampled_from([*valid, "id", "pk", "owner", "kol", "by", "version", "__proto__"])
    pairs += draw(st.lists(st.tuples(names, hostile_value), max_size=2))
    return pairs


# The standing rows -----------------------------------------------------------------------


@dataclass
class World:
    owner: User
    teammate: User
    manager: User
    kol: Kol
    other_kol: Kol
    area: TherapeuticArea
    topic: Topic
    question: Question
    interest: Interest
    goal: Goal
    touchpoint: Touchpoint
    followup: FollowUp
    give: Give
    ask: Ask
    plan: EngagementPlan
    event: Event
    opportunity: Opportunity
    job: ImportJob


@pytest.fixture
def world(owner, teammate, manager, kol) -> World:
    topic = TopicFactory(name="HFpEF")
    event = Event.objects.create(
        name="ESC Congress",
        starts_on=datetime.date(2026, 8, 28),
        ends_on=datetime.date(2026, 8, 31),
        created_by=owner,
    )
    event.attendees.set([kol])
    opportunity = Opportunity.objects.create(
        kind="speaking", title="Grand rounds", created_by=owner
    )
    return World(
        owner=owner,
        teammate=teammate,
        manager=manager,
        kol=kol,
        other_kol=contact_services.kol_create(by=owner, data={"name": "Dr Ada Lovelace Jr"}),
        area=topic.area,
        topic=topic,
        question=Question.objects.filter(owner=None).first(),
        interest=InterestFactory(kol=kol, topic=topic),
        goal=GoalFactory(kol=kol),
        touchpoint=TouchpointFactory(kol=kol),
        followup=FollowUpFactory(kol=kol),
        give=GiveFactory(kol=kol, topic=topic),
        ask=AskFactory(kol=kol),
        plan=EngagementPlan.objects.create(kol=kol, objectives="Understand unmet needs"),
        event=event,
        opportunity=opportunity,
        job=ImportJob.objects.create(
            owner=owner,
            file_name="kols.csv",
            headers=["Name", "Institution"],
            rows=[["Dr Grace Hopper", "Yale"]],
        ),
    )


def _fresh_version(model: type[models.Model], pk: int) -> str:
    return str(model.objects.values_list("version", flat=True).get(pk=pk))


def _iso(day: datetime.date) -> str:
    return day.isoformat()


def _kol_fields(w: World) -> dict[str, Any]:
    return {
        "name": "Dr Ada King",
        "credentials": "MD",
        "specialty": "Cardiology",
        "institution": "St Thomas'",
        "city": "London",
        "country": "UK",
        "email": "ada@example.test",
        "phone": "+44 20 7946 0000",
        "profile_url": "https://example.test/ada",
        "therapeutic_areas": [str(w.area.pk)],
        "from_where": "London",
        "trained_at": "Cambridge",
        "passions": "Sailing",
        "preferred_channel": "email",
        "cadence_days": "60",
        "email_consent": "on",
        "email_consent_on": _iso(timezone.localdate()),
    }


def _touchpoint_fields(w: World) -> dict[str, Any]:
    return {
        "form_token": str(uuid.uuid4()),
        "kind": "meeting",
        "occurred_at": (timezone.localtime() - datetime.timedelta(hours=1)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "where": "Grand rounds",
        "topics": [str(w.topic.pk)],
        "summary": "Coffee after grand rounds",
        "they_said": "Referral is the bottleneck.",
        "feedback": "",
        "questions": [str(w.question.pk)],
        "questions_text": "",
        "next_steps": "Send the protocol",
        "stated_interest_kind": "research",
        "stated_interest_topic": str(w.topic.pk),
        "stated_interest_note": "Registry",
    }


def _prefixed(prefix: str, fields: dict[str, Any]) -> dict[str, Any]:
    return {f"{prefix}-{key}": value for key, value in fields.items()}


def _interest_fields(w: World) -> dict[str, Any]:
    return {
        "kind": "research",
        "topic": str(w.topic.pk),
        "new_topic_name": "",
        "new_topic_area": "",
        "provenance": "stated",
        "stated_on": _iso(timezone.localdate()),
        "assumption_status": "",
        "note": "Registry work",
        "give_cadence_days": "30",
    }


def _goal_fields(whose: str) -> dict[str, Any]:
    return {
        "whose": whose,
        "area": "professional",
        "text": "Lead an investigator-initiated study",
        "status": "open",
        "in_it_for_kol": "A first-author paper",
        "provenance": "stated",
        "stated_on": _iso(timezone.localdate()),
        "assumption_status": "",
    }


def _give_fields(w: World) -> dict[str, Any]:
    return {
        "kind": "literature",
        "topic": str(w.topic.pk),
        "given_on": _iso(timezone.localdate()),
        "note": "Summary",
        "response": "",
    }


def _ask_fields() -> dict[str, Any]:
    return {
        "kind": "speaking",
        "in_it_for_kol": "A talk at the national meeting",
        "asked_on": _iso(timezone.localdate()),
        "outcome": "",
    }


def _event_fields(w: World) -> dict[str, Any]:
    return {
        "name": "HFA Congress",
        "starts_on": "2026-05-10",
        "ends_on": "2026-05-12",
        "location": "Milan",
        "areas": [str(w.area.pk)],
        "topics": [str(w.topic.pk)],
        "attendees": [str(w.kol.pk)],
    }


def _opportunity_fields(w: World) -> dict[str, Any]:
    return {
        "kind": "publication",
        "title": "Review article",
        "description": "On HFpEF diagnosis",
        "topics": [str(w.topic.pk)],
        "deadline": _iso(timezone.localdate() + datetime.timedelta(days=30)),
    }


@dataclass(frozen=True)
class FormCase:
    name: str
    user: str
    url: Callable[[World], str]
    fields: Callable[[World], dict[str, Any]]
    # The row an edit changes: it must stay as it was when the answer refuses.
    watch: Callable[[World], models.Model] | None = None
    # Posted by htmx from the KOL page (and plainly without JavaScript); else plain only.
    htmx: bool = False


def _kol_url(name: str) -> Callable[[World], str]:
    return lambda w: reverse(name, args=[w.kol.pk])


CASES = [
    FormCase(
        "kol create",
        "owner",
        lambda w: reverse("contacts:kol_create"),
        lambda w: _kol_fields(w) | {"stage": "developing"},
    ),
    FormCase(
        "kol edit",
        "owner",
        _kol_url("contacts:kol_edit"),
        lambda w: _kol_fields(w) | {"version": _fresh_version(Kol, w.kol.pk)},
        watch=lambda w: w.kol,
    ),
    FormCase(
        "stage change",
        "owner",
        _kol_url("kol:kol_stage_change"),
        lambda w: {
            "to_stage": "developing",
            "reason": "Two-way contact",
            "version": _fresh_version(Kol, w.kol.pk),
        },
        watch=lambda w: w.kol,
        htmx=True,
    ),
    FormCase("interest add", "owner", _kol_url("kol:interest_add"), _interest_fields, htmx=True),
    FormCase(
        "interest edit",
        "owner",
        lambda w: reverse("kol:interest_edit", args=[w.kol.pk, w.interest.pk]),
        lambda w: _prefixed(f"interest{w.interest.pk}", _interest_fields(w)),
        watch=lambda w: w.interest,
        htmx=True,
    ),
    FormCase(
        "goal add (theirs)",
        "owner",
        lambda w: reverse("kol:goal_add", args=[w.kol.pk, "kol"]),
        lambda w: _prefixed("kolgoal", _goal_fields("kol")),
        htmx=True,
    ),
    FormCase(
        "goal add (ours)",
        "owner",
        lambda w: reverse("kol:goal_add", args=[w.kol.pk, "ours"]),
        lambda w: _prefixed("ourgoal", _goal_fields("ours")),
        htmx=True,
    ),
    FormCase(
        "goal edit",
        "owner",
        lambda w: reverse("kol:goal_edit", args=[w.kol.pk, w.goal.pk]),
        lambda w: _prefixed(f"goal{w.goal.pk}", _goal_fields("kol")),
        watch=lambda w: w.goal,
        htmx=True,
    ),
    FormCase(
        "collaborator add",
        "owner",
        _kol_url("kol:collaborator_add"),
        lambda w: {"user": str(w.teammate.pk), "role": "msl"},
        htmx=True,
    ),
    FormCase(
        "touchpoint add (inline)",
        "owner",
        _kol_url("kol:touchpoint_add"),
        _touchpoint_fields,
        htmx=True,
    ),
    FormCase(
        "touchpoint add (Log a touchpoint page)",
        "owner",
        lambda w: reverse("engagements:touchpoint_new"),
        lambda w: {"kol": str(w.kol.pk)} | _touchpoint_fields(w),
    ),
    FormCase(
        "touchpoint edit",
        "owner",
        lambda w: reverse("kol:touchpoint_edit", args=[w.kol.pk, w.touchpoint.pk]),
        lambda w: _touchpoint_fields(w) | {"version": _fresh_version(Touchpoint, w.touchpoint.pk)},
        watch=lambda w: w.touchpoint,
        htmx=True,
    ),
    FormCase(
        "follow-up add",
        "owner",
        _kol_url("kol:followup_add"),
        lambda w: {
            "followup-kind": "promised_resource",
            "followup-text": "Send the slides",
            "followup-due_on": _iso(timezone.localdate() + datetime.timedelta(days=3)),
        },
        htmx=True,
    ),
    FormCase(
        "follow-up snooze",
        "owner",
        lambda w: reverse("kol:followup_snooze", args=[w.kol.pk, w.followup.pk]),
        lambda w: {
            "days": "7",
            "until": _iso(timezone.localdate() + datetime.timedelta(days=3)),
            "next": "/today/",
        },
        watch=lambda w: w.followup,
        htmx=True,
    ),
    FormCase(
        "give add",
        "owner",
        _kol_url("kol:give_add"),
        lambda w: _prefixed("give", _give_fields(w)),
        htmx=True,
    ),
    FormCase(
        "give edit",
        "owner",
        lambda w: reverse("kol:give_edit", args=[w.kol.pk, w.give.pk]),
        lambda w: _prefixed(f"give{w.give.pk}", _give_fields(w)),
        watch=lambda w: w.give,
        htmx=True,
    ),
    FormCase(
        "ask add",
        "owner",
        _kol_url("kol:ask_add"),
        lambda w: _prefixed("ask", _ask_fields()),
        htmx=True,
    ),
    FormCase(
        "ask edit",
        "owner",
        lambda w: reverse("kol:ask_edit", args=[w.kol.pk, w.ask.pk]),
        lambda w: _prefixed(f"ask{w.ask.pk}", _ask_fields()),
        watch=lambda w: w.ask,
        htmx=True,
    ),
    FormCase(
        "plan edit",
        "owner",
        _kol_url("kol:plan_edit"),
        lambda w: {
            "objectives": "Understand unmet needs",
            "built_with_kol": "on",
            "kol_input": "They want a registry",
            "who_interacts": "Sam, MSL",
            "outcome_measures": "One study",
            "next_review_on": "2026-12-01",
            "version": _fresh_version(EngagementPlan, w.plan.pk),
        },
        watch=lambda w: w.plan,
        htmx=True,
    ),
    FormCase(
        "question add",
        "owner",
        lambda w: reverse("engagements:question_add"),
        lambda w: {"purpose": "challenges", "text": "What slows your referrals down?"},
        htmx=True,
    ),
    FormCase(
        "event create",
        "owner",
        lambda w: reverse("events:event_create"),
        _event_fields,
    ),
    FormCase(
        "event edit",
        "owner",
        lambda w: reverse("events:event_edit", args=[w.event.pk]),
        _event_fields,
        watch=lambda w: w.event,
    ),
    FormCase(
        "opportunity create",
        "owner",
        lambda w: reverse("events:opportunity_create"),
        _opportunity_fields,
    ),
    FormCase(
        "opportunity edit",
        "owner",
        lambda w: reverse("events:opportunity_edit", args=[w.opportunity.pk]),
        _opportunity_fields,
        watch=lambda w: w.opportunity,
    ),
    FormCase(
        "preferences",
        "owner",
        lambda w: reverse("preferences"),
        lambda w: {
            "display_name": "Olivia O.",
            "time_zone": "Europe/London",
            "digest_enabled": "on",
            "digest_time": "07:30",
            "immediate_follow_ups": "",
            "manager_summary_enabled": "on",
            "thank_you_after_days": "2",
        },
        watch=lambda w: w.owner,
    ),
    FormCase(
        "erase confirmation",
        "owner",
        _kol_url("privacy:kol_erase"),
        lambda w: {"confirm_name": w.kol.name},
        watch=lambda w: w.kol,
    ),
    FormCase(
        "merge",
        "owner",
        lambda w: reverse("contacts:merge", args=[w.kol.pk, w.other_kol.pk]),
        lambda w: {
            "confirm": "on",
            "survivor": str(w.kol.pk),
            "pick_name": str(w.kol.pk),
            "pick_institution": str(w.other_kol.pk),
        },
        watch=lambda w: w.kol,
    ),
    FormCase(
        "import mapping",
        "owner",
        lambda w: reverse("contacts:import_mapping", args=[w.job.pk]),
        lambda w: {"col_0": "name", "col_1": "institution", "update_duplicates": "on"},
        watch=lambda w: w.job,
    ),
    FormCase(
        "review add (manager)",
        "manager",
        _kol_url("kol:review_add"),
        lambda w: {"verdict": "suggest", "suggested_stage": "developing", "comment": "Ready"},
        htmx=True,
    ),
    FormCase(
        "team invite (manager)",
        "manager",
        lambda w: reverse("reviews:team_invite"),
        lambda w: {
            "display_name": "Nina New",
            "email": "nina@example.test",
            "role": "msl",
            "team": str(w.owner.memberships.get().team_id),
        },
    ),
    FormCase(
        "reassign (manager)",
        "manager",
        lambda w: reverse("reviews:reassign"),
        lambda w: {
            "from": str(w.owner.pk),
            "to": str(w.teammate.pk),
            "kols": [str(w.kol.pk), str(w.other_kol.pk)],
        },
        watch=lambda w: w.kol,
    ),
]


# What the database holds -----------------------------------------------------------------


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in TRACKED}


def _row(obj: models.Model) -> dict[str, Any] | None:
    return type(obj).objects.filter(pk=obj.pk).values().first()


def _rows_with_nul() -> list[str]:
    found = []
    for model in TRACKED:
        texts = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
        ]
        for values in model.objects.values_list("pk", *texts):
            if any(isinstance(v, str) and "\x00" in v for v in values[1:]):
                found.append(f"{model.__name__} {values[0]}")
    return found


def _says_what_is_wrong(body: str) -> bool:
    # Field errors (Django's errorlist, aria-invalid) or the page's error box (merge).
    return any(mark in body for mark in ('class="errorlist', 'aria-invalid="true"', 'role="alert"'))


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
@settings(
    max_examples=18,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_it_answers_hostile_posts_without_a_500_or_a_partial_save(world, case, data):
    user = getattr(world, case.user)
    client = Client()
    client.force_login(user)
    client.raise_request_exception = False
    htmx = case.htmx and data.draw(st.booleans(), label="htmx")
    with transaction.atomic():
        url = case.url(world)
        pairs = data.draw(payloads(case.fields(world)), label="payload")
        body = urllib.parse.urlencode(pairs)
        counts = _counts()
        watched = _row(case.watch(world)) if case.watch else None

        response = client.post(
            url, body, content_type="application/x-www-form-urlencoded", **(HTMX if htmx else {})
        )

        EXAMPLES[case.name] += 1
        STATUSES[response.status_code] += 1
        exc_info = getattr(response, "exc_info", None)
        crash = "".join(traceback.format_exception(*exc_info)) if exc_info else ""
        assert response.status_code < 500, crash
        if response.status_code in REFUSED:
            assert _counts() == counts, "a refused post saved something"
            if case.watch:
                assert _row(case.watch(world)) == watched, "a refused post changed the row"
        else:
            assert response.status_code in {200, 302}, response.status_code
        if response.status_code == 422:
            assert _says_what_is_wrong(response.content.decode()), "no field-level message"
        assert _rows_with_nul() == [], "a NUL byte reached the database"
        transaction.set_rollback(True)
