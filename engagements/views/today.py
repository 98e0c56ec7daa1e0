"""Today: the MSL's home page. What is due, who to check in with, who to give something to."""

from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.views.decorators.http import require_GET

from common.rendering import render_page_or_part, shown_count
from contacts.models import Interest, Kol
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


# Each list shows this many at first; "Show more" adds as many again (a page stays quick
# to render and to read however much has piled up).
STEP = 10
MAX_SHOWN = 500


def today_context(request: HttpRequest, **overrides) -> dict:
    user = request.user
    today = user.today()
    limits = {
        section: shown_count(request, section, step=STEP, most=MAX_SHOWN) for section in SECTIONS
    }
    lists = today_lists(user, today=today, limits=limits)
    for kol in lists.gives:
        kol.give_idea = give_idea(kol)
        kol.interest_labels = interest_labels(kol)
    return {
        "today_date": today,
        "today_due": lists.due,
        "today_due_total": lists.due_total,
        "today_check_ins": lists.check_ins,
        "today_check_ins_total": lists.check_ins_total,
        "today_gives": lists.gives,
        "today_gives_total": lists.gives_total,
        "today_upcoming": lists.upcoming,
        "today_upcoming_total": lists.upcoming_total,
        "today_more": {section: limits[section] + STEP for section in SECTIONS},
        "today_event_nudges": lists.events,
        "today_literature": lists.literature,
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
