"""The manager's team overview: the share of gives KOLs rated useful, per MSL and per topic."""

import csv
import io

from django.test import Client

from tests.engagements.factories import GiveFactory
from tests.voice.conftest import url_of
from voice import services


def rate(link, give, rating):
    data = {"part": "gives", "give": give.pk, "rating": rating}
    assert Client().post(url_of(link), data).status_code == 302


def test_it_shows_the_useful_share_per_msl_and_topic(manager_client, consenting, gives, owner):
    third = GiveFactory(kol=consenting, topic=gives[0].topic)
    link = services.link_create(
        kol=consenting, by=owner, ask_interests=False, share_plan=False, gives=[*gives, third]
    )
    rate(link, gives[0], "useful")
    rate(link, gives[1], "not_for_me")
    rate(link, third, "useful")
    page = manager_client.get("/team/").content.decode()
    assert "67% rated useful by KOLs (2 of 3)" in page
    assert "Gives rated useful by KOLs, per topic" in page
    assert '<th scope="row">Heart failure registries</th><td>100%' in page
    assert '<th scope="row">No particular topic</th><td>0%' in page
    rows = list(csv.reader(io.StringIO(manager_client.get("/team/overview.csv").content.decode())))
    header, olivia = rows[0], next(row for row in rows if row[0] == "Olivia Owner")
    assert olivia[header.index("Gives in period rated useful")] == "2"


def test_none_rated_says_so(manager_client, owner):
    page = manager_client.get("/team/").content.decode()
    assert "none rated by KOLs" in page and "No KOL rated a give of this period yet" in page
