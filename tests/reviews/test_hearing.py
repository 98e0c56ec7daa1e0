import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from engagements.models import Touchpoint
from reviews.selectors.hearing import HEARD_LIMIT, QUOTES_PER_TOPIC
from tests.conftest import HTMX, client_for
from tests.engagements.factories import TouchpointFactory
from tests.factories import KolFactory, TherapeuticAreaFactory, TopicFactory

URL = reverse("reviews:hearing")


def days_ago(n: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=n)


@pytest.fixture
def topics(db):
    cardio = TherapeuticAreaFactory(name="Cardiology")
    onco = TherapeuticAreaFactory(name="Oncology")
    return {
        "hf": TopicFactory(area=cardio, name="Heart failure"),
        "lipids": TopicFactory(area=cardio, name="Lipids"),
        "breast": TopicFactory(area=onco, name="Breast cancer"),
        "cardio": cardio,
        "onco": onco,
    }


@pytest.fixture
def heard(owner, teammate, outsider, topics):
    ada = KolFactory(name="Dr Ada Voice", owner=owner)
    ben = KolFactory(name="Dr Ben Critic", owner=teammate)
    both = TouchpointFactory(
        kol=ada, occurred_at=days_ago(5), they_said="Referral pathways are the bottleneck."
    )
    both.topics.add(topics["hf"], topics["breast"])
    older = TouchpointFactory(
        kol=ada, occurred_at=days_ago(20), they_said="Patients drop off after discharge."
    )
    older.topics.add(topics["hf"])
    critic = TouchpointFactory(
        kol=ben,
        occurred_at=days_ago(10),
        they_said="",
        feedback="Your slide deck overstates the subgroup result.",
        is_criticism=True,
    )
    critic.topics.add(topics["lipids"])
    TouchpointFactory(
        kol=ben,
        occurred_at=days_ago(3),
        they_said="I want to teach fellows more.",
        feedback="The congress overview was useful.",
    )
    silent = TouchpointFactory(kol=ada, occurred_at=days_ago(2), they_said="", feedback="")
    silent.topics.add(topics["hf"])
    TouchpointFactory(kol=ada, occurred_at=days_ago(200), they_said="Said long ago.")
    hidden = KolFactory(name="Dr Hidden Voice", owner=outsider)
    TouchpointFactory(kol=hidden, occurred_at=days_ago(4), they_said="Outsider words.")
    return {"ada": ada, "ben": ben}


def section(page: str, heading: str, next_heading: str | None = None) -> str:
    start = page.index(heading)
    end = page.index(next_heading, start) if next_heading else len(page)
    return page[start:end]


def test_it_groups_by_area_then_topic_quoting_their_words(manager_client, heard):
    response = manager_client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    # Areas by name, "No topic" last; a touchpoint with two topics shows under each.
    cardio = section(page, ">Cardiology</h2>", ">Oncology</h2>")
    onco = section(page, ">Oncology</h2>", ">No topic</h2>")
    no_topic = section(page, ">No topic</h2>")
    assert cardio.index("Heart failure") < cardio.index("Lipids")
    assert "Referral pathways are the bottleneck." in cardio
    assert "Referral pathways are the bottleneck." in onco and "Breast cancer" in onco
    assert "I want to teach fellows more." in no_topic
    hf = section(cardio, "Heart failure", "Lipids")
    assert hf.index("Referral pathways") < hf.index("Patients drop off")  # newest first
    assert "<blockquote" in hf and "<p>Referral pathways are the bottleneck.</p>" in hf
    # Who said it (a link), who heard it and when.
    assert reverse("kol:kol_detail", args=[heard["ada"].pk]) in hf
    assert "Dr Ada Voice" in hf and "heard by Olivia Owner" in hf
    assert timezone.localtime(days_ago(5)).strftime("%-d %b %Y") in hf
    # The counts lead (issue 17); their words are behind each topic.
    assert page.index("conversations in the last") < page.index("<blockquote")
    assert '<details class="hearing-topic"' in hf


def test_it_flags_criticism_in_words_and_quotes_other_feedback(manager_client, heard):
    page = manager_client.get(URL).content.decode()
    lipids = section(page, "Lipids", ">Oncology</h2>")
    assert "Criticism:</span>" in lipids and "overstates the subgroup result" in lipids
    assert "Dr Ben Critic" in lipids and "heard by Tom Teammate" in lipids
    no_topic = section(page, ">No topic</h2>")
    assert "Feedback:</span>" in no_topic and "Criticism" not in no_topic


def test_criticism_only_shows_only_criticism(manager_client, heard):
    page = manager_client.get(URL, {"criticism": "on"}).content.decode()
    assert "overstates the subgroup result" in page
    assert "Referral pathways" not in page and "teach fellows" not in page


def test_touchpoints_without_their_words_are_left_out(manager_client, heard):
    page = manager_client.get(URL).content.decode()
    assert page.count('class="hearing-item"') == 5  # 4 touchpoints, one under two topics


def test_other_teams_and_old_touchpoints_never_show(manager_client, other_manager, heard):
    page = manager_client.get(URL).content.decode()
    assert "Outsider words." not in page and "Said long ago." not in page
    other = client_for(other_manager).get(URL).content.decode()
    assert "Outsider words." in other and "Referral pathways" not in other


def test_the_filters_narrow_by_period_area_and_topic(manager_client, heard, topics):
    page = manager_client.get(URL, {"period": "365"}).content.decode()
    assert "Said long ago." in page
    page = manager_client.get(URL, {"area": topics["onco"].pk}).content.decode()
    assert "Referral pathways" in page and "Patients drop off" not in page
    assert ">Cardiology</h2>" not in page and ">No topic</h2>" not in page
    page = manager_client.get(URL, {"topic": topics["lipids"].pk}).content.decode()
    assert "overstates the subgroup" in page and "Referral pathways" not in page


def test_garbage_filters_are_ignored_with_a_notice(manager_client, heard):
    response = manager_client.get(URL, {"period": "x", "area": "999999", "topic": "abc"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "not understood" in page and "Period" in page and "Therapeutic area" in page
    assert "Referral pathways" in page and '<option value="90" selected>' in page


def test_what_they_said_is_escaped(manager_client, owner):
    kol = KolFactory(owner=owner)
    TouchpointFactory(kol=kol, they_said="<script>alert(1)</script>", feedback="<b>bold</b>")
    page = manager_client.get(URL).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page


def test_htmx_gets_only_the_results(manager_client, heard):
    part = manager_client.get(URL, {"criticism": "on"}, **HTMX).content.decode()
    assert part.lstrip().startswith('<section id="results"')
    assert "overstates the subgroup" in part and "<form" not in part and "<html" not in part
    full = manager_client.get(URL).content.decode()
    assert "<html" in full and 'hx-get="/team/hearing/"' in full and 'method="get"' in full


def test_it_limits_to_the_newest_with_a_notice(manager_client, owner):
    kol = KolFactory(owner=owner)
    Touchpoint.objects.bulk_create(
        Touchpoint(kol=kol, by=owner, occurred_at=days_ago(1 + n % 60), they_said=f"Words {n}")
        for n in range(HEARD_LIMIT + 1)
    )
    page = manager_client.get(URL).content.decode()
    # Issue 17: the newest few behind the count, the rest one link away.
    assert f"Showing the {QUOTES_PER_TOPIC} newest of {HEARD_LIMIT + 1}" in page
    assert page.count('class="hearing-item"') == QUOTES_PER_TOPIC


def test_an_msl_gets_404(owner_client, heard):
    assert owner_client.get(URL).status_code == 404


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_it_only_answers_get(manager_client):
    assert manager_client.post(URL).status_code == 405


def test_nothing_heard_says_so(manager_client):
    assert "Nothing heard in the last 90 days" in manager_client.get(URL).content.decode()


@pytest.mark.parametrize("count", [10, 500])
def test_the_query_count_does_not_grow_with_the_touchpoints(
    count, owner, teammate, manager_client, topics, django_assert_max_num_queries
):
    kols = KolFactory.create_batch(10, owner=owner) + KolFactory.create_batch(10, owner=teammate)
    touchpoints = Touchpoint.objects.bulk_create(
        Touchpoint(
            kol=kols[n % 20],
            by=kols[n % 20].owner,
            occurred_at=days_ago(1 + n % 80),
            they_said=f"Words {n}",
            feedback="Too long" if n % 3 == 0 else "",
            is_criticism=n % 3 == 0,
        )
        for n in range(count)
    )
    links = Touchpoint.topics.through
    links.objects.bulk_create(
        links(touchpoint_id=tp.pk, topic_id=topics[key].pk)
        for n, tp in enumerate(touchpoints)
        for key in (["hf", "breast"] if n % 2 else ["lipids"])
    )
    with django_assert_max_num_queries(11):  # incl. session, user, nav, save, filter choices
        response = manager_client.get(URL, {"area": topics["cardio"].pk, "period": "90"})
    # Issue 17: the newest few of each topic (heart failure, lipids) behind its count.
    assert response.content.decode().count('class="hearing-item"') == 2 * QUOTES_PER_TOPIC
