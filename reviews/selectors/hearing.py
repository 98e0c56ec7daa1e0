"""Reads for "what the team is hearing": the KOLs' own words, grouped by area and topic."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from accounts.models import Membership
from contacts.models import TherapeuticArea, Topic
from engagements.models import Touchpoint

HEARD_LIMIT = 200
NO_TOPIC = "No topic"


@dataclass
class TopicGroup:
    topic: Topic | None
    items: list[Touchpoint] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.topic.name if self.topic else NO_TOPIC


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
    count: int
    more: bool


def team_touchpoints(team_ids: Iterable[int]) -> QuerySet[Touchpoint]:
    """Touchpoints with KOLs owned by members of these teams (archived KOLs included)."""
    members = Membership.objects.filter(team_id__in=list(team_ids)).values("user_id")
    return Touchpoint.objects.filter(kol__owner_id__in=members)


def heard_touchpoints(
    *,
    team_ids: list[int],
    days: int,
    area: TherapeuticArea | None = None,
    topic: Topic | None = None,
    criticism_only: bool = False,
    now: datetime.datetime | None = None,
) -> tuple[list[Touchpoint], bool]:
    """The newest touchpoints where the KOL said something or gave feedback (two queries)."""
    now = now or timezone.now()
    touchpoints = (
        team_touchpoints(team_ids)
        .filter(occurred_at__gte=now - datetime.timedelta(days=days), occurred_at__lte=now)
        .exclude(they_said="", feedback="")
    )
    links = Touchpoint.topics.through.objects
    if area is not None:
        touchpoints = touchpoints.filter(
            pk__in=links.filter(topic__area=area).values("touchpoint_id")
        )
    if topic is not None:
        touchpoints = touchpoints.filter(pk__in=links.filter(topic=topic).values("touchpoint_id"))
    if criticism_only:
        touchpoints = touchpoints.filter(is_criticism=True)
    rows = list(
        touchpoints.select_related("kol", "by")
        .prefetch_related(
            Prefetch("topics", queryset=Topic.objects.select_related("area").order_by("name"))
        )
        .order_by("-occurred_at", "-pk")[: HEARD_LIMIT + 1]
    )
    return rows[:HEARD_LIMIT], len(rows) > HEARD_LIMIT


def group_by_area_and_topic(
    touchpoints: list[Touchpoint],
    *,
    area: TherapeuticArea | None = None,
    topic: Topic | None = None,
) -> list[AreaGroup]:
    """Areas by name, topics by name, "No topic" last; newest first within a topic.

    A touchpoint with several topics appears under each (only those the filters asked for).
    """
    areas: dict[int, AreaGroup] = {}
    topics: dict[int, TopicGroup] = {}
    untopical = TopicGroup(topic=None)
    for touchpoint in touchpoints:
        shown = [
            t
            for t in touchpoint.topics.all()
            if (area is None or t.area_id == area.pk) and (topic is None or t.pk == topic.pk)
        ]
        if not touchpoint.topics.all():
            untopical.items.append(touchpoint)
        for t in shown:
            if t.pk not in topics:
                topics[t.pk] = TopicGroup(topic=t)
                areas.setdefault(t.area_id, AreaGroup(area=t.area)).topics.append(topics[t.pk])
            topics[t.pk].items.append(touchpoint)
    groups = sorted(areas.values(), key=lambda g: g.name.casefold())
    for group in groups:
        group.topics.sort(key=lambda g: g.name.casefold())
    if untopical.items:
        groups.append(AreaGroup(area=None, topics=[untopical]))
    return groups


def what_the_team_is_hearing(
    *,
    team_ids: list[int],
    days: int,
    area: TherapeuticArea | None = None,
    topic: Topic | None = None,
    criticism_only: bool = False,
) -> Heard:
    touchpoints, more = heard_touchpoints(
        team_ids=team_ids, days=days, area=area, topic=topic, criticism_only=criticism_only
    )
    groups = group_by_area_and_topic(touchpoints, area=area, topic=topic)
    return Heard(groups=groups, count=len(touchpoints), more=more)
