"""Reads for the stage flow page: how the team's relationships moved between stages."""

import datetime
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils import timezone

from accounts.models import Membership
from contacts.models import Stage, StageChange

MOVE_LIST_LIMIT = 200

# Forward first (the usual path, then skipping a stage), then the ways back.
TRANSITIONS: list[tuple[str, str]] = [
    (Stage.ESTABLISHING, Stage.DEVELOPING),
    (Stage.DEVELOPING, Stage.MAINTAINING),
    (Stage.ESTABLISHING, Stage.MAINTAINING),
    (Stage.MAINTAINING, Stage.DEVELOPING),
    (Stage.DEVELOPING, Stage.ESTABLISHING),
    (Stage.MAINTAINING, Stage.ESTABLISHING),
]


def is_backward(from_stage: str, to_stage: str) -> bool:
    return Stage.rank(to_stage) < Stage.rank(from_stage)


@dataclass(frozen=True)
class TransitionCount:
    from_stage: str
    to_stage: str
    count: int

    @property
    def from_label(self) -> str:
        return Stage(self.from_stage).label

    @property
    def to_label(self) -> str:
        return Stage(self.to_stage).label

    @property
    def is_backward(self) -> bool:
        return is_backward(self.from_stage, self.to_stage)


@dataclass(frozen=True)
class StageTime:
    stage: str
    median_days: float | None
    stays: int

    @property
    def label(self) -> str:
        return Stage(self.stage).label


@dataclass(frozen=True)
class StageFlow:
    forward: int
    back: int
    transitions: list[TransitionCount]
    stage_times: list[StageTime]
    moves: list[StageChange]
    more_moves: bool


def team_stage_changes(team_ids: Iterable[int]) -> QuerySet[StageChange]:
    """Stage changes of KOLs owned by members of these teams (archived KOLs included)."""
    members = Membership.objects.filter(team_id__in=list(team_ids)).values("user_id")
    return StageChange.objects.filter(kol__owner_id__in=members)


def median_days_in_stage(rows: Iterable[StageChange], *, since: datetime.datetime) -> dict:
    """Stage -> durations (days) of the stays that ended at or after `since`.

    `rows` are ordered by KOL, then oldest first. A stay runs from the row whose to_stage
    is the stage (the first row, with from_stage "", included) to the next row leaving it.
    Plain Python over datetimes, so SQLite and PostgreSQL give the same answer.
    """
    stays: dict[str, list[float]] = {stage: [] for stage in Stage.values}
    previous: StageChange | None = None
    for row in rows:
        # A gap in the history (entered X, left Y) says nothing about how long Y lasted.
        left_the_stage_entered = (
            previous is not None
            and previous.kol_id == row.kol_id
            and row.from_stage
            and previous.to_stage == row.from_stage
        )
        if left_the_stage_entered and row.changed_at >= since:
            seconds = (row.changed_at - previous.changed_at).total_seconds()
            stays[row.from_stage].append(seconds / 86400)
        previous = row
    return stays


def stage_flow(
    *, team_ids: list[int], days: int, now: datetime.datetime | None = None
) -> StageFlow:
    """Moves in the last `days` days, with three queries whatever the number of KOLs."""
    now = now or timezone.now()
    since = now - datetime.timedelta(days=days)
    changes = team_stage_changes(team_ids)
    in_period = changes.filter(changed_at__gte=since, changed_at__lte=now).exclude(from_stage="")

    counted = {
        (row["from_stage"], row["to_stage"]): row["n"]
        for row in in_period.order_by().values("from_stage", "to_stage").annotate(n=Count("pk"))
    }
    transitions = [TransitionCount(a, b, counted.get((a, b), 0)) for a, b in TRANSITIONS]
    back = sum(n for (a, b), n in counted.items() if is_backward(a, b))
    forward = sum(n for (a, b), n in counted.items() if a != b and not is_backward(a, b))

    # Every row of the KOLs that left a stage in the period, oldest first, in one query.
    history = (
        changes.filter(kol_id__in=in_period.values("kol_id"), changed_at__lte=now)
        .order_by("kol_id", "changed_at", "pk")
        .only("kol_id", "from_stage", "to_stage", "changed_at")
    )
    stays = median_days_in_stage(history, since=since)
    stage_times = [
        StageTime(stage, statistics.median(values) if values else None, len(values))
        for stage, values in stays.items()
    ]

    moves = list(
        in_period.select_related("kol", "kol__owner").order_by("-changed_at", "-pk")[
            : MOVE_LIST_LIMIT + 1
        ]
    )
    return StageFlow(
        forward=forward,
        back=back,
        transitions=transitions,
        stage_times=stage_times,
        moves=moves[:MOVE_LIST_LIMIT],
        more_moves=len(moves) > MOVE_LIST_LIMIT,
    )
