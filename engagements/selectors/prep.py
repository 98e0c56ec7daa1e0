"""Reads for the prep brief: a one-page view of the person before the next meeting."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from accounts.models import User
from contacts.models import AssumptionStatus, Goal, Interest, Kol, Provenance
from engagements.models import EngagementPlan, FollowUp, Question, Touchpoint
from engagements.selectors.ledger import Balance, kol_balance
from engagements.selectors.questions import normalise_text, suggested_questions

INTEREST_ASSUMPTIONS: dict[str, tuple[str, str]] = {
    Interest.Kind.RESEARCH: (
        "We assume you are interested in research{on}, perhaps an investigator-initiated study.",
        "Is that right? Which questions would you most like to study?",
    ),
    Interest.Kind.CLINICAL_TRIALS: (
        "We assume you are interested in clinical trials{on}.",
        "Is that right? What would make taking part worthwhile for you and your patients?",
    ),
    Interest.Kind.SPEAKING: (
        "We assume you are interested in speaking{on}.",
        "Is that right? Which audiences would you most like to reach?",
    ),
    Interest.Kind.PUBLICATIONS: (
        "We assume you are interested in writing and publishing{on}.",
        "Is that right? What would you like to publish next?",
    ),
    Interest.Kind.EDUCATION: (
        "We assume you are interested in educating fellows and physicians{on}.",
        "Is that right? Who do you most enjoy teaching, and what do they need?",
    ),
    Interest.Kind.CONTENT: (
        "We assume you are interested in creating content such as white papers{on}.",
        "Is that right? What would you want to write about?",
    ),
    Interest.Kind.ADVISORY: (
        "We assume you are interested in advisory work{on}.",
        "Is that right? What would make an advisory board worth your time?",
    ),
    Interest.Kind.DIGITAL: (
        "We assume you are interested in digital channels{on}.",
        "Is that right? Where online do you follow and share work in your field?",
    ),
    Interest.Kind.DISEASE_AREA: (
        "We assume {topic} matters to you.",
        "Is that right? What are the biggest challenges you face treating these patients?",
    ),
}


def interest_assumption_question(interest: Interest) -> str:
    """An assumed interest, turned into a question to ask (e.g. speaking on a topic)."""
    fallback = (
        f"We assume you are interested in {interest.get_kind_display().lower()}{{on}}.",
        "Is that right? What draws you to it?",
    )
    statement, question = INTEREST_ASSUMPTIONS.get(interest.kind, fallback)
    topic = interest.topic.name if interest.topic_id else ""
    statement = statement.format(
        on=f" on {topic}" if topic else "", topic=topic or "this disease area"
    )
    return f"{statement} {question}"


def goal_assumption_question(goal: Goal) -> str:
    """An assumed goal of theirs, turned into an open question."""
    text = normalise_text(goal.text).rstrip(".!?")
    if text.lower().startswith("to "):
        text = text[3:]
    # Lower the first letter unless it starts an acronym such as "HFpEF" or "IIS".
    if len(text) > 1 and not text[1].isupper():
        text = text[0].lower() + text[1:]
    return f"We understand you want to {text}. How are you thinking about it?"


@dataclass(frozen=True)
class AssumptionToTest:
    what: str  # what the assumption is about, e.g. "Speaking: Heart failure"
    question: str
    note: str = ""


def _open_assumption(item: Interest | Goal) -> bool:
    """Assumed and neither confirmed nor refuted: what "Assumed" and "to test" list."""
    return item.provenance == Provenance.ASSUMED and item.assumption_status == AssumptionStatus.OPEN


def assumptions_to_test(
    *, interests: Iterable[Interest], goals: Iterable[Goal]
) -> list[AssumptionToTest]:
    """Every open assumption (interests and the KOL's own goals) as a question."""
    tests = [
        AssumptionToTest(
            what=str(interest) if interest.topic_id else interest.get_kind_display(),
            question=interest_assumption_question(interest),
            note=interest.note,
        )
        for interest in interests
        if _open_assumption(interest)
    ]
    tests += [
        AssumptionToTest(what=f"Their goal: {goal.text}", question=goal_assumption_question(goal))
        for goal in goals
        if goal.whose == Goal.Whose.KOL and _open_assumption(goal)
    ]
    return tests


@dataclass(frozen=True)
class Promise:
    text: str
    promised_at: datetime.datetime
    done: bool = False


def promises_from(
    touchpoints: Iterable[Touchpoint], follow_ups: Iterable[FollowUp]
) -> list[Promise]:
    """The next-steps lines of `touchpoints`, minus those already listed as open follow-ups.

    A line whose follow-up (same touchpoint, same words) is done is kept and marked done.
    """
    by_source = {(f.source_touchpoint_id, normalise_text(f.text)): f for f in follow_ups}
    promises = []
    for touchpoint in touchpoints:
        for line in touchpoint.next_steps.splitlines():
            text = normalise_text(line).lstrip("-•* ").strip()
            if not text:
                continue
            follow_up = by_source.get((touchpoint.pk, text))
            if follow_up is not None and follow_up.status == FollowUp.Status.OPEN:
                continue  # already listed with the open follow-ups
            done = follow_up is not None and follow_up.status == FollowUp.Status.DONE
            promises.append(Promise(text=text, promised_at=touchpoint.occurred_at, done=done))
    return promises


@dataclass
class PrepBrief:
    kol: Kol
    therapeutic_areas: list
    kol_goals: list[Goal]
    stated_interests: list[Interest]
    assumed_interests: list[Interest]  # still open: the ones to test
    refuted_interests: list[Interest]  # they told us otherwise
    recent_touchpoints: list[Touchpoint]
    open_follow_ups: list[FollowUp]
    promises: list[Promise]
    assumptions: list[AssumptionToTest]
    suggested: list[Question]
    balance: Balance
    plan: EngagementPlan | None


RECENT_TOUCHPOINTS = 3


def prep_brief(*, kol: Kol, user: User) -> PrepBrief:
    """Everything the one-page brief shows, in a fixed number of queries."""
    interests = list(kol.interests.select_related("topic__area"))
    goals = list(kol.goals.filter(whose=Goal.Whose.KOL).order_by("pk"))
    recent = list(kol.touchpoints.order_by("-occurred_at", "-pk")[:RECENT_TOUCHPOINTS])
    open_follow_ups = list(
        kol.follow_ups.filter(status=FollowUp.Status.OPEN)
        .select_related("owner")
        .order_by("due_on", "pk")
    )
    recent_follow_ups = (
        FollowUp.objects.filter(source_touchpoint__in=[t.pk for t in recent]) if recent else []
    )
    return PrepBrief(
        kol=kol,
        therapeutic_areas=list(kol.therapeutic_areas.all()),
        kol_goals=goals,
        stated_interests=[i for i in interests if i.counts_as_stated],
        assumed_interests=[i for i in interests if _open_assumption(i)],
        refuted_interests=[i for i in interests if i.assumption_status == AssumptionStatus.REFUTED],
        recent_touchpoints=recent,
        open_follow_ups=open_follow_ups,
        promises=promises_from(recent, recent_follow_ups),
        assumptions=assumptions_to_test(interests=interests, goals=goals),
        suggested=suggested_questions(kol=kol, user=user),
        balance=kol_balance(kol),
        plan=EngagementPlan.objects.filter(kol=kol).first(),
    )
