"""Reads of the reminder pipeline. What is due for a person is never computed here: it is
Today's (engagements.selectors.today), for that person's own date, with their visibility.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from accounts.models import Membership, User, today_of
from contacts.models import CheckInStatus, Kol, StageChange
from contacts.selectors import kol_access, visible_to_user_of_row
from engagements.models import Ask, FollowUp, Give
from engagements.selectors.today import TodayLists, today_lists
from reminders.models import DispatchRun, Reminder
from reviews.selectors.reviews import unseen_reviews


def users_whose_hour_has_come(*, now: datetime.datetime, field_name: str) -> list[tuple]:
    """(user, local date) for active users whose digest time has come today, locally, and
    who have no digest of that kind for this local day or a later one (moving west after
    the day's digest does not bring a second one)."""
    users = User.objects.filter(is_active=True, **{field_name: True}).only(
        "pk", "time_zone", "digest_time", "email"
    )
    latest = dict(
        Reminder.objects.filter(recipient__in=users, kind=_KIND_OF_FIELD[field_name], object_key="")
        .values("recipient_id")
        .annotate(last=Max("due_key"))
        .values_list("recipient_id", "last")
    )
    ready = []
    for user in users:  # one row per person, not per KOL: a few hundred at most
        local = user.local_now(now)
        day = local.date()
        if local.time() >= user.digest_time and latest.get(user.pk, "") < day.isoformat():
            ready.append((user, day))
    return ready


_KIND_OF_FIELD = {
    "digest_enabled": Reminder.Kind.DIGEST,
    "manager_summary_enabled": Reminder.Kind.MANAGER_WEEKLY,
}


def follow_ups_for_immediate_email(*, now: datetime.datetime) -> QuerySet[FollowUp]:
    """Open follow-ups due by their owner's own date, on active KOLs the owner can still see,
    whose owner wants one email each and that have no reminder for this due date yet (one
    query, which the dispatcher turns into one INSERT ... SELECT)."""
    sent = Reminder.objects.filter(
        recipient=OuterRef("owner_id"),
        kind=Reminder.Kind.FOLLOW_UP,
        object_key=Concat(
            Value("followup:"), Cast(OuterRef("pk"), CharField()), output_field=CharField()
        ),
        due_key=Cast(OuterRef("due_on"), CharField()),
    )
    return (
        FollowUp.objects.filter(
            visible_to_user_of_row("owner_id", through="kol__"),
            status=FollowUp.Status.OPEN,
            owner__is_active=True,
            owner__immediate_follow_ups=True,
            kol__is_archived=False,
        )
        .annotate(owner_today=today_of("owner__time_zone", now))
        .filter(due_on__lte=F("owner_today"))
        .exclude(Exists(sent))
    )


@dataclass
class Digest:
    """A person's digest: their Today, plus the stage reviews their manager wrote."""

    lists: TodayLists
    reviews: list = field(default_factory=list)

    @property
    def today(self) -> datetime.date:
        return self.lists.today

    @property
    def is_empty(self) -> bool:
        return not (self.lists.has_something_due or self.reviews)

    # The email's sections, in Today's order.
    @property
    def overdue(self) -> list[FollowUp]:
        return self.lists.overdue

    @property
    def due_today(self) -> list[FollowUp]:
        return self.lists.due_today

    @property
    def more_due(self) -> int:
        return self.lists.due_total - len(self.lists.due)

    @property
    def check_ins(self) -> list[Kol]:
        return self.lists.check_ins

    @property
    def gives(self) -> list[Kol]:
        return self.lists.gives

    @property
    def nudges(self) -> list:
        return self.lists.literature

    @property
    def events(self) -> list:
        return self.lists.events

    @property
    def count(self) -> int:
        lists = self.lists
        return (
            lists.due_total
            + len(lists.check_ins_due)
            + len(lists.literature)
            + len(lists.events)
            + len(self.reviews)
        )


def digest_for(user: User, *, today: datetime.date) -> Digest:
    """Everything due for one person on their `today`, as Today shows it."""
    return Digest(
        lists=today_lists(user, today=today), reviews=list(unseen_reviews(owner_ids=[user.pk]))
    )


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
    """The manager's week, all of it on the manager's own date: stage moves since a week
    ago (their midnight), long-overdue and ask-heavy relationships (3 queries)."""
    members = Membership.objects.filter(
        team__memberships__user=manager, team__memberships__role=Membership.Role.MANAGER
    ).values("user_id")
    kols = Kol.objects.filter(owner_id__in=members, is_archived=False)
    since = today - datetime.timedelta(days=7)
    since_at = datetime.datetime.combine(since, datetime.time(), tzinfo=manager.zone)
    stage_changes = list(
        StageChange.objects.filter(kol__in=kols, changed_at__gte=since_at)
        .exclude(from_stage="")
        .select_related("kol", "changed_by")
        .order_by("-changed_at")
    )
    long_overdue = [
        kol
        for kol in kols.filter(CheckInStatus.window(CheckInStatus.LONG_OVERDUE, today))
        .select_related("owner")
        .order_by("next_check_in_on", "name")
        if CheckInStatus.of(kol, today=today) == CheckInStatus.LONG_OVERDUE
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


# Checked again at send time ----------------------------------------------------------

PREFERENCE_OF_KIND = {
    Reminder.Kind.DIGEST: "digest_enabled",
    Reminder.Kind.FOLLOW_UP: "immediate_follow_ups",
    Reminder.Kind.MANAGER_WEEKLY: "manager_summary_enabled",
}


def follow_up_of(reminder: Reminder) -> FollowUp | None:
    follow_up_id = int(reminder.object_key.split(":", 1)[1])
    return FollowUp.objects.filter(pk=follow_up_id).select_related("kol").first()


def why_not_send(reminder: Reminder, *, follow_up: FollowUp | None = None) -> str:
    """The reason this row must not be sent now, in the recipient's words; "" if it may.
    Never names the KOL: the reason is shown to someone who may no longer see it."""
    user = reminder.recipient
    if not user.is_active:
        return "Your account was deactivated."
    if reminder.object_key != "now" and not getattr(user, PREFERENCE_OF_KIND[reminder.kind]):
        return "You turned this email off."
    if reminder.kind == Reminder.Kind.FOLLOW_UP:
        if follow_up is None or follow_up.status != FollowUp.Status.OPEN:
            return "The follow-up was done, skipped or removed before it was sent."
        if follow_up.kol.is_archived:
            return "The KOL was archived."
        access = kol_access(user, follow_up.kol)
        if not (access.is_owner or access.is_collaborator or access.is_manager):
            return "You no longer work with this KOL."
        if follow_up.owner_id != user.pk:
            return "The follow-up now belongs to someone else."
    if reminder.kind == Reminder.Kind.MANAGER_WEEKLY and not user.is_manager:
        return "You no longer manage a team."
    return ""


# Operations ---------------------------------------------------------------------------


@dataclass
class Health:
    by_status: dict[str, int]
    oldest_due_pending: datetime.datetime | None
    last_dispatch: DispatchRun | None
    sent_last_hour: int
    sends_per_minute: float
    recent_errors: list[Reminder]
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def reminders_health(
    *, now: datetime.datetime | None = None, dispatch_seconds: int, stale_minutes: int = 30
) -> Health:
    """What an operator needs to trust the pipeline (a fixed handful of queries)."""
    now = now or timezone.now()
    by_status = dict(
        Reminder.objects.order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    oldest = Reminder.objects.filter(
        status=Reminder.Status.PENDING, next_attempt_at__lte=now
    ).aggregate(oldest=Min("next_attempt_at"))["oldest"]
    last = DispatchRun.objects.filter(pk=1).first()
    hour_ago = now - datetime.timedelta(hours=1)
    sent_last_hour = Reminder.objects.filter(
        status=Reminder.Status.SENT, sent_at__gte=hour_ago
    ).count()
    errors = list(
        Reminder.objects.exclude(last_error="")
        .select_related("recipient")
        .order_by("-claimed_at", "-pk")[:10]
    )
    problems = []
    finished = last.finished_at if last else None
    if finished is None or now - finished > datetime.timedelta(seconds=3 * dispatch_seconds):
        problems.append(
            "The dispatcher has not run for 3 intervals: is celery beat (and its worker) up?"
        )
    if oldest is not None and now - oldest > datetime.timedelta(minutes=stale_minutes):
        problems.append(
            f"A due reminder has waited more than {stale_minutes} minutes: are workers up, "
            "and is the mail server reachable?"
        )
    return Health(
        by_status=by_status,
        oldest_due_pending=oldest,
        last_dispatch=last,
        sent_last_hour=sent_last_hour,
        sends_per_minute=round(sent_last_hour / 60, 2),
        recent_errors=errors,
        problems=problems,
    )
