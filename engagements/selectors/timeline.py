"""The KOL timeline: touchpoints, gives, asks, stage changes and completed follow-ups."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Value
from django.utils import timezone

from contacts.models import Kol, StageChange
from engagements.models import Ask, FollowUp, Give, Touchpoint

PAGE_SIZE = 20
# ?page=99999999999999999999 made a LIMIT the database rejects (a 500): pages stop here.
MAX_PAGE = 1000
KINDS = {
    "touchpoint": "Touchpoints",
    "give": "Gives",
    "ask": "Asks",
    "stage": "Stage changes",
    "followup": "Completed follow-ups",
}


@dataclass(frozen=True)
class Entry:
    kind: str
    at: datetime.datetime
    obj: Any


@dataclass(frozen=True)
class TimelinePage:
    entries: list[Entry]
    number: int
    has_next: bool
    kind: str

    @property
    def next_number(self) -> int:
        return self.number + 1


def _at_noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(12, 0, tzinfo=timezone.get_default_timezone())
    )


def with_topics_and_questions(touchpoints: list[Touchpoint]) -> list[Touchpoint]:
    """Set `topic_names` and `question_texts` on each touchpoint, in the order their models
    list them, from one query (a UNION of the two link tables) instead of two prefetches."""
    by_pk = {touchpoint.pk: touchpoint for touchpoint in touchpoints}
    for touchpoint in touchpoints:
        touchpoint.topic_names, touchpoint.question_texts = [], []
    if not by_pk:
        return touchpoints
    topics = (
        Touchpoint.topics.through.objects.filter(touchpoint_id__in=by_pk)
        .annotate(kind=Value("topic"), sort=F("topic__area__name"), text=F("topic__name"))
        .values_list("touchpoint_id", "kind", "sort", "topic_id", "text")
    )
    questions = (
        Touchpoint.questions.through.objects.filter(touchpoint_id__in=by_pk)
        .annotate(kind=Value("question"), sort=F("question__purpose"), text=F("question__text"))
        .values_list("touchpoint_id", "kind", "sort", "question_id", "text")
    )
    # Topic order: area, then name; question order: purpose, then pk (their Meta.ordering).
    rows = sorted(
        topics.union(questions, all=True),
        key=lambda r: (r[2], r[4] if r[1] == "topic" else "", r[3]),
    )
    for touchpoint_id, kind, _sort, _pk, text in rows:
        touchpoint = by_pk[touchpoint_id]
        (touchpoint.topic_names if kind == "topic" else touchpoint.question_texts).append(text)
    return touchpoints


def kol_timeline(
    kol: Kol, *, kind: str = "", page: int = 1, stage_changes: Iterable | None = None
) -> TimelinePage:
    """One reverse-chronological page; one query per source whatever the page holds.

    `stage_changes`: all of the KOL's stage changes with `changed_by`, when the caller has
    them already (the KOL page's stage panel): the timeline takes them instead of a query.
    """
    page = min(max(page, 1), MAX_PAGE)
    take = page * PAGE_SIZE + 1
    sources = {
        "touchpoint": lambda: [
            Entry("touchpoint", t.occurred_at, t)
            for t in with_topics_and_questions(
                list(Touchpoint.objects.filter(kol=kol).select_related("by")[:take])
            )
        ],
        "give": lambda: [
            Entry("give", _at_noon(g.given_on), g)
            for g in Give.objects.filter(kol=kol).select_related("by", "topic")[:take]
        ],
        "ask": lambda: [
            Entry("ask", _at_noon(a.asked_on), a)
            for a in Ask.objects.filter(kol=kol).select_related("by")[:take]
        ],
        "stage": lambda: [
            Entry("stage", c.changed_at, c)
            for c in (
                stage_changes
                if stage_changes is not None
                else StageChange.objects.filter(kol=kol).select_related("changed_by")[:take]
            )
        ],
        "followup": lambda: [
            Entry("followup", f.done_at, f)
            for f in FollowUp.objects.filter(kol=kol, status=FollowUp.Status.DONE)
            .exclude(done_at=None)
            .select_related("owner")
            .order_by("-done_at")[:take]
        ],
    }
    chosen = [kind] if kind in sources else list(sources)
    entries = sorted(
        (entry for name in chosen for entry in sources[name]()),
        key=lambda e: e.at,
        reverse=True,
    )
    start = (page - 1) * PAGE_SIZE
    return TimelinePage(
        entries=entries[start : start + PAGE_SIZE],
        number=page,
        has_next=len(entries) > start + PAGE_SIZE,
        kind=kind if kind in sources else "",
    )
