"""The page a KOL's personal link opens: no account, no cookies, the chosen parts only."""

import datetime
import re

import time_machine
from django.core import signing
from django.test import Client
from django.utils import timezone

from contacts import services as contact_services
from engagements.models import EngagementPlan, FollowUp, Give
from privacy.services import kol_erase
from reminders.tokens import UNSUBSCRIBE_SALT
from tests.factories import KolFactory, TopicFactory
from tests.voice.conftest import INTERNAL, KOL_NAME, OBJECTIVES, url_of
from voice import services
from voice.models import SurveyAnswer, VoiceLink
from voice.tokens import VOICE_SALT, voice_token


def test_it_shows_the_chosen_parts_and_nothing_internal(link):
    response = Client().get(url_of(link))
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Dear {KOL_NAME}" in page
    assert "What matters to you" in page and "Heart failure registries" in page
    assert OBJECTIVES in page and "A co-authored paper" in page
    assert "Was this useful?" in page and "Literature summary" in page
    # Internal notes, commercial goals, the other give, stage: never.
    assert INTERNAL not in page and "Secret commercial goal" not in page
    assert "Congress overview" not in page and "Establishing" not in page
    link.refresh_from_db()
    assert link.state() == VoiceLink.State.OPENED


def test_it_is_private_plain_and_sets_no_cookie(link):
    response = Client().get(url_of(link))
    page = response.content.decode()
    assert response.cookies == {} or not any(response.cookies.values())
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]
    assert '<meta name="robots" content="noindex' in page
    assert "<script" not in page and "style=" not in page
    assert "csrfmiddlewaretoken" not in page
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_it_takes_a_survey_answer_and_a_second_one_updates_it(link, owner):
    client = Client()
    data = {"part": "interests", "interest_kinds": ["research", "education"], "goals": "Run an IIS"}
    response = client.post(url_of(link), data)
    assert response.status_code == 302 and "saved=interests" in response["Location"]
    answer = SurveyAnswer.objects.get(link=link)
    assert answer.interest_kinds == ["research", "education"] and answer.goals == "Run an IIS"
    again = client.post(url_of(link), {**data, "interest_kinds": ["speaking"], "goals": "Teach"})
    assert again.status_code == 302
    assert SurveyAnswer.objects.filter(kol=link.kol).count() == 1
    answer.refresh_from_db()
    assert answer.interest_kinds == ["speaking"] and answer.goals == "Teach"
    follow_ups = FollowUp.objects.filter(kol=link.kol, text=f"Read what {KOL_NAME} told us")
    assert follow_ups.count() == 1 and follow_ups.get().owner == owner
    link.refresh_from_db()
    assert link.state() == VoiceLink.State.ANSWERED
    shown = client.get(response["Location"]).content.decode()
    assert "Thank you: your answer is saved." in shown and "Teach" in shown


def test_it_takes_topics_from_their_vocabulary_only(link, consenting):
    ours = consenting.therapeutic_areas.get().topics.get(name="Cardiac amyloidosis")
    elsewhere = TopicFactory(name="Oncology screening")
    response = Client().post(url_of(link), {"part": "interests", "topics": [elsewhere.pk]})
    assert response.status_code == 422 and not SurveyAnswer.objects.exists()
    response = Client().post(url_of(link), {"part": "interests", "topics": [ours.pk]})
    assert response.status_code == 302
    assert list(SurveyAnswer.objects.get().topics.all()) == [ours]
    page = Client().get(url_of(link)).content.decode()
    assert re.search(rf'value="{ours.pk}"[^>]* checked', page)  # their answer, to change


def test_it_keeps_the_plan_comment_on_the_plan(link):
    response = Client().post(url_of(link), {"part": "plan", "comment": "Add nurses, please"})
    assert response.status_code == 302
    plan = EngagementPlan.objects.get(kol=link.kol)
    assert plan.kol_comment == "Add nurses, please"
    assert plan.kol_commented_on == link.created_by.today()
    assert plan.objectives == OBJECTIVES  # nothing of the MSL's is overwritten


def test_it_records_a_rating_on_the_give(link, gives):
    data = {"part": "gives", "give": gives[0].pk, "rating": "useful", "comment": "Spot on"}
    assert Client().post(url_of(link), data).status_code == 302
    give = Give.objects.get(pk=gives[0].pk)
    assert (give.kol_rating, give.kol_rating_comment) == ("useful", "Spot on")
    data["rating"] = "not_for_me"
    Client().post(url_of(link), data)
    give.refresh_from_db()
    assert give.kol_rating == "not_for_me"


def test_it_refuses_a_give_outside_the_link_and_a_part_not_chosen(consenting, gives, owner):
    link = services.link_create(
        kol=consenting, by=owner, ask_interests=False, share_plan=False, gives=gives[:1]
    )
    other = {"part": "gives", "give": gives[1].pk, "rating": "useful"}
    for data in [other, {"part": "plan", "comment": "hi"}, {"part": "interests", "goals": "x"}]:
        response = Client().post(url_of(link), data)
        assert response.status_code == 400, data
    assert not Give.objects.exclude(kol_rating="").exists()
    assert EngagementPlan.objects.get(kol=consenting).kol_comment == ""
    assert not SurveyAnswer.objects.exists()


def test_answers_are_size_limited_and_escaped(link, owner_client):
    too_long = {"part": "interests", "goals": "x" * 2001}
    response = Client().post(url_of(link), too_long)
    assert response.status_code == 422
    assert "at most 2000 characters" in response.content.decode()
    assert not SurveyAnswer.objects.exists()
    rating = {
        "part": "gives",
        "give": link.gives.get().pk,
        "rating": "useful",
        "comment": "y" * 1001,
    }
    assert Client().post(url_of(link), rating).status_code == 422
    Client().post(url_of(link), {"part": "interests", "goals": "<script>alert(1)</script>\x00"})
    assert SurveyAnswer.objects.get().goals == "<script>alert(1)</script>"
    page = owner_client.get(f"/kols/{link.kol.pk}/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


def test_it_is_rate_limited(link):
    client = Client()
    statuses = [
        client.post(url_of(link), {"part": "plan", "comment": f"Try {n}"}).status_code
        for n in range(31)
    ]
    assert statuses[:30] == [302] * 30 and statuses[30] == 429
    assert "Too many requests" in client.post(url_of(link), {}).content.decode()
    # A token signed later (each KOL page view signs a new one) counts for the same link.
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=5)):
        assert client.post(url_of(link), {"part": "plan", "comment": "x"}).status_code == 429


def tamper(token: str) -> str:
    return token[:-1] + ("A" if token[-1] != "A" else "B")


def _private_words(link) -> list[str]:
    return [KOL_NAME, OBJECTIVES, "Heart failure registries", "Literature summary", "co-authored"]


def test_no_bad_token_finds_any_data(link, consenting, gives, owner):
    """Tampered, expired, revoked, other-KOL and other-purpose tokens, and the states that
    kill a link: every one refused, GET and POST, showing nothing and writing nothing."""
    with time_machine.travel(timezone.now() - datetime.timedelta(days=31)):
        expired = services.link_create(
            kol=consenting, by=owner, ask_interests=True, share_plan=True, gives=gives
        )
    revoked = services.link_create(
        kol=consenting, by=owner, ask_interests=True, share_plan=True, gives=gives
    )
    services.link_revoke(link=revoked, by=owner)
    other_kol = KolFactory(owner=owner, email_consent=True, name="Dr Other Person")
    other_link = services.link_create(
        kol=other_kol, by=owner, ask_interests=True, share_plan=False, gives=[]
    )
    stamp = int(link.created_at.timestamp())
    tokens = {
        "tampered": tamper(voice_token(link)),
        "expired": voice_token(expired),
        "revoked": voice_token(revoked),
        "another KOL's id in a signed token": signing.Signer(salt=VOICE_SALT).sign_object(
            {"l": link.pk, "k": other_kol.pk, "c": stamp}
        ),
        "another KOL's link id": signing.Signer(salt=VOICE_SALT).sign_object(
            {"l": other_link.pk, "k": consenting.pk, "c": stamp}
        ),
        "signed for another purpose": signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object(
            {"l": link.pk, "k": consenting.pk, "c": stamp}
        ),
        "forged stamp": signing.Signer(salt=VOICE_SALT).sign_object(
            {"l": link.pk, "k": consenting.pk, "c": 0}
        ),
        "not a dict": signing.Signer(salt=VOICE_SALT).sign_object([link.pk, consenting.pk, stamp]),
        "unknown link": signing.Signer(salt=VOICE_SALT).sign_object(
            {"l": 99999, "k": consenting.pk, "c": 0}
        ),
        "a timestamped token of the same salt": signing.dumps(
            {"l": link.pk, "k": consenting.pk, "c": stamp}, salt=VOICE_SALT
        ),
        "garbage": "not-a-token",
    }
    posts = [
        {"part": "interests", "goals": "Injected"},
        {"part": "plan", "comment": "Injected"},
        {"part": "gives", "give": gives[0].pk, "rating": "useful"},
    ]
    for label, token in tokens.items():
        for data in [None, *posts]:
            client = Client()
            url = f"/for-you/{token}/"
            response = client.post(url, data) if data else client.get(url)
            page = response.content.decode()
            assert response.status_code == 404, (label, data, response.status_code)
            assert "This link is not valid" in page, label
            assert not any(word in page for word in _private_words(link)), label
    assert not SurveyAnswer.objects.exists()
    assert EngagementPlan.objects.get(kol=consenting).kol_comment == ""
    assert not Give.objects.exclude(kol_rating="").exists()
    assert not VoiceLink.objects.exclude(opened_at=None).exists()
    # The good link still works: the refusals above are about the tokens.
    assert Client().get(url_of(link)).status_code == 200


def test_withdrawing_consent_kills_the_link_and_removes_the_answers(link, gives, owner):
    client = Client()
    client.post(url_of(link), {"part": "interests", "goals": "Run an IIS"})
    client.post(url_of(link), {"part": "plan", "comment": "Add nurses"})
    client.post(url_of(link), {"part": "gives", "give": gives[0].pk, "rating": "useful"})
    kol = link.kol
    kol.refresh_from_db()
    contact_services.kol_update(
        kol=kol,
        by=owner,
        data={"email_consent": False, "email_consent_on": None},
        expected_version=kol.version,
    )
    assert client.get(url_of(link)).status_code == 404
    assert not SurveyAnswer.objects.exists()
    assert EngagementPlan.objects.get(kol=kol).kol_comment == ""
    assert Give.objects.get(pk=gives[0].pk).kol_rating == ""
    link.refresh_from_db()
    assert link.state() == VoiceLink.State.REVOKED
    history = " ".join(kol.audit_entries.values_list("summary", flat=True))
    assert "Run an IIS" not in history and "their answers removed" in history


def test_erasing_the_kol_kills_the_link_and_removes_the_answers(link, gives, owner):
    client = Client()
    client.post(url_of(link), {"part": "interests", "goals": "Run an IIS"})
    client.post(url_of(link), {"part": "plan", "comment": "Add nurses"})
    client.post(url_of(link), {"part": "gives", "give": gives[0].pk, "rating": "useful"})
    kol_erase(kol=link.kol, by=owner)
    response = client.get(url_of(link))
    assert response.status_code == 404 and KOL_NAME not in response.content.decode()
    assert not SurveyAnswer.objects.exists()
    assert EngagementPlan.objects.get(kol=link.kol).kol_comment == ""
    assert Give.objects.get(pk=gives[0].pk).kol_rating == ""


def test_only_get_and_post(link):
    assert Client().put(url_of(link)).status_code == 405


def test_a_link_has_one_address_however_often_it_is_shown(link):
    """The MSL may copy it today and again next week: the same address, good until the
    link's own expiry (the row decides, not a time inside the token)."""
    again = VoiceLink.objects.get(pk=link.pk)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=7)):
        assert voice_token(again) == voice_token(link)
        assert Client().get(f"/for-you/{voice_token(again)}/").status_code == 200
