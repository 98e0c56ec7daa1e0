"""What Today suggests giving: literature summaries whose cadence has passed, and congress
overviews for KOLs who missed an event on their topics (set-based: a fixed handful of
queries whatever the number of KOLs)."""

import datetime
from dataclasses import dataclass

from django.db.models import Max, OuterRef, Q, Subquery

from contacts.models import AssumptionStatus, Interest, Kol, Provenance
from engagements.models import Give
from events.models import Event


@dataclass(frozen=True)
class LiteratureNudge:
    interest: Interest
    kol: Kol
    last_give_on: datetime.date | None


def literature_nudges(*, owner_ids: list[int], today: datetime.date) -> list[LiteratureNudge]:
    """Stated interests with a give cadence and no give on that topic within it (1 query)."""
    last_give = (
        Give.objects.filter(kol=OuterRef("kol_id"), topic=OuterRef("topic_id"))
        .values("kol")
        .annotate(last=Max("given_on"))
        .values("last")
    )
    interests = (
        Interest.objects.filter(
            kol__owner_id__in=owner_ids, kol__is_archived=False, give_cadence_days__isnull=False
        )
        .filter(Q(provenance=Provenance.STATED) | Q(assumption_status=AssumptionStatus.CONFIRMED))
        .select_related("kol", "topic")
        .annotate(last_give_on=Subquery(last_give))
        .order_by("kol__name", "pk")
    )
    return [
        LiteratureNudge(interest=i, kol=i.kol, last_give_on=i.last_give_on)
        for i in interests
        if i.last_give_on is None
        or i.last_give_on < today - datetime.timedelta(days=i.give_cadence_days)
    ]


EVENT_NUDGE_DAYS = 14


@dataclass(frozen=True)
class EventNudge:
    """A KOL who told us they care about an event's topic and missed it."""

    event: Event
    kol: Kol
    topics: list[str]

    @property
    def topics_text(self) -> str:
        if len(self.topics) < 2:
            return "".join(self.topics)
        return f"{', '.join(self.topics[:-1])} and {self.topics[-1]}"


def event_nudges(*, owner_ids: list[int], today: datetime.date) -> list[EventNudge]:
    """For events that ended in the last 14 days: (event, KOL) pairs where the KOL is owned
    by one of `owner_ids`, active, stated an interest in one of the event's topics, did not
    attend, and got no congress overview since the event ended (5 queries, whatever the
    number of KOLs or events)."""
    since = today - datetime.timedelta(days=EVENT_NUDGE_DAYS)
    events = list(
        Event.objects.filter(ends_on__gte=since, ends_on__lt=today)
        .prefetch_related("topics")
        .order_by("-ends_on", "name", "pk")
    )
    if not events:
        return []
    kols = Kol.objects.filter(owner_id__in=owner_ids, is_archived=False)
    topic_ids = {topic.pk for event in events for topic in event.topics.all()}
    interests = (
        Interest.objects.filter(kol__in=kols, topic_id__in=topic_ids)
        .filter(Q(provenance=Provenance.STATED) | Q(assumption_status=AssumptionStatus.CONFIRMED))
        .select_related("kol", "topic")
        .order_by("kol__name", "kol_id", "topic__name")
    )
    # kol id -> (kol, {topic id: topic name})
    caring: dict[int, tuple[Kol, dict[int, str]]] = {}
    for interest in interests:
        caring.setdefault(interest.kol_id, (interest.kol, {}))[1][interest.topic_id] = (
            interest.topic.name
        )
    if not caring:
        return []
    attended = set(
        Event.attendees.through.objects.filter(
            event_id__in=[event.pk for event in events], kol__in=kols
        ).values_list("event_id", "kol_id")
    )
    last_overview = dict(
        Give.objects.filter(
            kol__in=kols,
            kind=Give.Kind.CONGRESS_OVERVIEW,
            given_on__gte=min(event.ends_on for event in events),
        )
        .values("kol_id")
        .annotate(last=Max("given_on"))
        .values_list("kol_id", "last")
    )
    nudges = []
    for event in events:
        event_topics = {topic.pk for topic in event.topics.all()}
        for kol_id, (kol, topics) in caring.items():
            cared = [name for topic_id, name in topics.items() if topic_id in event_topics]
            overview_on = last_overview.get(kol_id)
            if (
                not cared
                or (event.pk, kol_id) in attended
                or (overview_on is not None and overview_on >= event.ends_on)
            ):
                continue
            nudges.append(EventNudge(event=event, kol=kol, topics=cared))
    return nudges
