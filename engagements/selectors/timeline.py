"""The KOL timeline: touchpoints, gives, asks, stage changes and completed follow-ups."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
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


def kol_timeline(kol: Kol, *, kind: str = "", page: int = 1) -> TimelinePage:
    """One reverse-chronological page; one query per source whatever the page holds."""
    page = min(max(page, 1), MAX_PAGE)
    take = page * PAGE_SIZE + 1
    sources = {
        "touchpoint": lambda: [
            Entry("touchpoint", t.occurred_at, t)
            for t in Touchpoint.objects.filter(kol=kol)
            .select_related("by")
            .prefetch_related(
                # Plain lists: the template reads them without making a queryset per entry.
                Prefetch("topics", to_attr="topic_list"),
                Prefetch("questions", to_attr="question_list"),
            )[:take]
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
            for c in StageChange.objects.filter(kol=kol).select_related("changed_by")[:take]
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
