"""What is due for a person on their day: the lists Today shows, and the digest emails.

One function answers it for every reader (the Today page, the daily digest, "send me my
digest now"), so the page and the email cannot disagree: the same visibility rule, the same
local date, the same check-in state.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet, Window

from accounts.models import User
from contacts.models import Kol, is_check_in_due
from engagements.models import FollowUp
from engagements.selectors import followups as selectors
from engagements.selectors.nudges import (
    EventNudge,
    LiteratureNudge,
    event_nudges,
    literature_nudges,
)

SECTIONS = ("due", "check_ins", "upcoming")
# An email lists this many of each at most; the rest is one link away.
EMAIL_LIMIT = 50


def first(rows: QuerySet, limit: int) -> tuple[list, int]:
    """The first `limit` rows and how many there are in all (a window count in the same
    query: one query per list whatever the numbers)."""
    shown = list(rows.annotate(total_rows=Window(Count("pk")))[:limit])
    return shown, (shown[0].total_rows if shown else 0)


def first_then_count(rows: QuerySet, count: QuerySet, limit: int) -> tuple[list, int]:
    """As `first`, for lists with a cheaper query to count them than a window over the rows
    (followups._my_open_followups). Two queries, whatever the rows (counting only full
    lists would make the number of queries depend on the data)."""
    return list(rows[:limit]), count.count()


@dataclass
class TodayLists:
    today: datetime.date
    due: list[FollowUp] = field(default_factory=list)
    due_total: int = 0
    check_ins: list[Kol] = field(default_factory=list)
    check_ins_total: int = 0
    upcoming: list[FollowUp] = field(default_factory=list)
    upcoming_total: int = 0
    gives: list[Kol] = field(default_factory=list)
    gives_total: int = 0
    literature: list[LiteratureNudge] = field(default_factory=list)
    events: list[EventNudge] = field(default_factory=list)

    @property
    def overdue(self) -> list[FollowUp]:
        return [f for f in self.due if f.due_on < self.today]

    @property
    def due_today(self) -> list[FollowUp]:
        return [f for f in self.due if f.due_on >= self.today]

    @property
    def check_ins_due(self) -> list[Kol]:
        return [k for k in self.check_ins if is_check_in_due(k, self.today)]

    @property
    def has_something_due(self) -> bool:
        """What a digest is sent for: something to act on today. Check-ins only due later
        this week and suggested gives ride along in the email, they do not start one."""
        return bool(self.due_total or self.check_ins_due or self.literature or self.events)


def today_lists(
    user: User, *, today: datetime.date, limits: dict[str, int] | None = None
) -> TodayLists:
    """Everything due for `user` on their `today` (a fixed number of queries)."""
    limits = dict.fromkeys(SECTIONS, EMAIL_LIMIT) | (limits or {})
    lists = TodayLists(today=today)
    lists.due, lists.due_total = first_then_count(
        *selectors.followups_due(user, today=today), limits["due"]
    )
    lists.check_ins, lists.check_ins_total = first(
        selectors.check_ins_this_week(user, today=today), limits["check_ins"]
    )
    lists.upcoming, lists.upcoming_total = first_then_count(
        *selectors.followups_upcoming(user, today=today), limits["upcoming"]
    )
    lists.gives, lists.gives_total = first(
        selectors.suggested_gives(user, today=today), selectors.SUGGESTED_GIVES_LIMIT
    )
    lists.literature = literature_nudges(owner_ids=[user.pk], today=today)
    lists.events = event_nudges(owner_ids=[user.pk], today=today)
    return lists
