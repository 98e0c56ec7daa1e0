"""Issue 17: what the team is hearing, by topic with counts and the change against the
period of the same length before; the quotes behind each topic; criticism still flagged."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from engagements.models import Touchpoint
from reviews.selectors.hearing import QUOTES_PER_TOPIC, what_the_team_is_hearing
from tests.engagements.factories import TouchpointFactory
from tests.factories import KolFactory, TherapeuticAreaFactory, TopicFactory

URL = reverse("reviews:hearing")


def ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def topics(db):
    cardio = TherapeuticAreaFactory(name="Cardiology")
    return {
        "hf": TopicFactory(area=cardio, name="Heart failure"),
        "af": TopicFactory(area=cardio, name="Atrial fibrillation"),
        "cardio": cardio,
    }


def said(kol, days: int, *topics, criticism: bool = False, words: str = "Words"):
    touchpoint = TouchpointFactory(
        kol=kol,
        occurred_at=ago(days),
        they_said=words,
        feedback="Too promotional." if criticism else "",
        is_criticism=criticism,
    )
    touchpoint.topics.add(*topics)
    return touchpoint


@pytest.fixture
def heard(owner, teammate, outsider, topics):
    ada = KolFactory(owner=owner, name="Dr Ada")
    ben = KolFactory(owner=teammate, name="Dr Ben")
    # Heart failure: 3 in the last 30 days (one criticism), 1 in the 30 before.
    said(ada, 2, topics["hf"], words="Newest on heart failure.")
    said(ben, 10, topics["hf"], criticism=True)
    said(ada, 20, topics["hf"], topics["af"])
    said(ada, 40, topics["hf"])
    # Atrial fibrillation: 1 now (shared with heart failure above), 3 before.
    for days in (35, 45, 55):
        said(ben, days, topics["af"])
    # Outside both periods, no words, and another team: never counted.
    said(ada, 70, topics["hf"])
    TouchpointFactory(kol=ada, occurred_at=ago(3), they_said="", feedback="").topics.add(
        topics["hf"]
    )
    said(KolFactory(owner=outsider), 1, topics["hf"], words="Outsider words.")
    # No topic: 1 now.
    said(ben, 5, words="Nothing to file this under.")
    return ada, ben


def groups_of(heard_result) -> dict[str, object]:
    return {t.name: t for area in heard_result.groups for t in area.topics}


def test_it_counts_each_topic_now_and_in_the_period_before(team, heard):
    result = what_the_team_is_hearing(team_ids=[team.pk], days=30)
    groups = groups_of(result)
    hf, af, none = groups["Heart failure"], groups["Atrial fibrillation"], groups["No topic"]
    assert (hf.count, hf.previous, hf.change, hf.criticism) == (3, 1, 2, 1)
    assert (af.count, af.previous, af.change, af.criticism) == (1, 3, -2, 0)
    assert (none.count, none.previous) == (1, 0)
    # A conversation under two topics counts once in the total.
    assert (result.count, result.previous) == (4, 4)


def test_topics_with_most_conversations_lead_and_no_topic_comes_last(team, heard):
    result = what_the_team_is_hearing(team_ids=[team.pk], days=30)
    assert [area.name for area in result.groups] == ["Cardiology", "No topic"]
    assert [t.name for t in result.groups[0].topics] == ["Heart failure", "Atrial fibrillation"]


def test_the_quotes_are_the_newest_of_the_period(team, heard):
    hf = groups_of(what_the_team_is_hearing(team_ids=[team.pk], days=30))["Heart failure"]
    assert len(hf.items) == 3 and hf.items[0].they_said == "Newest on heart failure."
    assert all(tp.occurred_at >= ago(30) for tp in hf.items)


def test_criticism_only_counts_criticism(team, heard):
    result = what_the_team_is_hearing(team_ids=[team.pk], days=30, criticism_only=True)
    groups = groups_of(result)
    assert list(groups) == ["Heart failure"]
    assert (groups["Heart failure"].count, groups["Heart failure"].criticism) == (1, 1)


def test_a_topic_heard_only_before_still_shows_its_drop(team, owner, topics):
    said(KolFactory(owner=owner), 40, topics["af"])
    af = groups_of(what_the_team_is_hearing(team_ids=[team.pk], days=30))["Atrial fibrillation"]
    assert (af.count, af.previous, af.items) == (0, 1, [])


def test_the_page_shows_counts_with_the_quotes_behind_each_topic(manager_client, heard):
    page = manager_client.get(URL, {"period": "30"}).content.decode()
    assert "4 conversations in the last 30 days" in page and "(4 in the 30 days before)" in page
    assert "as many as before" in page
    hf = page[page.index("Heart failure</span>") : page.index("Atrial fibrillation</span>")]
    assert "3 conversations" in hf and "▲ 2 more" in hf and "1 criticism" in hf
    assert "Criticism:</span>" in hf and "Too promotional." in hf  # still flagged in the quote
    af = page[page.index("Atrial fibrillation</span>") :]
    assert "▼ 2 fewer" in af
    # The quotes are inside a closed <details> under each topic's counts.
    assert page.index('<details class="hearing-topic">') < page.index("Newest on heart failure.")
    assert "Outsider words." not in page


def test_a_topic_with_more_quotes_links_to_all_of_them(manager_client, owner, topics):
    kol = KolFactory(owner=owner)
    for n in range(QUOTES_PER_TOPIC + 2):
        said(kol, 1 + n, topics["hf"], words=f"Quote {n}")
    page = manager_client.get(URL).content.decode()
    assert f"All {QUOTES_PER_TOPIC + 2} about Heart failure" in page
    assert f"topic={topics['hf'].pk}" in page
    assert "Quote 0" in page and f"Quote {QUOTES_PER_TOPIC}" not in page
    narrowed = manager_client.get(URL, {"topic": topics["hf"].pk}).content.decode()
    assert f"Quote {QUOTES_PER_TOPIC + 1}" in narrowed
    assert '<details class="hearing-topic" open>' in narrowed


def test_the_query_count_does_not_grow(
    manager_client, owner, teammate, topics, assert_same_query_counts, django_assert_max_num_queries
):
    kols = [KolFactory(owner=owner), KolFactory(owner=teammate)]
    made = []

    def add(n):
        for i in range(n):
            for kol in kols:
                made.append(kol)
                topic = TopicFactory(area=topics["cardio"], name=f"Topic {len(made)}")
                said(kol, 1 + i, topic, topics["hf"], criticism=i % 2 == 0)
                said(kol, 40 + i, topic)
                said(kol, 2 + i)

    counts = assert_same_query_counts(manager_client, URL, add, period="30")
    assert counts.large_page.count('class="hearing-item"') > counts.small_page.count(
        'class="hearing-item"'
    )
    with django_assert_max_num_queries(12):
        manager_client.get(URL, {"period": "30"})
    assert Touchpoint.objects.count() == 12 * 2 * 3
