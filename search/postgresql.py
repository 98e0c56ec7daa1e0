"""Search on PostgreSQL: full-text search (websearch syntax, English stemming) ranked with
ts_rank and highlighted with ts_headline. Visibility comes first: the user's KOLs (an array
of ids, through the kol indexes), then each candidate's stored vector (generated columns
search_document of touchpoints, KOLs and goals: engagements' migrations 0006 and 0007), so a
common word costs what the user can see, not what the organisation wrote. Interests and
topics (short, few) match through 0005's expression indexes.
"""

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, Concat, Greatest
from django.utils.html import escape

from common.expressions import EqualsAny
from contacts.models import Goal, Interest, Kol, Topic
from engagements.models import Touchpoint
from search.results import (
    LIMIT,
    START,
    STOP,
    TOUCHPOINT_FIELDS,
    KolHit,
    SearchResults,
    Snippet,
    TouchpointHit,
    goal_label,
    highlight_marked,
    interest_reason,
)

CONFIG = "english"


# The vectors: keep them identical to the generated columns of migrations 0006 (touchpoints)
# and 0007 (KOLs, goals) and to the index expressions of 0005 (interests, topics).
def touchpoint_vector() -> SearchVector:
    """Their words weigh most (A), then feedback on our work (B), then our summary (C).

    Stored in the column search_document on PostgreSQL: search reads touchpoint_document()."""
    return (
        SearchVector("they_said", config=CONFIG, weight="A")
        + SearchVector("feedback", config=CONFIG, weight="B")
        + SearchVector("summary", config=CONFIG, weight="C")
    )


class StoredDocument(Expression):
    """The stored vector column `search_document` of the queryset's own table (PostgreSQL:
    generated columns of migrations 0006 and 0007, unknown to the models so that SQLite and
    the model state know nothing of them). Compiled against the query's base alias, so it
    also works inside subqueries, where Django renames the table (U0, V0 ...)."""

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        alias = compiler.query.get_initial_alias()
        return f'{compiler.quote_name(alias)}."search_document"', []


def touchpoint_document() -> StoredDocument:
    """touchpoint_vector() as stored by PostgreSQL (migration 0006)."""
    return StoredDocument()


def kol_document() -> StoredDocument:
    """kol_vector() as stored by PostgreSQL (migration 0007)."""
    return StoredDocument()


def goal_document() -> StoredDocument:
    """goal_vector() as stored by PostgreSQL (migration 0007)."""
    return StoredDocument()


def kol_vector() -> SearchVector:
    return SearchVector("name", "institution", "specialty", config=CONFIG)


def goal_vector() -> SearchVector:
    return SearchVector("text", "in_it_for_kol", config=CONFIG)


def interest_vector() -> SearchVector:
    return SearchVector("note", config=CONFIG)


def topic_vector() -> SearchVector:
    return SearchVector("name", config=CONFIG)


def _headline(expression, query: SearchQuery, **options) -> SearchHeadline:
    return SearchHeadline(
        expression,
        query,
        config=CONFIG,
        start_sel=START,
        stop_sel=STOP,
        max_words=options.get("max_words", 30),
        min_words=options.get("min_words", 12),
        highlight_all=options.get("highlight_all"),
    )


def search_postgresql(text: str, visible: QuerySet) -> SearchResults:
    # The planner overestimates these queries (OR-ed subqueries, a rank per row) and JIT
    # compiles them: 75 ms to over a second of compiling for a few ms of work. Off for this
    # transaction (SET LOCAL: until the end of the outermost one).
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        return _search_postgresql_queries(text, visible)


def ranked_touchpoints(query: SearchQuery, visible: QuerySet) -> QuerySet:
    """(pk, total matches) of the best LIMIT touchpoints the user may see.

    Visibility first: `kol_id = ANY(ARRAY(visible ids))` walks the kol_id index to the
    user's touchpoints (a few thousand) and checks each stored vector. `kol_id IN
    (subquery)` let the planner start from the GIN index instead, fetching every match in
    the organisation (tens of thousands of heap pages at 300,000 touchpoints) to keep the
    user's few: 130-330 ms against 10-60 ms (bench_search, EXPLAIN ANALYZE). The vector is
    stored, so every match is ranked: one scan gives the best LIMIT and the total (a window
    over every match); headlines, the costly part, only for those.
    """
    return (
        Touchpoint.objects.annotate(document=touchpoint_document())
        .filter(EqualsAny(F("kol_id"), ArraySubquery(visible)))
        .filter(document=query)
        .annotate(rank=SearchRank(F("document"), query), total=Window(Count("pk")))
        .order_by("-rank", "-occurred_at", "-pk")
        .values_list("pk", "total")[:LIMIT]
    )


def _search_postgresql_queries(text: str, visible: QuerySet) -> SearchResults:
    query = SearchQuery(text, search_type="websearch", config=CONFIG)
    best = list(ranked_touchpoints(query, visible))
    position = {pk: n for n, (pk, _) in enumerate(best)}
    rows = sorted(
        Touchpoint.objects.filter(pk__in=list(position))
        .annotate(**{f"hl_{name}": _headline(name, query) for name, _ in TOUCHPOINT_FIELDS})
        .select_related("kol"),
        key=lambda row: position[row.pk],
    )
    touchpoints = []
    for row in rows:
        snippet = None
        for name, label in TOUCHPOINT_FIELDS:
            html = highlight_marked(getattr(row, name), getattr(row, f"hl_{name}"))
            if html is not None:
                snippet = Snippet(label, html)
                break
        touchpoints.append(TouchpointHit(row, snippet))

    # KOLs: visibility first here too (the KOLs' own vectors and their goals' and
    # interests' are checked for the user's few hundred KOLs, through the kol indexes,
    # not for every match in the organisation: a phrase or a common word matches thousands).
    goals = Goal.objects.annotate(document=goal_document()).filter(document=query)
    topics = Topic.objects.annotate(document=topic_vector()).filter(document=query)
    interests = Interest.objects.annotate(document=interest_vector()).filter(
        Q(document=query) | Q(topic__in=topics.values("pk"))
    )
    goal_rank = goals.filter(kol=OuterRef("pk")).annotate(r=SearchRank(F("document"), query))
    # Only a matching note ranks (an interest matched by its topic alone ranks 0 anyway).
    interest_rank = (
        Interest.objects.annotate(document=interest_vector())
        .filter(kol=OuterRef("pk"), document=query)
        .annotate(r=SearchRank(F("document"), query))
    )
    kols = (
        Kol.objects.filter(EqualsAny(F("pk"), ArraySubquery(visible)))
        .annotate(document=kol_document())
        .filter(
            Q(document=query)
            | Exists(goals.filter(kol=OuterRef("pk")))
            | Exists(interests.filter(kol=OuterRef("pk")))
        )
    )
    kol_rows = (
        kols.annotate(
            matched_self=ExpressionWrapper(Q(document=query), output_field=BooleanField()),
            rank=Greatest(
                SearchRank(F("document"), query),
                Coalesce(Subquery(goal_rank.order_by("-r").values("r")[:1]), Value(0.0)),
                Coalesce(Subquery(interest_rank.order_by("-r").values("r")[:1]), Value(0.0)),
                output_field=FloatField(),
            ),
            hl_self=_headline(
                Concat("name", Value(" · "), "institution", Value(" · "), "specialty"),
                query,
                highlight_all=True,
            ),
        )
        .prefetch_related(
            Prefetch(
                "goals",
                queryset=goals.annotate(
                    hl_text=_headline("text", query), hl_in_it=_headline("in_it_for_kol", query)
                ),
                to_attr="matching_goals",
            ),
            Prefetch(
                "interests",
                queryset=interests.select_related("topic").annotate(
                    hl_note=_headline("note", query)
                ),
                to_attr="matching_interests",
            ),
        )
        .order_by("-rank", "name", "pk")[:LIMIT]
    )
    kol_hits = []
    for kol in kol_rows:
        reasons = []
        if kol.matched_self:
            own = " · ".join(v for v in (kol.name, kol.institution, kol.specialty) if v)
            html = highlight_marked(own, kol.hl_self) or escape(own)
            reasons.append(Snippet("Name, institution or specialty", html))
        for goal in kol.matching_goals:
            html = highlight_marked(goal.text, goal.hl_text)
            if html is not None or not goal.in_it_for_kol:
                reasons.append(Snippet(goal_label(goal), html or escape(goal.text)))
            else:
                html = highlight_marked(goal.in_it_for_kol, goal.hl_in_it)
                reasons.append(
                    Snippet("What is in it for them", html or escape(goal.in_it_for_kol))
                )
        for interest in kol.matching_interests:
            reasons.append(
                interest_reason(interest, highlight_marked(interest.note, interest.hl_note))
            )
        kol_hits.append(KolHit(kol, reasons))
    return SearchResults(
        query=text,
        touchpoints=touchpoints,
        touchpoint_count=best[0][1] if best else 0,
        kols=kol_hits,
        kol_count=kols.count(),
    )
