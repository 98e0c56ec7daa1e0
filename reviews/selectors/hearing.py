"""Reads for "what the team is hearing": what KOLs said, grouped by area and topic, each
topic with its count, the count of the period of the same length before it, and its newest
quotes (the KOLs' own words, behind the count).

A fixed number of queries whatever the rows: grouped counts per topic, the topics, the
totals, the touchpoints without a topic, and the newest quotes of every topic in one
windowed query.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from accounts.models import Membership
from contacts.models import TherapeuticArea, Topic
from engagements.models import Touchpoint

HEARD_LIMIT = 200  # quotes of one topic when the page is narrowed to it
QUOTES_PER_TOPIC = 5  # quotes behind each topic otherwise; the rest is one link away
NO_TOPIC = "No topic"


@dataclass
class TopicGroup:
    topic: Topic | None
    count: int = 0  # conversations in the period
    previous: int = 0  # in the period of the same length just before
    criticism: int = 0  # of `count`, flagged as criticism
    items: list[Touchpoint] = field(default_factory=list)  # the newest first

    @property
    def name(self) -> str:
        return self.topic.name if self.topic else NO_TOPIC

    @property
    def change(self) -> int:
        return self.count - self.previous

    @property
    def more(self) -> bool:
        return self.count > len(self.items)


@dataclass
class AreaGroup:
    area: TherapeuticArea | None
    topics: list[TopicGroup] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.area.name if self.area else NO_TOPIC


@dataclass(frozen=True)
class Heard:
    groups: list[AreaGroup]
    count: int  # conversations in the period (one with two topics counts once)
    previous: int  # in the period before
    narrowed: bool  # one topic chosen: its quotes shown in full (up to HEARD_LIMIT)

    @property
    def change(self) -> int:
        return self.count - self.previous


def team_touchpoints(team_ids: Iterable[int]) -> QuerySet[Touchpoint]:
    """Touchpoints with KOLs owned by members of these teams (archived KOLs included)."""
    members = Membership.objects.filter(team_id__in=list(team_ids)).values("user_id")
    return Touchpoint.objects.filter(kol__owner_id__in=members)


def _heard(
    team_ids: list[int], *, start: datetime.datetime, end: datetime.datetime, criticism_only: bool
) -> QuerySet[Touchpoint]:
    """Touchpoints in [start, end] where the KOL said something or gave feedback."""
    touchpoints = (
        team_touchpoints(team_ids)
        .filter(occurred_at__gte=start, occurred_at__lte=end)
        .exclude(they_said="", feedback="")
    )
    return touchpoints.filter(is_criticism=True) if criticism_only else touchpoints


def _periods(since: datetime.datetime, prefix: str = "") -> dict[str, Count]:
    at = f"{prefix}occurred_at"
    return {
        "count": Count(f"{prefix}pk", filter=Q(**{f"{at}__gte": since})),
        "previous": Count(f"{prefix}pk", filter=Q(**{f"{at}__lt": since})),
        "criticism": Count(
            f"{prefix}pk", filter=Q(**{f"{at}__gte": since, f"{prefix}is_criticism": True})
        ),
    }


def what_the_team_is_hearing(
    *,
    team_ids: list[int],
    days: int,
    area: TherapeuticArea | None = None,
    topic: Topic | None = None,
    criticism_only: bool = False,
    now: datetime.datetime | None = None,
) -> Heard:
    now = now or timezone.now()
    since = now - datetime.timedelta(days=days)
    both = _heard(
        team_ids,
        start=since - datetime.timedelta(days=days),
        end=now,
        criticism_only=criticism_only,
    )
    links = Touchpoint.topics.through.objects.filter(touchpoint__in=both.values("pk"))
    if area is not None:
        links = links.filter(topic__area=area)
    if topic is not None:
        links = links.filter(topic=topic)
    per_topic = {
        row.pop("topic_id"): row
        for row in links.values("topic_id").order_by().annotate(**_periods(since, "touchpoint__"))
    }
    topics = Topic.objects.select_related("area").in_bulk(list(per_topic))

    narrowed = topic is not None
    shown = HEARD_LIMIT if narrowed else QUOTES_PER_TOPIC
    newest = (
        links.filter(touchpoint__occurred_at__gte=since)
        .select_related("touchpoint__kol", "touchpoint__by")
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("topic_id")],
                order_by=[F("touchpoint__occurred_at").desc(), F("touchpoint_id").desc()],
            )
        )
        .filter(rank__lte=shown)
        .order_by("topic_id", "rank")
    )
    quotes: dict[int, list[Touchpoint]] = {}
    for link in newest:
        quotes.setdefault(link.topic_id, []).append(link.touchpoint)

    areas: dict[int, AreaGroup] = {}
    for pk, counts in per_topic.items():
        group = TopicGroup(topic=topics[pk], items=quotes.get(pk, []), **counts)
        if group.count or group.previous:
            areas.setdefault(group.topic.area_id, AreaGroup(area=group.topic.area))
            areas[group.topic.area_id].topics.append(group)
    groups = sorted(areas.values(), key=lambda g: g.name.casefold())
    for group in groups:
        group.topics.sort(key=lambda g: (-g.count, -g.previous, g.name.casefold()))

    # The touchpoints with no topic: only when no area or topic narrows the page.
    filtered = both
    if area is not None or topic is not None:
        filtered = both.filter(pk__in=links.values("touchpoint_id"))
    else:
        untopical = both.filter(topics__isnull=True)
        counts = untopical.aggregate(**_periods(since))
        if counts["count"] or counts["previous"]:
            items = list(
                untopical.filter(occurred_at__gte=since)
                .select_related("kol", "by")
                .order_by("-occurred_at", "-pk")[:shown]
            )
            groups.append(
                AreaGroup(area=None, topics=[TopicGroup(topic=None, items=items, **counts)])
            )
    totals = filtered.aggregate(**{k: v for k, v in _periods(since).items() if k != "criticism"})
    return Heard(groups=groups, narrowed=narrowed, **totals)
