"""Reads for the stage board: the KOLs of a manager's teams with the evidence for their
stage, in one query whatever the number of KOLs (annotations, never a query per card)."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, IntegerField, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Membership, Team
from contacts.models import (
    DUE_SOON_DAYS,
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
    return Kol.objects.filter(owner_id__in=members, is_archived=False)


def _count(rows: QuerySet) -> Coalesce:
    """A per-KOL COUNT as a correlated subquery: no join, so no rows multiplied."""
    counted = rows.order_by().values("kol").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, timezone.get_default_timezone())


def with_evidence(kols: QuerySet[Kol], *, today: datetime.date) -> QuerySet[Kol]:
    """Annotate what the suggestion rules and the board cards need (still one query)."""
    window = today - datetime.timedelta(days=WINDOW_DAYS)
    year_ago = today - datetime.timedelta(days=365)
    two_way = Q(touchpoints__kind__in=TWO_WAY_KINDS)
    kol_goals = Goal.objects.filter(kol=OuterRef("pk"), whose=Goal.Whose.KOL).filter(STATED)
    return kols.annotate(
        two_way_90d=Count(
            "touchpoints", filter=two_way & Q(touchpoints__occurred_at__gte=_start_of(window))
        ),
        last_touchpoint_at=Max("touchpoints__occurred_at"),
        last_two_way_at=Max("touchpoints__occurred_at", filter=two_way),
        gives_90d=_count(Give.objects.filter(kol=OuterRef("pk"), given_on__gte=window)),
        gives_12m=_count(Give.objects.filter(kol=OuterRef("pk"), given_on__gte=year_ago)),
        asks_12m=_count(Ask.objects.filter(kol=OuterRef("pk"), asked_on__gte=year_ago)),
        stated_goals=_count(kol_goals),
        top_goal=Subquery(
            kol_goals.filter(status=Goal.Status.OPEN).order_by("pk").values("text")[:1]
        ),
    )


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
        days_since_contact=(today - kol.check_in_since).days,
        days_since_two_way=(today - two_way_since).days,
        cadence_days=kol.cadence,
    )


def evidence_for(kols: QuerySet[Kol], *, today: datetime.date) -> dict[int, Evidence]:
    """Evidence for many KOLs, by KOL id (one query)."""
    return {kol.pk: evidence_of(kol, today=today) for kol in with_evidence(kols, today=today)}


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


@dataclass(frozen=True)
class Column:
    stage: str
    label: str
    cards: list[Card]


def _check_in_window(status: str, today: datetime.date) -> Q:
    """Stored next check-in dates that can have this status (CheckInStatus.of confirms it;
    a KOL never refreshed has no stored date and is checked in Python)."""
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    window = {
        CheckInStatus.ON_TRACK: Q(next_check_in_on__gt=soon),
        CheckInStatus.DUE_SOON: Q(next_check_in_on__gte=today, next_check_in_on__lte=soon),
        CheckInStatus.OVERDUE: Q(next_check_in_on__lt=today),
        CheckInStatus.LONG_OVERDUE: Q(next_check_in_on__lt=today),
    }[status]
    return window | Q(next_check_in_on__isnull=True)


def board_cards(
    teams: list[Team],
    *,
    today: datetime.date,
    owner_id: int | None = None,
    area: TherapeuticArea | None = None,
    check_in: str | None = None,
    with_suggestion: bool = False,
) -> list[Card]:
    """The board's cards, sorted by name (one query; status and suggestion in Python)."""
    kols = team_kols(teams)
    if owner_id is not None:
        kols = kols.filter(owner_id=owner_id)
    if area is not None:
        in_area = Kol.therapeutic_areas.through.objects.filter(therapeuticarea=area)
        kols = kols.filter(pk__in=in_area.values("kol_id"))
    if check_in:
        kols = kols.filter(_check_in_window(check_in, today))
    rows = with_evidence(kols.select_related("owner"), today=today).order_by("name", "pk")
    cards = []
    for kol in rows:
        evidence = evidence_of(kol, today=today)
        card = Card(
            kol=kol,
            status=CheckInStatus.of(kol, today=today),
            balance=Balance(gives=kol.gives_12m, asks=kol.asks_12m),
            evidence=evidence,
            suggestion=suggest(evidence),
        )
        if check_in and card.status != check_in:
            continue
        if with_suggestion and card.suggestion is None:
            continue
        cards.append(card)
    return cards


def board_columns(cards: list[Card]) -> list[Column]:
    return [
        Column(
            stage=stage.value,
            label=stage.label,
            cards=[card for card in cards if card.kol.stage == stage],
        )
        for stage in Stage
    ]
