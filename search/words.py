"""Search on SQLite (and any other database): every word (up to six) must appear in one of
the fields; snippets are cut in Python around the first match."""

from django.db.models import (
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.utils.safestring import mark_safe

from contacts.models import Goal, Interest, Kol
from engagements.models import Touchpoint
from search.results import (
    LIMIT,
    TOUCHPOINT_FIELDS,
    KolHit,
    SearchResults,
    Snippet,
    TouchpointHit,
    goal_label,
    highlight_words,
    interest_reason,
)

MAX_WORDS = 6

TOUCHPOINT_TEXT = ["they_said", "feedback", "summary"]
KOL_TEXT = ["name", "institution", "specialty"]


def _any_contains(fields: list[str], word: str) -> Q:
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__icontains": word})
    return condition


def search_words(text: str, visible: QuerySet) -> SearchResults:
    words = list(dict.fromkeys(text.split()))[:MAX_WORDS]
    matching = Touchpoint.objects.filter(kol_id__in=visible)
    for word in words:
        matching = matching.filter(_any_contains(TOUCHPOINT_TEXT, word))
    touchpoints = []
    for row in matching.select_related("kol").order_by("-occurred_at", "-pk")[:LIMIT]:
        snippet = None
        for name, label in TOUCHPOINT_FIELDS:
            html = highlight_words(getattr(row, name), words)
            if html is not None:
                snippet = Snippet(label, html)
                break
        touchpoints.append(TouchpointHit(row, snippet))

    kols = Kol.objects.filter(pk__in=visible)
    for word in words:
        goal_has = Goal.objects.filter(kol=OuterRef("pk")).filter(
            _any_contains(["text", "in_it_for_kol"], word)
        )
        interest_has = Interest.objects.filter(kol=OuterRef("pk")).filter(
            _any_contains(["note", "topic__name"], word)
        )
        kols = kols.filter(_any_contains(KOL_TEXT, word) | Exists(goal_has) | Exists(interest_has))
    any_word = Q()
    for word in words:
        any_word |= _any_contains(["text", "in_it_for_kol"], word)
    any_interest_word = Q()
    for word in words:
        any_interest_word |= _any_contains(["note", "topic__name"], word)
    kol_rows = kols.prefetch_related(
        Prefetch("goals", queryset=Goal.objects.filter(any_word), to_attr="matching_goals"),
        Prefetch(
            "interests",
            queryset=Interest.objects.filter(any_interest_word).select_related("topic"),
            to_attr="matching_interests",
        ),
    ).order_by("name", "pk")[:LIMIT]
    kol_hits = []
    for kol in kol_rows:
        reasons = []
        own = " · ".join(v for v in (kol.name, kol.institution, kol.specialty) if v)
        own_html = highlight_words(own, words)
        if own_html is not None:
            reasons.append(Snippet("Name, institution or specialty", own_html))
        for goal in kol.matching_goals:
            html = highlight_words(goal.text, words)
            if html is not None:
                reasons.append(Snippet(goal_label(goal), html))
            else:
                html = highlight_words(goal.in_it_for_kol, words) or mark_safe("")
                reasons.append(Snippet("What is in it for them", html))
        for interest in kol.matching_interests:
            reasons.append(interest_reason(interest, highlight_words(interest.note, words)))
        kol_hits.append(KolHit(kol, reasons))
    return SearchResults(
        query=text,
        touchpoints=touchpoints,
        touchpoint_count=matching.count(),
        kols=kol_hits,
        kol_count=kols.count(),
    )
