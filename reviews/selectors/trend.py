"""Reads for the overview's trend: touchpoints per week for each MSL over the period, and
the team's stage moves per week. Two grouped queries whatever the number of MSLs and rows.

Weeks start on Monday, in the active time zone (the signed-in manager's); the first week is
the one holding the period's first day, so it may be partial, as the current one is.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, DateField, F, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone

from accounts.models import User
from contacts.models import StageChange, TherapeuticArea
from engagements.models import Touchpoint
from reviews.selectors.overview import moves_q


@dataclass(frozen=True)
class MslSeries:
    msl: User
    touchpoints: list[int]  # one count per week, oldest first

    @property
    def total(self) -> int:
        return sum(self.touchpoints)


@dataclass(frozen=True)
class Trend:
    weeks: list[datetime.date]  # each week's Monday, oldest first
    series: list[MslSeries]
    moves_forward: list[int]  # the team's stage moves per week
    moves_back: list[int]

    @property
    def rows(self) -> list[tuple[datetime.date, list[int], int, int]]:
        """Week by week, for the table that holds the chart's numbers."""
        return [
            (
                week,
                [s.touchpoints[i] for s in self.series],
                self.moves_forward[i],
                self.moves_back[i],
            )
            for i, week in enumerate(self.weeks)
        ]


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def _week(field: str) -> TruncWeek:
    return TruncWeek(field, output_field=DateField(), tzinfo=timezone.get_current_timezone())


def team_trend(
    *,
    msls: list[User],
    days: int,
    area: TherapeuticArea | None = None,
    today: datetime.date | None = None,
) -> Trend:
    """Touchpoints per week per MSL and stage moves per week over the last `days` days."""
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=days)
    # As the overview's table counts its period: from this moment `days` ago.
    since_at = timezone.now() - datetime.timedelta(days=days)
    first = monday_of(since)
    weeks = [
        first + datetime.timedelta(weeks=n) for n in range((monday_of(today) - first).days // 7 + 1)
    ]
    index = {week: n for n, week in enumerate(weeks)}
    owner_ids = [msl.pk for msl in msls]
    kol_area = Q(kol__therapeutic_areas=area) if area else Q()

    counts = {msl.pk: [0] * len(weeks) for msl in msls}
    touchpoints = (
        Touchpoint.objects.filter(kol_area, kol__owner_id__in=owner_ids, occurred_at__gte=since_at)
        .values(owner=F("kol__owner_id"), week=_week("occurred_at"))
        .order_by()
        .annotate(n=Count("occurred_at"))
    )
    for row in touchpoints:
        if row["week"] in index:
            counts[row["owner"]][index[row["week"]]] += row["n"]

    forward, back = [0] * len(weeks), [0] * len(weeks)
    moves = (
        StageChange.objects.filter(kol_area, kol__owner_id__in=owner_ids, changed_at__gte=since_at)
        .exclude(from_stage="")
        .values(week=_week("changed_at"))
        .order_by()
        .annotate(
            forward=Count("pk", filter=moves_q("forward")), back=Count("pk", filter=moves_q("back"))
        )
    )
    for row in moves:
        if row["week"] in index:
            forward[index[row["week"]]] += row["forward"]
            back[index[row["week"]]] += row["back"]

    return Trend(
        weeks=weeks,
        series=[MslSeries(msl=msl, touchpoints=counts[msl.pk]) for msl in msls],
        moves_forward=forward,
        moves_back=back,
    )
