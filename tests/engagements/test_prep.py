"""The prep brief: one printable page, leading with the person, for the next meeting."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contacts.models import (
    AssumptionStatus,
    Collaborator,
    Goal,
    Interest,
    Kol,
    Provenance,
    Topic,
)
from engagements.models import FollowUp, Question, Touchpoint
from engagements.selectors.prep import goal_assumption_question, interest_assumption_question
from tests.conftest import client_for
from tests.engagements.factories import (
    AskFactory,
    EngagementPlanFactory,
    FollowUpFactory,
    GiveFactory,
    TouchpointFactory,
)
from tests.factories import GoalFactory, InterestFactory, TopicFactory


def brief_url(kol: Kol) -> str:
    return reverse("engagements:prep_brief", args=[kol.pk])


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def full_kol(kol, owner):
    """A KOL with something in every part of the brief."""
    Kol.objects.filter(pk=kol.pk).update(
        credentials="MD, PhD",
        from_where="Lagos",
        trained_at="Johns Hopkins",
        passions="Sailing and jazz",
        preferred_channel=Kol.Channel.VIDEO,
    )
    kol.refresh_from_db()
    hf = TopicFactory(name="Heart failure")
    InterestFactory(kol=kol, kind=Interest.Kind.RESEARCH, topic=TopicFactory(name="Registries"))
    InterestFactory(
        kol=kol,
        kind=Interest.Kind.SPEAKING,
        topic=hf,
        provenance=Provenance.ASSUMED,
        assumption_status=AssumptionStatus.OPEN,
        note="Spoke at ESC last year",
    )
    InterestFactory(
        kol=kol,
        kind=Interest.Kind.PUBLICATIONS,
        topic=None,
        provenance=Provenance.ASSUMED,
        assumption_status=AssumptionStatus.REFUTED,
    )
    GoalFactory(kol=kol, text="Lead an investigator-initiated study")
    GoalFactory(
        kol=kol,
        text="Train more fellows in echo",
        provenance=Provenance.ASSUMED,
        assumption_status=AssumptionStatus.OPEN,
    )
    GoalFactory(
        kol=kol,
        whose=Goal.Whose.OURS,
        text="Learn about unmet needs",
        provenance=Provenance.ASSUMED,
        assumption_status=AssumptionStatus.OPEN,
    )
    TouchpointFactory(kol=kol, occurred_at=days_ago(90), they_said="An old remark, long ago.")
    TouchpointFactory(
        kol=kol,
        occurred_at=days_ago(30),
        kind=Touchpoint.Kind.CONGRESS,
        they_said="Primary care refers too late.",
        feedback="Your slides were too promotional.",
        is_criticism=True,
    )
    TouchpointFactory(kol=kol, occurred_at=days_ago(20), feedback="The summary was useful.")
    latest = TouchpointFactory(
        kol=kol,
        occurred_at=days_ago(10),
        kind=Touchpoint.Kind.VIRTUAL,
        they_said="We need better registry data.",
        next_steps="Send the registry protocol\nIntroduce to the data team\n",
    )
    FollowUpFactory(kol=kol, text="Send the registry protocol", source_touchpoint=latest)
    FollowUpFactory(kol=kol, text="Already sent the ESC overview", status=FollowUp.Status.DONE)
    AskFactory(kol=kol)
    AskFactory(kol=kol)
    GiveFactory(kol=kol)
    EngagementPlanFactory(kol=kol, objectives="Co-design a registry sub-study")
    return kol


def test_it_shows_the_owner_a_brief_that_leads_with_the_person(full_kol, owner_client):
    response = owner_client.get(brief_url(full_kol))

    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        "Dr Ada Lovelace, MD, PhD",
        "St Thomas&#x27; Hospital",
        "Lagos",
        "Johns Hopkins",
        "Sailing and jazz",
        "Video call",
    ]:
        assert text in html, text
    order = [
        "Dr Ada Lovelace, MD, PhD",
        "Their goals",
        "Their interests",
        "What they said lately",
        "Assumptions to test",
        "Questions to ask",
        "Open follow-ups and promises",
        "Give and ask, last 12 months",
        "Engagement plan",
    ]
    positions = [html.index(text) for text in order]
    assert positions == sorted(positions)


def test_it_keeps_stated_and_assumed_interests_apart(full_kol, owner_client):
    html = owner_client.get(brief_url(full_kol)).content.decode()
    stated, assumed = html.split("Assumed: not confirmed")
    assert "Research / investigator-initiated studies: Registries" in stated.split("Stated:")[1]
    assert "Speaking: Heart failure" in assumed.split("</section>")[0]
    assert "Assumed, refuted" in assumed.split("</section>")[0]


def test_it_shows_what_they_said_in_the_last_three_touchpoints(full_kol, owner_client):
    html = owner_client.get(brief_url(full_kol)).content.decode()
    said = html.split("What they said lately")[1].split("Assumptions to test")[0]
    assert "We need better registry data." in said
    assert "Primary care refers too late." in said
    assert "Virtual meeting" in said and "Congress conversation" in said
    assert "Criticism:</strong> Your slides were too promotional." in said
    assert "<strong>Feedback:</strong> The summary was useful." in said
    assert "An old remark, long ago." not in html


def test_it_turns_open_assumptions_into_questions(full_kol, owner_client):
    html = owner_client.get(brief_url(full_kol)).content.decode()
    assumptions = html.split("Assumptions to test")[1].split("Questions to ask")[0]
    assert (
        "We assume you are interested in speaking on Heart failure. Is that right?" in assumptions
    )
    assert "Spoke at ESC last year" in assumptions
    assert (
        "We understand you want to train more fellows in echo. How are you thinking about it?"
        in assumptions
    )
    # Refuted interests, stated goals and our own goals are not assumptions to test.
    assert "publishing" not in assumptions
    assert "investigator-initiated study. How" not in assumptions
    assert "unmet needs" not in assumptions


def test_it_suggests_open_ended_questions_not_yet_asked(full_kol, owner, owner_client):
    asked = Question.objects.get(text="What resources would help your practice most right now?")
    Touchpoint.objects.filter(kol=full_kol).first().questions.add(asked)

    html = owner_client.get(brief_url(full_kol)).content.decode()
    questions = html.split("Questions to ask")[1].split("Open follow-ups")[0]

    assert questions.count("<q>") == 5
    for label in Question.Purpose.labels:
        assert label in questions
    assert asked.text not in questions


def test_it_lists_open_follow_ups_and_promises_once(full_kol, owner_client):
    html = owner_client.get(brief_url(full_kol)).content.decode()
    promises = html.split("Open follow-ups and promises")[1].split("Give and ask")[0]
    assert promises.count("Send the registry protocol") == 1
    assert "Introduce to the data team" in promises
    assert "Already sent the ESC overview" not in promises


def test_it_warns_when_asks_outnumber_gives(full_kol, owner_client):
    html = owner_client.get(brief_url(full_kol)).content.decode()
    assert "1 give, 2 asks." in html
    assert "We have asked more than we have given." in html


def test_it_does_not_warn_when_gives_keep_up(kol, owner_client):
    GiveFactory(kol=kol)
    AskFactory(kol=kol)
    AskFactory(kol=kol, asked_on=timezone.localdate() - datetime.timedelta(days=400))
    html = owner_client.get(brief_url(kol)).content.decode()
    assert "1 give, 1 ask." in html
    assert "We have asked more than we have given." not in html


def test_it_shows_the_plan_objectives(full_kol, owner_client):
    html = owner_client.get(brief_url(full_kol)).content.decode()
    assert "Co-design a registry sub-study" in html


def test_it_says_so_when_there_is_nothing_yet(kol, owner_client):
    html = owner_client.get(brief_url(kol)).content.decode()
    assert "No engagement plan yet." in html
    assert "No touchpoints yet: this is a first meeting." in html
    assert "No open assumptions" in html
    assert "Nothing open: no promises waiting to be kept." in html
    assert "No goals recorded." in html


def test_it_is_printable_without_inline_script_or_style(full_kol, owner_client):
    html = owner_client.get(brief_url(full_kol)).content.decode()
    assert '<link rel="stylesheet" href="/static/css/prep.css">' in html
    assert "Print (Ctrl+P" in html
    assert "style=" not in html
    assert "<script>" not in html and "onclick" not in html


# Who may see it --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["outsider", "teammate", "other_manager"])
def test_it_is_a_404_for_those_who_cannot_see_the_kol(request, kol, who):
    client = client_for(request.getfixturevalue(who))
    assert client.get(brief_url(kol)).status_code == 404


def test_it_shows_a_collaborator_and_a_manager_the_brief(kol, teammate, manager_client):
    Collaborator.objects.create(kol=kol, user=teammate)
    for client in [client_for(teammate), manager_client]:
        response = client.get(brief_url(kol))
        assert response.status_code == 200
        assert "Dr Ada Lovelace" in response.content.decode()


def test_it_sends_anonymous_users_to_login(client, kol):
    response = client.get(brief_url(kol))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_refuses_the_wrong_method(kol, owner_client):
    assert owner_client.post(brief_url(kol)).status_code == 405


def test_it_is_a_404_for_a_missing_kol(owner_client):
    assert owner_client.get("/kols/999999/prep/").status_code == 404


# Queries ---------------------------------------------------------------------------------


def _fill(kol, *, count: int) -> None:
    TouchpointFactory.create_batch(
        count, kol=kol, feedback="Fine", next_steps="Send a paper\nCall back"
    )
    InterestFactory.create_batch(
        count // 5 + 1, kol=kol, provenance="assumed", assumption_status="open"
    )
    GoalFactory.create_batch(
        count // 5 + 1, kol=kol, provenance="assumed", assumption_status="open"
    )
    FollowUpFactory.create_batch(count // 5 + 1, kol=kol)


def test_it_runs_the_same_queries_for_5_or_300_touchpoints(
    owner, owner_client, kol_factory, django_assert_max_num_queries
):
    small, large = kol_factory(owner=owner), kol_factory(owner=owner)
    _fill(small, count=5)
    _fill(large, count=300)
    EngagementPlanFactory(kol=large)

    counts = []
    for kol in [small, large]:
        with CaptureQueriesContext(connection) as queries:
            assert owner_client.get(brief_url(kol)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]

    # session (read and touch), user, KOL, then one query per part of the brief
    with django_assert_max_num_queries(16):  # incl. the nav's manager check
        owner_client.get(brief_url(large))


# The assumption questions ----------------------------------------------------------------


@pytest.mark.parametrize("kind", Interest.Kind.values)
def test_it_has_an_open_question_for_every_kind_of_interest(kind):
    topic = Topic(pk=1, name="Amyloidosis")
    with_topic = Interest(kind=kind, topic=topic)
    without = Interest(kind=kind)
    for interest in [with_topic, without]:
        question = interest_assumption_question(interest)
        assert question.startswith("We assume ")
        assert "Is that right?" in question
        assert question.endswith("?")
    assert "Amyloidosis" in interest_assumption_question(with_topic)
    assert "{" not in interest_assumption_question(without)


@pytest.mark.parametrize(
    "text, question",
    [
        ("Lead an IIS.", "We understand you want to lead an IIS. How are you thinking about it?"),
        ("to publish more", "We understand you want to publish more. How are you thinking"),
        ("HFpEF registry lead", "We understand you want to HFpEF registry lead."),
    ],
)
def test_it_phrases_an_assumed_goal_as_a_question(text, question):
    assert goal_assumption_question(Goal(text=text)).startswith(question)


# A refuted assumption (issue 17) ----------------------------------------------------------


def _between(html: str, start: str, end: str) -> str:
    begin = html.index(start)
    return html[begin : html.index(end, begin)]


def test_a_refuted_assumption_is_neither_assumed_nor_to_test_and_is_shown_struck(kol, owner_client):
    InterestFactory(
        kol=kol,
        kind=Interest.Kind.SPEAKING,
        topic=TopicFactory(name="Amyloidosis"),
        provenance=Provenance.ASSUMED,
        assumption_status=AssumptionStatus.REFUTED,
    )

    html = owner_client.get(brief_url(kol)).content.decode()

    assumed = _between(html, "Assumed: not confirmed by them", "</section>")
    assert "No open assumptions." in assumed
    assert "<del>Speaking: Amyloidosis</del>" in _between(html, "Refuted:", "</ul>")
    assert "No open assumptions to test." in html


def test_the_kol_page_keeps_a_refuted_assumption_out_of_what_we_assume(kol, owner_client):
    topic = TopicFactory(name="Amyloidosis")
    InterestFactory(
        kol=kol,
        kind=Interest.Kind.SPEAKING,
        topic=topic,
        provenance=Provenance.ASSUMED,
        assumption_status=AssumptionStatus.REFUTED,
    )
    InterestFactory(
        kol=kol,
        kind=Interest.Kind.ADVISORY,
        provenance=Provenance.ASSUMED,
        assumption_status=AssumptionStatus.OPEN,
    )

    html = owner_client.get(reverse("kol:kol_detail", args=[kol.pk])).content.decode()

    assumed = _between(html, "What we assume", "</ul>")
    assert "Advisory work" in assumed
    assert "Amyloidosis" not in assumed
    assert "Assumed, refuted" in _between(html, "What they told us", "</ul>")
