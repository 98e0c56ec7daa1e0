"""Reads for the team overview: one row per MSL, each measure one query grouped by owner.

Stage counts and overdue check-ins are about the relationships still active (archived KOLs
are set aside); touchpoints, gives, asks and stage moves count what happened in the window
on every KOL the MSL owns. The area filter keeps KOLs tagged with that therapeutic area.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from accounts.models import Membership, Team, User
from contacts.models import Kol, Stage, StageChange, TherapeuticArea, check_in_due_by
from engagements.models import Ask, Give, KolRating, Touchpoint

RECENT_DAYS = (30, 90)


@dataclass(frozen=True)
class MslOverview:
    msl: User
    establishing: int = 0
    developing: int = 0
    maintaining: int = 0
    overdue: int = 0
    touchpoints_30: int = 0
    touchpoints_90: int = 0
    gives_30: int = 0
    gives_90: int = 0
    gives_in_period: int = 0
    asks_in_period: int = 0
    moves_forward: int = 0
    moves_back: int = 0
    # Gives of the period the KOL rated through their personal link (voice/), and how many
    # of them "Useful".
    gives_rated: int = 0
    gives_useful: int = 0

    @property
    def useful_share(self) -> int | None:
        return useful_share(self.gives_useful, self.gives_rated)

    @property
    def kols(self) -> int:
        return self.establishing + self.developing + self.maintaining

    @property
    def ask_heavy(self) -> bool:
        """The ledger's warning, over the period: a relationship that only asks is in trouble."""
        return self.asks_in_period > self.gives_in_period


def useful_share(useful: int, rated: int) -> int | None:
    """The percentage of rated gives rated useful; None when none was rated."""
    return round(100 * useful / rated) if rated else None


def team_msls(teams: list[Team]) -> QuerySet[User]:
    """The active MSLs of these teams, by name."""
    return (
        User.objects.filter(
            memberships__team__in=teams, memberships__role=Membership.Role.MSL, is_active=True
        )
        .distinct()
        .order_by("display_name", "email")
    )


def moves_q(direction: str) -> Q:
    """Stage changes that move forward (or back) a stage; the first row has no from_stage."""
    ranks = {value: rank for rank, value in enumerate(Stage.values)}
    pairs = Q()
    for before in Stage.values:
        for after in Stage.values:
            if (ranks[after] > ranks[before]) == (direction == "forward") and before != after:
                pairs |= Q(from_stage=before, to_stage=after)
    return pairs


def _by_owner(rows) -> dict[int, dict]:
    return {row.pop("owner"): row for row in rows}


def team_overview(
    *, teams: list[Team], days: int, area: TherapeuticArea | None = None
) -> list[MslOverview]:
    """One row per MSL of `teams`; six queries whatever the number of MSLs and KOLs."""
    msls = list(team_msls(teams))
    owner_ids = [msl.pk for msl in msls]
    today = timezone.localdate()
    now = timezone.now()
    since = today - datetime.timedelta(days=days)
    since_at = now - datetime.timedelta(days=days)
    kol_area = Q(kol__therapeutic_areas=area) if area else Q()

    kols = Kol.objects.filter(owner_id__in=owner_ids, is_archived=False)
    if area:
        kols = kols.filter(therapeutic_areas=area)
    stages = _by_owner(
        kols.values("owner")
        .order_by()
        .annotate(
            establishing=Count("pk", filter=Q(stage=Stage.ESTABLISHING)),
            developing=Count("pk", filter=Q(stage=Stage.DEVELOPING)),
            maintaining=Count("pk", filter=Q(stage=Stage.MAINTAINING)),
            overdue=Count("pk", filter=check_in_due_by(today - datetime.timedelta(days=1))),
        )
    )

    oldest_at = now - datetime.timedelta(days=max(RECENT_DAYS))
    touchpoints = _by_owner(
        Touchpoint.objects.filter(kol_area, kol__owner_id__in=owner_ids, occurred_at__gte=oldest_at)
        .values(owner=F("kol__owner_id"))
        .order_by()
        .annotate(
            # Counting a column of the (kol, occurred_at, kind) index: index-only scans.
            touchpoints_30=Count(
                "occurred_at", filter=Q(occurred_at__gte=now - datetime.timedelta(days=30))
            ),
            touchpoints_90=Count("occurred_at"),
        )
    )

    oldest = min(since, today - datetime.timedelta(days=max(RECENT_DAYS)))
    gives = _by_owner(
        Give.objects.filter(kol_area, kol__owner_id__in=owner_ids, given_on__gte=oldest)
        .values(owner=F("kol__owner_id"))
        .order_by()
        .annotate(
            gives_30=Count("given_on", filter=Q(given_on__gte=today - datetime.timedelta(days=30))),
            gives_90=Count("given_on", filter=Q(given_on__gte=today - datetime.timedelta(days=90))),
            gives_in_period=Count("given_on", filter=Q(given_on__gte=since)),
            gives_rated=Count("pk", filter=Q(given_on__gte=since) & ~Q(kol_rating="")),
            gives_useful=Count("pk", filter=Q(given_on__gte=since, kol_rating=KolRating.USEFUL)),
        )
    )

    asks = _by_owner(
        Ask.objects.filter(kol_area, kol__owner_id__in=owner_ids, asked_on__gte=since)
        .values(owner=F("kol__owner_id"))
        .order_by()
        .annotate(asks_in_period=Count("asked_on"))
    )

    moves = _by_owner(
        StageChange.objects.filter(kol_area, kol__owner_id__in=owner_ids, changed_at__gte=since_at)
        .exclude(from_stage="")
        .values(owner=F("kol__owner_id"))
        .order_by()
        .annotate(
            moves_forward=Count("pk", filter=moves_q("forward")),
            moves_back=Count("pk", filter=moves_q("back")),
        )
    )

    return [
        MslOverview(
            msl=msl,
            **stages.get(msl.pk, {}),
            **touchpoints.get(msl.pk, {}),
            **gives.get(msl.pk, {}),
            **asks.get(msl.pk, {}),
            **moves.get(msl.pk, {}),
        )
        for msl in msls
    ]


def overview_totals(rows: list[MslOverview]) -> dict[str, int | None]:
    """The team's sums, for the table's footer (no extra query)."""
    names = [name for name in MslOverview.__dataclass_fields__ if name != "msl"]
    totals: dict[str, int | None] = {
        name: sum(getattr(row, name) for row in rows) for name in names
    }
    totals["useful_share"] = useful_share(totals["gives_useful"] or 0, totals["gives_rated"] or 0)
    return totals


@dataclass(frozen=True)
class TopicUseful:
    topic: str
    rated: int
    useful: int

    @property
    def share(self) -> int | None:
        return useful_share(self.useful, self.rated)


def useful_by_topic(
    *, msls: list[User], days: int, area: TherapeuticArea | None = None
) -> list[TopicUseful]:
    """Gives of the period the KOLs rated, by topic (one query): what the team gives that
    KOLs find useful. Gives without a topic are counted under "No particular topic"."""
    since = timezone.localdate() - datetime.timedelta(days=days)
    rows = (
        Give.objects.filter(
            Q(kol__therapeutic_areas=area) if area else Q(),
            kol__owner_id__in=[msl.pk for msl in msls],
            given_on__gte=since,
        )
        .exclude(kol_rating="")
        .values("topic__name")
        .order_by("topic__name")
        .annotate(rated=Count("pk"), useful=Count("pk", filter=Q(kol_rating=KolRating.USEFUL)))
    )
    return [
        TopicUseful(row["topic__name"] or "No particular topic", row["rated"], row["useful"])
        for row in rows
    ]
