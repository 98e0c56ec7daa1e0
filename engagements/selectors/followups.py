"""Reads for follow-ups: the KOL page part and the MSL's Today page."""

import datetime
from collections.abc import Callable, Iterable
from urllib.parse import quote

from django.db.models import (
    BooleanField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.utils import timezone

from accounts.models import User
from contacts.models import (
    DUE_SOON_DAYS,
    AssumptionStatus,
    Interest,
    Kol,
    Provenance,
    check_in_due_by,
)
from contacts.selectors import visible_to
from engagements.models import FollowUp, Give

RECENTLY_COMPLETED_DAYS = 30
UPCOMING_DAYS = 30
GIVE_GAP_DAYS = 60
SUGGESTED_GIVES_LIMIT = 10

STATED = Q(provenance=Provenance.STATED) | Q(assumption_status=AssumptionStatus.CONFIRMED)


def may_act_on(user: User, followup: FollowUp) -> bool:
    """The follow-up's owner or the KOL's owner may complete, skip or snooze it."""
    return user.pk in {followup.owner_id, followup.kol.owner_id}


# A mail app takes a long link, but not any length: the recap is cut at this many characters.
MAILTO_RECAP_LENGTH = 1500
NO_EMAIL = "No draft: we have no email address for them."
NO_CONSENT = "No draft: they have not agreed to be contacted by email."


# What a higher app adds to thank-you drafts (voice/: the KOL's personal link), handed in
# from its AppConfig.ready(): engagements sits below it and cannot import it. Each takes
# the thank-you follow-ups at hand (one query for all of them) and answers the lines to
# add to each, by follow-up id.
DraftLines = Callable[[list[FollowUp]], dict[int, list[str]]]
_draft_lines: list[DraftLines] = []


def add_to_thank_you_drafts(lines_of: DraftLines) -> None:
    if lines_of not in _draft_lines:
        _draft_lines.append(lines_of)


def thank_you_draft(
    followup: FollowUp, *, sender: User, extra: Iterable[str] = ()
) -> tuple[str, str]:
    """A thank-you follow-up's draft in the MSL's own mail app: (the mailto: link, "") when
    the KOL agreed to email and we have their address, else ("", why not)."""
    kol = followup.kol
    if not kol.email:
        return "", NO_EMAIL
    if not kol.email_consent:
        return "", NO_CONSENT
    touchpoint = followup.source_touchpoint
    lines = [f"Dear {kol.name},", ""]
    if touchpoint:
        day = timezone.localdate(touchpoint.occurred_at)
        kind = touchpoint.get_kind_display().lower()
        lines.append(f"Thank you for the {kind} on {day.day} {day:%B}.")
        said = " ".join(touchpoint.they_said.split())[:MAILTO_RECAP_LENGTH]
        if said:
            lines += ["", "To recap what you told me:", said]
        subject = f"Thank you for the {kind} on {day.day} {day:%B}"
    else:
        lines.append("Thank you for your time.")
        subject = "Thank you"
    for line in extra:
        lines += ["", line]
    lines += ["", "Best regards,", sender.display_name or sender.email]
    # RFC 6068: every reserved character percent-encoded, line breaks as CRLF.
    body = quote("\r\n".join(lines), safe="")
    return f"mailto:{quote(kol.email, safe='@')}?subject={quote(subject, safe='')}&body={body}", ""


def with_drafts(followups: Iterable[FollowUp], *, user: User) -> None:
    """Give each thank-you follow-up its `draft_url` or `draft_why_not` (see thank_you_draft)."""
    thank_yous = [
        f
        for f in followups
        if f.kind == FollowUp.Kind.THANK_YOU and f.status == FollowUp.Status.OPEN
    ]
    extra: dict[int, list[str]] = {}
    for lines_of in _draft_lines if thank_yous else []:
        for pk, lines in lines_of(thank_yous).items():
            extra.setdefault(pk, []).extend(lines)
    for followup in thank_yous:
        followup.draft_url, followup.draft_why_not = thank_you_draft(
            followup, sender=user, extra=extra.get(followup.pk, ())
        )


def kol_followups(kol: Kol, *, user: User) -> dict[str, list[FollowUp]]:
    """The KOL page's follow-ups in one query: "open" (soonest first) and "recent" (done or
    skipped in the last 30 days, latest first)."""
    since = timezone.now() - datetime.timedelta(days=RECENTLY_COMPLETED_DAYS)
    rows = (
        kol.follow_ups.filter(
            Q(status=FollowUp.Status.OPEN)
            | (~Q(status=FollowUp.Status.OPEN) & Q(done_at__gte=since))
        )
        .select_related("owner", "source_touchpoint")
        .order_by("due_on", "pk")
    )
    parts: dict[str, list[FollowUp]] = {"open": [], "recent": []}
    for followup in rows:
        # The KOL is the page's: no join to read it again.
        followup.kol = kol
        followup.can_act = may_act_on(user, followup)
        parts["open" if followup.status == FollowUp.Status.OPEN else "recent"].append(followup)
    parts["recent"].sort(key=lambda f: (f.done_at, f.pk), reverse=True)
    with_drafts(parts["open"], user=user)
    return parts


def _my_open_followups(user: User, due: Q) -> tuple[QuerySet[FollowUp], QuerySet[FollowUp]]:
    """`user`'s open follow-ups due within `due`, on active KOLs they can still see (the
    ones they can act on), twice: the rows to show, soonest first, and the query to count
    them all.

    The rows check the rule on the KOL they join anyway. The count checks it as a
    semi-join on the ids of the user's active KOLs, so it reads the covering index
    followup_owner_open_due and a hash of those KOLs, not every row and its KOL (for an
    MSL with 1,000 overdue follow-ups, a window count over the rows took 3.8 ms, this 1 ms).
    """
    mine = FollowUp.objects.filter(due, owner=user, status=FollowUp.Status.OPEN)
    rows = (
        mine.filter(visible_to(user, through="kol__"), kol__is_archived=False)
        .select_related("kol", "source_touchpoint")
        # Their owner may always act on them (may_act_on).
        .annotate(can_act=Value(True, output_field=BooleanField()))
        .order_by("due_on", "pk")
    )
    active_visible = Kol.objects.filter(visible_to(user), is_archived=False).values("pk")
    return rows, mine.filter(kol__in=active_visible)


def followups_due(
    user: User, *, today: datetime.date
) -> tuple[QuerySet[FollowUp], QuerySet[FollowUp]]:
    """Overdue and due-today follow-ups of `user`, the oldest first; and their count query."""
    return _my_open_followups(user, Q(due_on__lte=today))


def followups_upcoming(
    user: User, *, today: datetime.date
) -> tuple[QuerySet[FollowUp], QuerySet[FollowUp]]:
    """Follow-ups of `user` due after today, up to 30 days ahead; and their count query."""
    until = today + datetime.timedelta(days=UPCOMING_DAYS)
    return _my_open_followups(user, Q(due_on__gt=today, due_on__lte=until))


def check_ins_coming(user: User, *, until: datetime.date) -> QuerySet[Kol]:
    """Active KOLs `user` owns whose check-in is due by `until` (overdue ones included), the
    most overdue first; a KOL with an open check-in follow-up is left out, since that one
    is listed (on Today, in the feed, in the digest) as a follow-up."""
    open_check_in = FollowUp.objects.filter(
        kol=OuterRef("pk"), kind=FollowUp.Kind.CHECK_IN, status=FollowUp.Status.OPEN
    )
    return (
        Kol.objects.filter(check_in_due_by(until), owner=user, is_archived=False)
        .exclude(Exists(open_check_in))
        .order_by("next_check_in_on", "name", "pk")
    )


def check_ins_this_week(user: User, *, today: datetime.date) -> QuerySet[Kol]:
    """Today's "check-ins this week": due within DUE_SOON_DAYS, or overdue."""
    return check_ins_coming(user, until=today + datetime.timedelta(days=DUE_SOON_DAYS))


def suggested_gives(user: User, *, today: datetime.date) -> QuerySet[Kol]:
    """Active KOLs `user` owns who told us an interest and got nothing in the last 60 days.

    Each carries `stated_interests` (with topics) and `last_given_on`; the longest without
    a give come first.
    """
    stated = Interest.objects.filter(STATED)
    recent_gives = Give.objects.filter(
        kol=OuterRef("pk"), given_on__gte=today - datetime.timedelta(days=GIVE_GAP_DAYS)
    )
    last_give = Give.objects.filter(kol=OuterRef("pk")).order_by("-given_on").values("given_on")
    return (
        Kol.objects.filter(owner=user, is_archived=False)
        .filter(Exists(stated.filter(kol=OuterRef("pk"))), ~Exists(recent_gives))
        .annotate(last_given_on=Subquery(last_give[:1]))
        .prefetch_related(
            Prefetch(
                "interests",
                queryset=stated.select_related("topic").order_by("pk"),
                to_attr="stated_interests",
            )
        )
        .order_by(F("last_given_on").asc(nulls_first=True), "name", "pk")
    )
