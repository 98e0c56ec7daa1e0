"""Reads for the manager's desk ("Needs you"): what waits on the manager across their teams.

Three lists, each worst or oldest first with its total: overdue check-ins, stage
suggestions, and reviews not yet written. A fixed number of queries whatever the rows: the
board's cards (seven queries) give the suggestions, two grouped queries the stage changes
and reviews, one windowed query the overdue check-ins.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Max, Q

from accounts.models import Team, User
from contacts.models import CheckInStatus, Kol, StageChange, check_in_due_by
from engagements.selectors.today import first
from reviews.models import StageReview
from reviews.selectors.board import Card, board_cards, team_kols

SHOWN = 5  # the worst few of each list; the rest is one link away
# A stage move older than this no longer asks for a review (the board still shows it).
MOVE_REVIEW_DAYS = 90


@dataclass(frozen=True)
class OverdueCheckIn:
    kol: Kol
    status: CheckInStatus
    days_overdue: int


@dataclass(frozen=True)
class UnwrittenReview:
    card: Card
    moved_at: datetime.datetime | None  # a stage move not reviewed since, else None
    reviewed_at: datetime.datetime | None  # the last review of the KOL, at an older stage

    @property
    def kol(self) -> Kol:
        return self.card.kol


@dataclass
class Desk:
    today: datetime.date
    overdue: list[OverdueCheckIn] = field(default_factory=list)
    overdue_total: int = 0
    suggestions: list[Card] = field(default_factory=list)
    suggestions_total: int = 0
    reviews: list[UnwrittenReview] = field(default_factory=list)
    reviews_total: int = 0

    @property
    def is_clear(self) -> bool:
        return not (self.overdue_total or self.suggestions_total or self.reviews_total)


def overdue_check_ins(
    teams: list[Team], *, today: datetime.date, limit: int = SHOWN
) -> tuple[list[OverdueCheckIn], int]:
    """The team's active KOLs past their check-in (as the overview counts them), the longest
    overdue first, and how many there are (one query)."""
    rows = (
        team_kols(teams)
        .filter(check_in_due_by(today - datetime.timedelta(days=1)))
        .select_related("owner")
        .order_by("next_check_in_on", "name", "pk")
    )
    kols, total = first(rows, limit)
    return [
        OverdueCheckIn(
            kol=kol,
            status=CheckInStatus.of(kol, today=today),
            days_overdue=(today - kol.next_check_in).days,
        )
        for kol in kols
    ], total


def _suggestion_rank(card: Card) -> tuple:
    # At risk first, then the longest without contact.
    return (not card.suggestion.is_at_risk, -card.evidence.days_since_contact, card.kol.name)


def unwritten_reviews(
    teams: list[Team], cards: list[Card], *, now: datetime.datetime
) -> list[UnwrittenReview]:
    """KOLs whose stage waits for the manager's word: a suggestion, or a stage move in the
    last MOVE_REVIEW_DAYS, with no stage review since the stage was last set. Two grouped
    queries over the team's KOLs (`cards`, the board's cards of `teams`)."""
    ids = team_kols(teams).order_by().values("pk")
    changes = {
        row["kol_id"]: row
        for row in StageChange.objects.filter(kol_id__in=ids)
        .values("kol_id")
        .order_by()
        .annotate(set_at=Max("changed_at"), moved_at=Max("changed_at", filter=~Q(from_stage="")))
    }
    reviewed = dict(
        StageReview.objects.filter(kol_id__in=ids)
        .values("kol_id")
        .order_by()
        .annotate(at=Max("at"))
        .values_list("kol_id", "at")
    )
    recent = now - datetime.timedelta(days=MOVE_REVIEW_DAYS)
    waiting = []
    for card in cards:
        change = changes.get(card.kol.pk, {})
        set_at = change.get("set_at") or card.kol.created_at
        moved_at = change.get("moved_at")
        reviewed_at = reviewed.get(card.kol.pk)
        if reviewed_at is not None and reviewed_at >= set_at:
            continue  # this stage has had its review
        moved = moved_at if moved_at is not None and moved_at >= recent else None
        if card.suggestion or moved:
            waiting.append(UnwrittenReview(card=card, moved_at=moved, reviewed_at=reviewed_at))
    # The newest move first, then the suggestions as ranked.
    moved_first = sorted((r for r in waiting if r.moved_at), key=lambda r: r.moved_at, reverse=True)
    return moved_first + [r for r in waiting if not r.moved_at]


def manager_desk(
    teams: list[Team], *, today: datetime.date, now: datetime.datetime, limit: int = SHOWN
) -> Desk:
    """What needs a manager of `teams` on their `today`."""
    desk = Desk(today=today)
    desk.overdue, desk.overdue_total = overdue_check_ins(teams, today=today, limit=limit)
    cards = board_cards(teams, today=today)
    suggested = sorted((card for card in cards if card.suggestion), key=_suggestion_rank)
    desk.suggestions, desk.suggestions_total = suggested[:limit], len(suggested)
    reviews = unwritten_reviews(teams, cards, now=now)
    desk.reviews, desk.reviews_total = reviews[:limit], len(reviews)
    return desk


def owns_kols(user: User) -> bool:
    """Whether a manager also looks after KOLs of their own (one query): their Today matters."""
    return Kol.objects.filter(owner=user, is_archived=False).exists()
