"""What the KOL told us through their link is part of what we hold about them: the data
export (privacy/) carries it, and erasing removes it (tests/voice/test_public_page.py)."""

from django.test import Client
from django.urls import reverse

from tests.voice.conftest import url_of


def test_the_data_export_holds_their_answers_ratings_and_plan_comment(link, gives, owner_client):
    kol = link.kol
    Client().post(
        url_of(link), {"part": "interests", "interest_kinds": ["research"], "goals": "Run an IIS"}
    )
    Client().post(url_of(link), {"part": "plan", "comment": "Add nurses, please"})
    Client().post(
        url_of(link),
        {"part": "gives", "give": gives[0].pk, "rating": "useful", "comment": "Spot on"},
    )

    data = owner_client.get(reverse("privacy:kol_data_json", args=[kol.pk])).json()
    [exported] = data["personal_links"]
    assert exported["state"] == "Answered"
    assert exported["their_goals"] == "Run an IIS"
    assert exported["their_interests"] == ["research"]
    assert data["engagement_plan"]["their_comment"] == "Add nurses, please"
    rated = [g for g in data["gives"] if g["their_rating"]]
    assert [(g["their_rating"], g["their_comment"]) for g in rated] == [("Useful", "Spot on")]

    page = owner_client.get(reverse("privacy:kol_data", args=[kol.pk])).content.decode()
    assert "Their personal links and what they told us through them" in page
    assert "Run an IIS" in page
