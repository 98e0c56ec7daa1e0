"""The private calendar feed: a user's open follow-ups and due check-ins as an .ics file.

The link carries a random secret stored on the user (User.calendar_token). Anyone who has
the link can read the feed without signing in, so making a new token revokes the old link.
"""

import datetime
import hmac
import re
import secrets

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vDuration

from accounts.models import User
from common.emails import absolute
from contacts.models import Kol
from contacts.selectors import visible_to
from engagements.models import FollowUp
from engagements.selectors.followups import check_ins_coming

# The feed shows check-ins this many days ahead (Today shows a week); overdue ones stay
# until they are done.
FEED_CHECK_IN_DAYS = 30
# What secrets.token_urlsafe(32) makes (43 characters); anything else is not worth a query.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{32,64}")
# A hint for calendar apps; most poll on their own schedule anyway.
REFRESH_INTERVAL = datetime.timedelta(hours=1)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def calendar_link_create(*, user: User) -> bool:
    """Give `user` a calendar link unless they have one. True if it was created.

    Conditional update: a double submit or two tabs keep the first link instead of
    silently revoking the one just copied.
    """
    created = User.objects.filter(pk=user.pk, calendar_token="").update(calendar_token=new_token())
    user.refresh_from_db(fields=["calendar_token"])
    return bool(created)


def calendar_link_replace(*, user: User) -> None:
    """A new link for `user`; the old one stops working at once."""
    user.calendar_token = new_token()
    user.save(update_fields=["calendar_token"])


def feed_url(user: User) -> str:
    """The absolute feed address to paste into a calendar app, or "" when there is none."""
    if not user.calendar_token:
        return ""
    return absolute(reverse("calendar_feed", kwargs={"token": user.calendar_token}))


def user_for_token(token: str) -> User | None:
    """The active user whose calendar link this is, else None (empty, unknown or revoked)."""
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    user = User.objects.filter(calendar_token=token, is_active=True).first()
    # Found through the index; check again exactly, in constant time, in case the database
    # compares loosely (case-insensitive or space-padding collations).
    if user is None or not hmac.compare_digest(user.calendar_token, token):
        return None
    return user


def feed_followups(user: User) -> QuerySet[FollowUp]:
    """Open follow-ups `user` owns, on active KOLs they can still see (Today's rule, with no
    date limit)."""
    return (
        FollowUp.objects.filter(
            visible_to(user, through="kol__"),
            owner=user,
            status=FollowUp.Status.OPEN,
            kol__is_archived=False,
        )
        .select_related("kol")
        .only("pk", "due_on", "kind", "text", "kol__name")
        .order_by("due_on", "pk")
    )


def feed_check_ins(user: User, *, today: datetime.date) -> QuerySet[Kol]:
    """Active KOLs `user` owns whose check-in is overdue or due within FEED_CHECK_IN_DAYS
    (Today's rule, over a month instead of a week)."""
    until = today + datetime.timedelta(days=FEED_CHECK_IN_DAYS)
    return check_ins_coming(user, until=until).only("pk", "name", "next_check_in_on")


def _all_day_event(
    *, uid: str, day: datetime.date, summary: str, description: str, url: str, now
) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now)
    event.add("dtstart", day)
    event.add("dtend", day + datetime.timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("url", url)
    # A reminder, not a meeting: it does not make the day look busy.
    event.add("transp", "TRANSPARENT")
    return event


def build_feed(user: User, *, now: datetime.datetime | None = None) -> bytes:
    """The iCalendar text of `user`'s feed (three queries whatever the number of rows)."""
    now = (now or timezone.now()).astimezone(datetime.UTC)
    today = user.today(now)
    calendar = Calendar()
    calendar.add("prodid", "-//KOL CRM//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"KOL CRM: {user.display_name or user.email}")
    calendar.add("x-wr-timezone", user.time_zone)
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))

    for followup in feed_followups(user):
        url = absolute(reverse("kol:kol_detail", args=[followup.kol_id]))
        calendar.add_component(
            _all_day_event(
                uid=f"followup-{followup.pk}@kolcrm",
                day=followup.due_on,
                summary=f"{followup.get_kind_display()}: {followup.kol.name}",
                description=f"{followup.text}\n\n{url}",
                url=url,
                now=now,
            )
        )
    for kol in feed_check_ins(user, today=today):
        url = absolute(reverse("kol:kol_detail", args=[kol.pk]))
        due = kol.next_check_in_on
        calendar.add_component(
            _all_day_event(
                uid=f"checkin-{kol.pk}-{due.isoformat()}@kolcrm",
                day=due,
                summary=f"Check in with {kol.name}",
                description=f"Your check-in with {kol.name} is due.\n\n{url}",
                url=url,
                now=now,
            )
        )
    return calendar.to_ical()
