"""What is due, computed with set-based queries: never one query per KOL.

The number of queries here depends on nothing but the code: each function runs a fixed
handful whatever the number of KOLs, follow-ups or users.
"""

import datetime
import zoneinfo
from dataclasses import dataclass, field

from django.db.models import CharField, Count, Exists, F, Max, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Concat

from accounts.models import Membership, User
from contacts.models import AssumptionStatus, Interest, Kol, Provenance, StageChange
from engagements.models import Ask, Event, FollowUp, Give, Reminder
from reviews.models import StageReview


def local_now(user: User, now: datetime.datetime) -> datetime.datetime:
    try:
        zone = zoneinfo.ZoneInfo(user.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = datetime.UTC
    return now.astimezone(zone)


def users_whose_hour_has_come(*, now: datetime.datetime, field_name: str) -> list[tuple]:
    """(user, local date) for active users whose digest time has come today, locally."""
    users = User.objects.filter(is_active=True, **{field_name: True}).only(
        "pk", "time_zone", "digest_time", "email"
    )
    ready = []
    for user in users:  # one row per person, not per KOL: a few hundred at most
        local = local_now(user, now)
        if local.time() >= user.digest_time:
            ready.append((user, local.date()))
    return ready


def users_with_something_due(users: list[tuple]) -> set[int]:
    """Of (user, local date) pairs, those with a follow-up due, a give nudge, an event
    nudge or a stage review they have not seen (a fixed handful of queries)."""
    if not users:
        return set()
    local_dates = {user.pk: day for user, day in users}
    first_due = (
        FollowUp.objects.filter(
            owner_id__in=local_dates, status=FollowUp.Status.OPEN, kol__is_archived=False
        )
        .values("owner_id")
        .annotate(first=Min("due_on"))
    )
    due = {row["owner_id"] for row in first_due if row["first"] <= local_dates[row["owner_id"]]}
    nudged = {
        nudge.kol.owner_id
        for nudge in literature_nudges(owner_ids=list(local_dates), today=max(local_dates.values()))
    }
    nudged |= {
        nudge.kol.owner_id
        for nudge in event_nudges(owner_ids=list(local_dates), today=max(local_dates.values()))
    }
    reviewed = set(
        unseen_reviews(owner_ids=list(local_dates)).values_list("kol__owner_id", flat=True)
    )
    return due | nudged | reviewed


def unseen_reviews(*, owner_ids: list[int]):
    """Stage reviews of these people's active KOLs that they have not seen yet (1 query)."""
    return (
        StageReview.objects.filter(
            kol__owner_id__in=owner_ids, kol__is_archived=False, seen_at__isnull=True
        )
        .select_related("kol", "reviewer")
        .order_by("at", "pk")
    )


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


def follow_ups_for_immediate_email(*, now: datetime.datetime):
    """Open follow-ups due (by the owner's local date) whose owner wants one email each and
    that have no reminder yet for this due date (1 query; time zones checked in Python)."""
    sent = Reminder.objects.filter(
        recipient=OuterRef("owner_id"),
        kind=Reminder.Kind.FOLLOW_UP,
        object_key=Concat(
            Value("followup:"), Cast(OuterRef("pk"), CharField()), output_field=CharField()
        ),
        due_key=Cast(OuterRef("due_on"), CharField()),
    )
    latest_day = (now + datetime.timedelta(days=1)).date()
    rows = (
        FollowUp.objects.filter(
            status=FollowUp.Status.OPEN,
            owner__is_active=True,
            owner__immediate_follow_ups=True,
            kol__is_archived=False,
            due_on__lte=latest_day,
        )
        .exclude(Exists(sent))
        .select_related("owner")
    )
    return [f for f in rows if f.due_on <= local_now(f.owner, now).date()]


@dataclass
class Digest:
    today: datetime.date
    overdue: list[FollowUp] = field(default_factory=list)
    due_today: list[FollowUp] = field(default_factory=list)
    nudges: list[LiteratureNudge] = field(default_factory=list)
    events: list[EventNudge] = field(default_factory=list)
    reviews: list = field(default_factory=list)  # StageReview rows the MSL has not seen

    @property
    def is_empty(self) -> bool:
        return not (self.overdue or self.due_today or self.nudges or self.events or self.reviews)

    @property
    def count(self) -> int:
        return (
            len(self.overdue)
            + len(self.due_today)
            + len(self.nudges)
            + len(self.events)
            + len(self.reviews)
        )


def digest_for(user: User, *, today: datetime.date) -> Digest:
    """Everything due for one person, as of sending (a fixed handful of queries)."""
    follow_ups = (
        FollowUp.objects.filter(
            owner=user, status=FollowUp.Status.OPEN, due_on__lte=today, kol__is_archived=False
        )
        .select_related("kol")
        .order_by("due_on", "kol__name", "pk")
    )
    digest = Digest(today=today)
    for follow_up in follow_ups:
        (digest.overdue if follow_up.due_on < today else digest.due_today).append(follow_up)
    digest.nudges = literature_nudges(owner_ids=[user.pk], today=today)
    digest.events = event_nudges(owner_ids=[user.pk], today=today)
    digest.reviews = list(unseen_reviews(owner_ids=[user.pk]))
    return digest


@dataclass
class TeamSummary:
    since: datetime.date
    stage_changes: list[StageChange]
    long_overdue: list[Kol]
    ask_heavy: list[Kol]

    @property
    def is_empty(self) -> bool:
        return not (self.stage_changes or self.long_overdue or self.ask_heavy)


def team_summary_for(manager: User, *, today: datetime.date) -> TeamSummary:
    """The manager's week: stage moves, long-overdue and ask-heavy relationships (3 queries)."""
    members = Membership.objects.filter(
        team__memberships__user=manager, team__memberships__role=Membership.Role.MANAGER
    ).values("user_id")
    kols = Kol.objects.filter(owner_id__in=members, is_archived=False)
    since = today - datetime.timedelta(days=7)
    stage_changes = list(
        StageChange.objects.filter(kol__in=kols, changed_at__date__gte=since)
        .exclude(from_stage="")
        .select_related("kol", "changed_by")
        .order_by("-changed_at")
    )
    long_overdue = [
        kol
        for kol in kols.filter(next_check_in_on__lt=today).select_related("owner")
        if kol.check_in_status == "long_overdue"
    ]
    year_ago = today - datetime.timedelta(days=365)
    gives = Give.objects.filter(kol=OuterRef("pk"), given_on__gte=year_ago).values("kol")
    asks = Ask.objects.filter(kol=OuterRef("pk"), asked_on__gte=year_ago).values("kol")
    count_gives = gives.annotate(n=Count("pk")).values("n")
    count_asks = asks.annotate(n=Count("pk")).values("n")
    ask_heavy = list(
        kols.annotate(gives_12m=Subquery(count_gives), asks_12m=Subquery(count_asks))
        .filter(asks_12m__gt=0)
        .filter(Q(gives_12m__isnull=True) | Q(asks_12m__gt=F("gives_12m")))
        .select_related("owner")
        .order_by("owner__display_name", "name")
    )
    return TeamSummary(
        since=since, stage_changes=stage_changes, long_overdue=long_overdue, ask_heavy=ask_heavy
    )
