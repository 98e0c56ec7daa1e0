"""Reads for the stage board: the KOLs of a manager's teams with the evidence for their
stage, in a fixed number of queries whatever the number of KOLs (grouped queries, never a
query per card). A column shows its first cards (COLUMN_STEP, more on request): the evidence
is gathered for the cards shown, or for every card when the suggestion filter needs it."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from accounts.models import Membership, Team
from common.expressions import in_ids
from contacts.models import (
    AssumptionStatus,
    CheckInStatus,
    Goal,
    Kol,
    Provenance,
    Stage,
    TherapeuticArea,
)
from engagements.models import Ask, Give, Touchpoint
from engagements.selectors.ledger import Balance
from reviews.suggestions import WINDOW_DAYS, Evidence, Suggestion, suggest

TWO_WAY_KINDS = sorted(set(Touchpoint.Kind.values) - set(Touchpoint.ONE_WAY_KINDS))
STATED = Q(provenance=Provenance.STATED) | Q(assumption_status=AssumptionStatus.CONFIRMED)


def team_kols(teams: list[Team]) -> QuerySet[Kol]:
    """Active KOLs owned by a member of these teams (the manager's view of kols_for_user)."""
    members = Membership.objects.filter(team__in=teams).values("user_id")
    return Kol.objects.filter(in_ids("owner_id", members), is_archived=False)


def _start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, timezone.get_default_timezone())


def _per_kol(rows: QuerySet, **aggregates) -> dict[int, dict]:
    """One grouped query: {kol id: {name: value}}."""
    return {
        row.pop("kol_id"): row for row in rows.order_by().values("kol_id").annotate(**aggregates)
    }


def attach_evidence(
    kols: list[Kol], *, today: datetime.date, among: QuerySet[Kol] | None = None
) -> list[Kol]:
    """Set on each KOL what the suggestion rules and the board cards need. `among`, a
    queryset holding them all, selects the rows by subquery instead of a list of ids (for
    thousands of KOLs).

    Five grouped queries over these KOLs' rows (hash aggregates), whatever their number: a
    join with GROUP BY on the KOL made PostgreSQL run every per-KOL count once per joined
    touchpoint (1.4 s for 2,000 KOLs in make bench)."""
    if not kols:
        return kols
    ids = among.order_by().values("pk") if among is not None else [kol.pk for kol in kols]
    window = today - datetime.timedelta(days=WINDOW_DAYS)
    year_ago = today - datetime.timedelta(days=365)
    two_way = Q(kind__in=TWO_WAY_KINDS)
    # Only columns of the indexes (kol, date[, kind]), counting a non-null column:
    # index-only scans.
    touchpoints = _per_kol(
        Touchpoint.objects.filter(kol_id__in=ids),
        two_way_90d=Count("kind", filter=two_way & Q(occurred_at__gte=_start_of(window))),
        last_touchpoint_at=Max("occurred_at"),
        last_two_way_at=Max("occurred_at", filter=two_way),
    )
    gives = _per_kol(
        Give.objects.filter(kol_id__in=ids, given_on__gte=min(window, year_ago)),
        gives_90d=Count("given_on", filter=Q(given_on__gte=window)),
        gives_12m=Count("given_on", filter=Q(given_on__gte=year_ago)),
    )
    asks = _per_kol(
        Ask.objects.filter(kol_id__in=ids, asked_on__gte=year_ago), asks_12m=Count("asked_on")
    )
    kol_goals = Goal.objects.filter(kol_id__in=ids, whose=Goal.Whose.KOL).filter(STATED)
    goals = _per_kol(kol_goals, stated_goals=Count("pk"))
    top_goals = {}
    open_goals = kol_goals.filter(status=Goal.Status.OPEN).order_by("kol_id", "pk")
    for kol_id, text in open_goals.values_list("kol_id", "text"):
        top_goals.setdefault(kol_id, text)
    for kol in kols:
        found = touchpoints.get(kol.pk, {})
        kol.two_way_90d = found.get("two_way_90d", 0)
        kol.last_touchpoint_at = found.get("last_touchpoint_at")
        kol.last_two_way_at = found.get("last_two_way_at")
        kol.gives_90d = gives.get(kol.pk, {}).get("gives_90d", 0)
        kol.gives_12m = gives.get(kol.pk, {}).get("gives_12m", 0)
        kol.asks_12m = asks.get(kol.pk, {}).get("asks_12m", 0)
        kol.stated_goals = goals.get(kol.pk, {}).get("stated_goals", 0)
        kol.top_goal = top_goals.get(kol.pk)
    return kols


def _local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localdate(moment, timezone.get_default_timezone())


def evidence_of(kol: Kol, *, today: datetime.date) -> Evidence:
    """The evidence record of a KOL annotated by `with_evidence`."""
    two_way_since = _local_day(kol.last_two_way_at or kol.created_at)
    return Evidence(
        stage=kol.stage,
        two_way_touchpoints=kol.two_way_90d,
        gives=kol.gives_90d,
        stated_goals=kol.stated_goals,
        days_since_contact=(today - _local_day(kol.last_interaction_at or kol.created_at)).days,
        days_since_two_way=(today - two_way_since).days,
        cadence_days=kol.cadence,
    )


@dataclass(frozen=True)
class Card:
    kol: Kol
    status: CheckInStatus
    balance: Balance
    evidence: Evidence
    suggestion: Suggestion | None

    @property
    def top_goal(self) -> str | None:
        return self.kol.top_goal

    @property
    def last_touchpoint_at(self) -> datetime.datetime | None:
        return self.kol.last_touchpoint_at


@dataclass
class Column:
    stage: str
    label: str
    cards: list[Card]  # the first ones, in name order
    total: int  # all the column's KOLs with these filters
    more_url: str = ""  # the view's links to show more (plain, and the column alone)
    more_part_url: str = ""

    @property
    def more(self) -> int:
        """How many to show after "Show more"."""
        return len(self.cards) + COLUMN_STEP


COLUMN_STEP = 10
COLUMN_MAX = 1000


@dataclass(frozen=True)
class BoardFilters:
    owner_id: int | None = None
    area: TherapeuticArea | None = None
    check_in: str | None = None
    with_suggestion: bool = False


def _filtered(teams: list[Team], filters: BoardFilters, today: datetime.date) -> QuerySet[Kol]:
    kols = team_kols(teams)
    if filters.owner_id is not None:
        kols = kols.filter(owner_id=filters.owner_id)
    if filters.area is not None:
        in_area = Kol.therapeutic_areas.through.objects.filter(therapeuticarea=filters.area)
        kols = kols.filter(pk__in=in_area.values("kol_id"))
    if filters.check_in:
        kols = kols.filter(CheckInStatus.window(filters.check_in, today))
    return kols.order_by("name", "pk")


def _board_kols(
    teams: list[Team], filters: BoardFilters, today: datetime.date
) -> tuple[QuerySet[Kol], list[Kol]]:
    """The filtered KOLs by name (one query; the check-in status is confirmed in Python),
    and the queryset they came from."""
    kols = _filtered(teams, filters, today)
    rows = list(kols.select_related("owner"))
    if filters.check_in:
        rows = [kol for kol in rows if CheckInStatus.of(kol, today=today) == filters.check_in]
    return kols, rows


def _board_stages(
    teams: list[Team], filters: BoardFilters, today: datetime.date
) -> list[tuple[int, str]]:
    """(id, stage) of the filtered KOLs by name: light rows, not thousands of objects."""
    if filters.check_in:
        return [(kol.pk, kol.stage) for kol in _board_kols(teams, filters, today)[1]]
    return list(_filtered(teams, filters, today).values_list("pk", "stage"))


def _card(kol: Kol, today: datetime.date) -> Card:
    evidence = evidence_of(kol, today=today)
    return Card(
        kol=kol,
        status=CheckInStatus.of(kol, today=today),
        balance=Balance(gives=kol.gives_12m, asks=kol.asks_12m),
        evidence=evidence,
        suggestion=suggest(evidence),
    )


def board_cards(
    teams: list[Team], *, today: datetime.date, filters: BoardFilters = BoardFilters()
) -> list[Card]:
    """Every card of the filtered board, by name (the CSV): seven queries."""
    queryset, kols = _board_kols(teams, filters, today)
    attach_evidence(kols, today=today, among=queryset)
    cards = [_card(kol, today) for kol in kols]
    return [card for card in cards if card.suggestion] if filters.with_suggestion else cards


def board_columns(
    teams: list[Team],
    *,
    today: datetime.date,
    filters: BoardFilters = BoardFilters(),
    shown: dict[str, int] | None = None,
) -> list[Column]:
    """A column per stage with its first `shown[stage]` cards (COLUMN_STEP by default) and
    its total. Evidence for the cards shown only, unless the suggestion filter needs every
    card's."""
    shown = shown or {}
    if filters.with_suggestion:
        everyone = board_cards(teams, today=today, filters=filters)
        by_stage = {stage: [c for c in everyone if c.kol.stage == stage] for stage in Stage}
        return [
            Column(stage.value, stage.label, cards[: shown.get(stage, COLUMN_STEP)], len(cards))
            for stage, cards in by_stage.items()
        ]
    rows = _board_stages(teams, filters, today)
    by_stage = {stage: [pk for pk, at in rows if at == stage] for stage in Stage}
    first = {stage: ids[: shown.get(stage, COLUMN_STEP)] for stage, ids in by_stage.items()}
    kols = Kol.objects.select_related("owner").in_bulk([pk for ids in first.values() for pk in ids])
    attach_evidence(list(kols.values()), today=today)
    return [
        Column(stage.value, stage.label, [_card(kols[pk], today) for pk in first[stage]], len(ids))
        for stage, ids in by_stage.items()
    ]
