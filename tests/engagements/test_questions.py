"""The question bank page, its writes, the seeded defaults and suggested_questions."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from engagements.models import Question
from engagements.selectors.questions import suggested_questions
from tests.conftest import HTMX, client_for
from tests.engagements.factories import QuestionFactory, TouchpointFactory
from tests.factories import KolFactory

URL = reverse("engagements:questions")
ADD_URL = reverse("engagements:question_add")
seed = importlib.import_module("engagements.migrations.0002_default_questions")


def remove_url(question: Question) -> str:
    return reverse("engagements:question_remove", args=[question.pk])


# The seeded defaults ---------------------------------------------------------------------


@pytest.mark.django_db
def test_it_seeds_about_five_open_ended_defaults_per_purpose():
    for purpose in Question.Purpose.values:
        defaults = Question.objects.filter(owner=None, purpose=purpose)
        assert defaults.count() >= 5, purpose
        assert all(q.text.endswith("?") for q in defaults)
    assert Question.objects.filter(
        owner=None, text="What resources would help your practice most right now?"
    ).exists()


def test_it_reverses_only_the_seeded_defaults(owner):
    own = QuestionFactory(owner=owner, text="How do you decide when to refer?")
    added_later = QuestionFactory(owner=None, text="A default added later by an admin?")

    seed.remove_defaults(apps, None)

    assert set(Question.objects.all()) == {own, added_later}
    seed.add_defaults(apps, None)
    seed.add_defaults(apps, None)  # safe to run again
    assert Question.objects.filter(owner=None).count() == len(seed.DEFAULT_QUESTIONS) + 1


# The page --------------------------------------------------------------------------------


def test_it_shows_the_bank_grouped_by_purpose_with_own_questions_marked(
    owner, outsider, owner_client, django_assert_max_num_queries
):
    QuestionFactory.create_batch(30, owner=owner, purpose=Question.Purpose.FEEDBACK)
    mine = QuestionFactory(owner=owner, purpose=Question.Purpose.GOALS, text="What drives you?")
    QuestionFactory(owner=outsider, text="Someone else's private question?")

    # session read and touch, user, the bank: however many questions there are
    with django_assert_max_num_queries(6):  # incl. the nav's manager check
        response = owner_client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    for label in Question.Purpose.labels:
        assert f">{label}</h2>" in html
    assert "What information gaps do you see in" in html
    assert "What drives you?" in html
    assert "Someone else&#x27;s private question?" not in html
    assert html.index("Goals and passions") < html.index("What drives you?")
    assert html.index("What drives you?") < html.index("Feedback on our work</h2>")
    assert html.count(">Yours</span>") == 31
    assert remove_url(mine) in html
    default = Question.objects.filter(owner=None).first()
    assert remove_url(default) not in html


def test_it_answers_htmx_with_the_bank_only(owner_client):
    response = owner_client.get(URL, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="bank">')
    assert "<nav" not in html


def test_it_lets_a_manager_keep_a_bank_too(manager_client):
    response = manager_client.get(URL)
    assert response.status_code == 200
    assert "Add your own question" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url", [URL, ADD_URL, "/questions/1/remove/"])
def test_it_sends_anonymous_users_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_refuses_the_wrong_method(owner, owner_client):
    mine = QuestionFactory(owner=owner)
    assert owner_client.post(URL).status_code == 405
    assert owner_client.get(ADD_URL).status_code == 405
    assert owner_client.get(remove_url(mine)).status_code == 405
    assert Question.objects.filter(pk=mine.pk).exists()


# Adding ----------------------------------------------------------------------------------


def test_it_adds_an_own_question(owner, owner_client):
    response = owner_client.post(
        ADD_URL,
        {"purpose": "challenges", "text": "  What keeps   you up at night about your patients? "},
        follow=True,
    )

    assert response.redirect_chain == [(URL, 302)]
    question = Question.objects.get(owner=owner)
    assert question.purpose == Question.Purpose.CHALLENGES
    assert question.text == "What keeps you up at night about your patients?"
    html = response.content.decode()
    assert "Your question is in the bank." in html
    assert "What keeps you up at night about your patients?" in html


def test_it_adds_with_htmx_and_answers_with_the_bank(owner, owner_client):
    response = owner_client.post(
        ADD_URL, {"purpose": "goals", "text": "What would a great year look like?"}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Your question is in the bank." in html
    assert "What would a great year look like?" in html
    assert "<nav" not in html
    assert Question.objects.filter(owner=owner, text="What would a great year look like?").exists()


@pytest.mark.parametrize(
    "text",
    [
        "what resources would help your practice most right now",  # a default: case, no "?"
        "What resources would help your practice most right now?",
    ],
)
def test_it_refuses_a_duplicate_of_a_default(owner, owner_client, text):
    before = Question.objects.count()
    response = owner_client.post(ADD_URL, {"purpose": "resources", "text": text})

    assert response.status_code == 422
    html = response.content.decode()
    assert "That question is already in the bank (one of the shared questions" in html
    assert Question.objects.count() == before


def test_it_refuses_a_duplicate_of_an_own_question(owner, owner_client):
    QuestionFactory(owner=owner, text="How do you pick a trial site?")
    response = owner_client.post(
        ADD_URL, {"purpose": "goals", "text": "HOW do you pick a trial site?"}, **HTMX
    )
    assert response.status_code == 422
    assert "(one of yours, under" in response.content.decode()
    assert Question.objects.filter(owner=owner).count() == 1


def test_it_allows_the_same_words_as_another_users_own_question(owner, outsider, owner_client):
    QuestionFactory(owner=outsider, text="How do you pick a trial site?")
    response = owner_client.post(
        ADD_URL, {"purpose": "goals", "text": "How do you pick a trial site?"}
    )
    assert response.status_code == 302
    assert Question.objects.filter(owner=owner, text="How do you pick a trial site?").exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"purpose": "goals", "text": "   "}, "Write the question you want to ask."),
        ({"purpose": "gossip", "text": "What is new?"}, "Select a valid choice."),
    ],
)
def test_it_rerenders_an_invalid_form_and_saves_nothing(owner, owner_client, data, message):
    response = owner_client.post(ADD_URL, data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Question.objects.filter(owner=owner).exists()


# Removing --------------------------------------------------------------------------------


def test_it_removes_an_own_question_and_keeps_its_words_on_touchpoints(owner, kol, owner_client):
    mine = QuestionFactory(owner=owner, text="What would you change in the guideline?")
    touchpoint = TouchpointFactory(kol=kol, questions_text="How are the fellows doing?")
    touchpoint.questions.add(mine)

    response = owner_client.post(remove_url(mine), follow=True)

    assert response.redirect_chain == [(URL, 302)]
    assert "Removed “What would you change in the guideline?”." in response.content.decode()
    assert not Question.objects.filter(pk=mine.pk).exists()
    touchpoint.refresh_from_db()
    assert touchpoint.questions_text == (
        "How are the fellows doing?\nWhat would you change in the guideline?"
    )
    assert touchpoint.version == 2


def test_it_removes_with_htmx(owner, owner_client):
    mine = QuestionFactory(owner=owner, text="What do you read first each week?")
    response = owner_client.post(remove_url(mine), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Removed “What do you read first each week?”." in html
    assert "<nav" not in html


def test_it_will_not_remove_a_default(owner_client):
    default = Question.objects.filter(owner=None).first()
    assert owner_client.post(remove_url(default)).status_code == 404
    assert Question.objects.filter(pk=default.pk).exists()


@pytest.mark.parametrize("who", ["outsider", "teammate", "manager"])
def test_it_will_not_remove_someone_elses_question(request, owner, who):
    mine = QuestionFactory(owner=owner)
    client = client_for(request.getfixturevalue(who))
    assert client.post(remove_url(mine)).status_code == 404
    assert Question.objects.filter(pk=mine.pk).exists()


# suggested_questions ---------------------------------------------------------------------


@pytest.fixture
def bank(owner, outsider):
    """A small known bank: two questions per purpose, one of them the owner's own."""
    Question.objects.filter(owner=None).delete()
    questions = {}
    for purpose in Question.Purpose.values:
        questions[purpose] = [
            QuestionFactory(owner=None, purpose=purpose, text=f"Default {purpose}?"),
            QuestionFactory(owner=owner, purpose=purpose, text=f"Own {purpose}?"),
        ]
    QuestionFactory(owner=outsider, purpose="goals", text="Outsider's own?")
    return questions


def ask(kol, question, *, days_ago):
    touchpoint = TouchpointFactory(
        kol=kol, occurred_at=timezone.now() - datetime.timedelta(days=days_ago)
    )
    touchpoint.questions.add(question)
    return touchpoint


def test_it_suggests_one_question_per_purpose_own_first(bank, kol, owner):
    suggested = suggested_questions(kol=kol, user=owner)
    assert [q.purpose for q in suggested] == list(Question.Purpose.values)
    assert [q.text for q in suggested] == [f"Own {p}?" for p in Question.Purpose.values]
    assert all(q.last_asked_at is None for q in suggested)


def test_it_never_suggests_another_users_own_question(bank, kol, owner):
    suggested = suggested_questions(kol=kol, user=owner, limit=50)
    assert len(suggested) == 10
    assert "Outsider's own?" not in [q.text for q in suggested]


def test_it_favours_questions_not_yet_asked_of_this_kol(bank, kol, owner):
    for question in [bank["challenges"][1], bank["goals"][1], bank["goals"][0]]:
        ask(kol, question, days_ago=10)
    ask(KolFactory(owner=owner), bank["feedback"][1], days_ago=1)  # another KOL: not this one

    suggested = suggested_questions(kol=kol, user=owner, limit=5)

    texts = [q.text for q in suggested]
    assert texts == [
        "Default challenges?",
        "Own information_gaps?",
        "Own resources?",
        "Own feedback?",
        "Default information_gaps?",
    ]


def test_it_falls_back_to_the_least_recently_asked(bank, kol, owner):
    for days_ago, question in enumerate(q for pair in bank.values() for q in pair):
        ask(kol, question, days_ago=days_ago + 1)

    suggested = suggested_questions(kol=kol, user=owner, limit=3)

    assert [q.text for q in suggested] == ["Own feedback?", "Default feedback?", "Own goals?"]
    assert suggested[0].last_asked_at < suggested[1].last_asked_at < suggested[2].last_asked_at


def test_it_suggests_in_one_query_however_often_questions_were_asked(
    bank, kol, owner, django_assert_num_queries
):
    for question in bank["challenges"]:
        for days_ago in range(1, 20):
            ask(kol, question, days_ago=days_ago)
    with django_assert_num_queries(1):
        suggested = suggested_questions(kol=kol, user=owner)
    assert len(suggested) == 5
