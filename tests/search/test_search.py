import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contacts.models import Collaborator, Goal, Kol, Provenance
from contacts.selectors import kols_for_user
from engagements.models import Touchpoint
from search import postgresql
from tests.conftest import HTMX
from tests.engagements.factories import TouchpointFactory
from tests.factories import GoalFactory, KolFactory

URL = reverse("search:search")
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL full-text search only"
)


def search(client, q, **extra):
    return client.get(URL, {"q": q}, **extra)


def test_it_finds_a_touchpoint_by_what_they_said(owner_client, kol):
    tp = TouchpointFactory(kol=kol, they_said="The unmet need in heart failure is huge.")
    TouchpointFactory(kol=kol, they_said="Nothing relevant here.", summary="Coffee")
    response = search(owner_client, "unmet need heart failure")
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="search-touchpoint-{tp.pk}"' in body
    assert 'Touchpoints <span class="count">(1)' in body
    assert "<mark>" in body and "They said" in body
    assert "Dr Ada Lovelace" in body


def test_it_finds_a_touchpoint_by_feedback(owner_client, kol):
    tp = TouchpointFactory(
        kol=kol, they_said="Fine.", feedback="The hyperkalaemia slides were too long"
    )
    body = search(owner_client, "hyperkalaemia").content.decode()
    assert f'id="search-touchpoint-{tp.pk}"' in body
    assert "Feedback on our work" in body


def test_it_finds_a_kol_by_a_goal(owner_client, owner, kol):
    Goal.objects.create(
        kol=kol,
        whose=Goal.Whose.KOL,
        area=Goal.Area.MEDICAL,
        text="Build a referral network with primary care",
        provenance=Provenance.STATED,
        created_by=owner,
    )
    body = search(owner_client, "referral network").content.decode()
    assert f'id="search-kol-{kol.pk}"' in body
    assert "Goal (the kol&#x27;s own)" in body
    assert "<mark>" in body


def test_it_highlights_and_escapes_their_words(owner_client, kol):
    TouchpointFactory(kol=kol, they_said="<script>alert(1)</script> registry bottleneck")
    body = search(owner_client, "bottleneck").content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<mark>bottleneck</mark>" in body


def test_it_marks_archived_kols(owner_client, kol):
    kol.is_archived = True
    kol.save()
    TouchpointFactory(kol=kol, they_said="Registry bottleneck again")
    body = search(owner_client, "bottleneck").content.decode()
    assert "Archived" in body


def test_it_never_shows_an_outsiders_kols(outsider_client, teammate_client, kol):
    TouchpointFactory(kol=kol, they_said="Secret bottleneck")
    for client in (outsider_client, teammate_client):
        body = search(client, "bottleneck").content.decode()
        assert "search-touchpoint-" not in body
        assert "Dr Ada Lovelace" not in body
        assert "Nothing you can see matches" in body


def test_it_shows_collaborators_their_kols(teammate, teammate_client, kol):
    Collaborator.objects.create(kol=kol, user=teammate)
    tp = TouchpointFactory(kol=kol, they_said="Shared bottleneck")
    assert f"search-touchpoint-{tp.pk}" in search(teammate_client, "bottleneck").content.decode()


def test_it_shows_the_manager_the_teams_kols(manager_client, kol, outsider):
    tp = TouchpointFactory(kol=kol, they_said="Team bottleneck")
    other = TouchpointFactory(kol=KolFactory(owner=outsider), they_said="Other bottleneck")
    body = search(manager_client, "bottleneck").content.decode()
    assert f"search-touchpoint-{tp.pk}" in body
    assert f"search-touchpoint-{other.pk}" not in body


@pytest.mark.parametrize("q", ["", "   "])
def test_it_shows_an_empty_state_without_querying(owner_client, kol, q):
    TouchpointFactory(kol=kol)
    with CaptureQueriesContext(connection) as queries:
        response = search(owner_client, q)
    assert not [x for x in queries.captured_queries if "engagements_touchpoint" in x["sql"]]
    body = response.content.decode()
    assert "Type what a KOL said" in body
    assert "search-touchpoint-" not in body


def test_it_answers_htmx_with_the_results_part(owner_client, kol):
    TouchpointFactory(kol=kol, they_said="Bottleneck")
    response = search(owner_client, "bottleneck", **HTMX)
    body = response.content.decode()
    assert 'id="search-results"' in body
    assert "<html" not in body


def test_it_keeps_a_constant_number_of_queries(owner_client, owner):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            search(owner_client, "bottleneck")
        return len(queries)

    kol = KolFactory(owner=owner)
    for _ in range(5):
        TouchpointFactory(kol=kol, they_said="The referral bottleneck")
    few = count_queries()
    now = timezone.now()
    for n in range(195):
        TouchpointFactory(
            kol=KolFactory(owner=owner) if n % 10 == 0 else kol,
            they_said=f"Bottleneck number {n}",
            occurred_at=now - datetime.timedelta(hours=n),
        )
    many = count_queries()
    assert few == many
    body = search(owner_client, "bottleneck").content.decode()
    assert "(200, showing the best 50)" in body


def test_it_redirects_anonymous_users(client):
    response = client.get(URL, {"q": "x"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_it_refuses_post(owner_client):
    assert owner_client.post(URL, {"q": "x"}).status_code == 405


@on_postgresql
def test_it_created_the_gin_indexes(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE 'search_%%'"
        )
        indexes = dict(cursor.fetchall())
    assert {
        "search_touchpoint_document",
        "search_kol_document",
        "search_goal_document",
        "search_interest_words",
        "search_topic_words",
    } <= set(indexes)
    assert all("gin" in definition for definition in indexes.values())
    # 0007 dropped the expression indexes the stored columns replaced.
    assert not {"search_touchpoint_words", "search_kol_words", "search_goal_words"} & set(indexes)


@on_postgresql
def test_it_starts_from_the_users_kols_not_from_every_match(owner, kol):
    """The ranked query walks the kol_id index to the user's touchpoints and checks their
    stored vectors; it never fetches the organisation's matches to filter them after."""

    TouchpointFactory(kol=kol, they_said="Bottleneck")
    query = postgresql.SearchQuery("bottleneck", search_type="websearch", config="english")
    visible = kols_for_user(owner, archived=None).order_by().values("pk")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = postgresql.ranked_touchpoints(query, visible).explain()
    # Through an index on kol_id (the plain one or the timeline's (kol, -occurred_at, kind)).
    assert "Index Cond: (kol_id = ANY" in plan
    assert "search_touchpoint_document" not in plan


@on_postgresql
def test_the_stored_kol_and_goal_vectors_are_the_selectors_vectors(kol):

    Kol.objects.filter(pk=kol.pk).update(
        name="Dr Ada Bottleneck", institution="Referral Clinic", specialty="Nephrology"
    )
    goal = GoalFactory(kol=kol, text="Fix the referral pathway", in_it_for_kol="Shorter waits")
    kol_row = (
        Kol.objects.filter(pk=kol.pk)
        .annotate(stored=postgresql.kol_document(), computed=postgresql.kol_vector())
        .values("stored", "computed")
        .get()
    )
    goal_row = (
        Goal.objects.filter(pk=goal.pk)
        .annotate(stored=postgresql.goal_document(), computed=postgresql.goal_vector())
        .values("stored", "computed")
        .get()
    )
    assert kol_row["stored"] == kol_row["computed"] and "bottleneck" in kol_row["stored"]
    assert goal_row["stored"] == goal_row["computed"] and "referr" in goal_row["stored"]


@on_postgresql
def test_it_ranks_the_better_match_first(owner_client, kol):
    now = timezone.now()
    weak = TouchpointFactory(
        kol=kol, they_said="Fine.", summary="Bottleneck mentioned", occurred_at=now
    )
    strong = TouchpointFactory(
        kol=kol,
        they_said="The referral bottleneck, the bottleneck everywhere.",
        occurred_at=now - datetime.timedelta(days=30),
    )
    body = search(owner_client, "bottleneck").content.decode()
    assert body.index(f"search-touchpoint-{strong.pk}") < body.index(f"search-touchpoint-{weak.pk}")


@on_postgresql
def test_it_stores_the_touchpoint_vector_with_a_gin_index(kol):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT data_type, is_generated, generation_expression"
            " FROM information_schema.columns"
            " WHERE table_name = 'engagements_touchpoint' AND column_name = 'search_document'"
        )
        column = cursor.fetchone()
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'search_touchpoint_document'"
        )
        index = cursor.fetchone()
    assert column is not None
    data_type, is_generated, expression = column
    assert data_type == "tsvector" and is_generated == "ALWAYS"
    assert "they_said" in expression and "feedback" in expression and "summary" in expression
    assert index is not None and "gin (search_document)" in index[0]


@on_postgresql
def test_the_stored_vector_is_the_selectors_vector(kol):

    tp = TouchpointFactory(
        kol=kol, they_said="Referral bottleneck", feedback="Slides too long", summary="Registry"
    )
    row = (
        Touchpoint.objects.filter(pk=tp.pk)
        .annotate(stored=postgresql.touchpoint_document(), computed=postgresql.touchpoint_vector())
        .values("stored", "computed")
        .get()
    )
    assert row["stored"] == row["computed"]
