"""Today: the MSL's home page. What is due, who to check in with, who to give something to."""

import time

from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.views.decorators.http import require_GET

from common.rendering import render_page_or_part, shown_count
from contacts.models import Interest, Kol
from engagements.selectors.followups import with_drafts
from engagements.selectors.today import SECTIONS, today_lists

TEMPLATE = "engagements/today.html"

# What to offer when the stated interest names no topic.
GIVE_IDEAS_BY_KIND = {
    Interest.Kind.SPEAKING: "A speaking opportunity they are qualified for?",
    Interest.Kind.PUBLICATIONS: "A publication opportunity?",
    Interest.Kind.CONTENT: "A content or white-paper opportunity?",
    Interest.Kind.EDUCATION: "Teaching material for their fellows?",
    Interest.Kind.ADVISORY: "An invitation to share their view on an advisory board?",
}


def give_idea(kol: Kol) -> str:
    """One suggestion, from the first stated interest: a topic beats a kind."""
    for interest in kol.stated_interests:
        if interest.topic:
            return f"A literature summary on {interest.topic.name}?"
    first = kol.stated_interests[0]
    return GIVE_IDEAS_BY_KIND.get(
        first.kind, f"A literature summary on {first.get_kind_display().lower()}?"
    )


def interest_labels(kol: Kol) -> list[str]:
    labels = [i.topic.name if i.topic else i.get_kind_display() for i in kol.stated_interests]
    return list(dict.fromkeys(labels))


# Each list shows this many at first, so Today fits three phone screens; "Show all" (a
# link: ?due=N) shows the rest, up to MAX_SHOWN (a page stays quick to render).
FIRST = {"due": 5, "check_ins": 3, "upcoming": 3}
MAX_SHOWN = 500
# Suggested gives are ideas, not work due: the first few, the rest on request (?gives=all).
GIVES_FIRST = 3


def all_of(section: str, total: int) -> int:
    """The ?section=N that shows all `total` rows (shown_count rounds down to steps)."""
    step = FIRST[section]
    return min(-(-total // step) * step, MAX_SHOWN - MAX_SHOWN % step)


# A plain (no-JavaScript) done, skip or snooze leaves its Undo here for the page it goes
# back to; the undo itself is the signed token, good for UNDO_SECONDS after a reload too.
UNDO_NOTICE = "followup_undo"
UNDO_NOTICE_SECONDS = 120


def remember_undo(request: HttpRequest, notice: dict) -> None:
    request.session[UNDO_NOTICE] = {**notice, "at": time.time()}


def take_undo(request: HttpRequest, *, kol_pk: int | None = None) -> dict | None:
    """The Undo a plain post left for this page (any, or this KOL's), once; None if none."""
    notice = request.session.get(UNDO_NOTICE)
    if request.htmx or not notice or kol_pk not in {None, notice["kol_id"]}:
        return None
    del request.session[UNDO_NOTICE]
    return notice if time.time() - notice["at"] < UNDO_NOTICE_SECONDS else None


def today_context(request: HttpRequest, **overrides) -> dict:
    user = request.user
    today = user.today()
    limits = {
        section: shown_count(request, section, step=FIRST[section], most=MAX_SHOWN)
        for section in SECTIONS
    }
    lists = today_lists(user, today=today, limits=limits)
    for kol in lists.gives:
        kol.give_idea = give_idea(kol)
        kol.interest_labels = interest_labels(kol)
    with_drafts([*lists.due, *lists.upcoming], user=user)
    all_gives = request.GET.get("gives") == "all"
    ideas = {"gives": lists.gives, "literature": lists.literature, "events": lists.events}
    shown = {name: rows if all_gives else rows[:GIVES_FIRST] for name, rows in ideas.items()}
    return {
        "today_date": today,
        "today_due": lists.due,
        "today_due_total": lists.due_total,
        "today_check_ins": lists.check_ins,
        "today_check_ins_total": lists.check_ins_total,
        "today_gives": shown["gives"],
        "today_gives_more": any(len(shown[name]) < len(ideas[name]) for name in ideas),
        "today_gives_total": lists.gives_total,
        "today_upcoming": lists.upcoming,
        "today_upcoming_total": lists.upcoming_total,
        "today_all": {
            "due": all_of("due", lists.due_total),
            "check_ins": all_of("check_ins", lists.check_ins_total),
            "upcoming": all_of("upcoming", lists.upcoming_total),
        },
        "followup_notice": take_undo(request),
        "today_event_nudges": shown["events"],
        "today_event_nudges_total": len(lists.events),
        "today_literature": shown["literature"],
        "today_literature_total": len(lists.literature),
        # The follow-up items act inline and come back here on a plain post.
        "followup_today": today,
        "followup_next": reverse("engagements:today"),
        "followup_show_kol": True,
        **overrides,
    }


def today_page(request: HttpRequest, *, status: int = 200, **overrides) -> HttpResponse:
    context = today_context(request, **overrides)
    # "Show more" swaps just its section; anything else the whole of Today.
    part = request.GET.get("part")
    part = part if part in SECTIONS else "today"
    return render_page_or_part(request, TEMPLATE, part, context, status=status)


@require_GET
def today(request: HttpRequest) -> HttpResponse:
    return today_page(request)


urlpatterns = [path("today/", today, name="today")]
