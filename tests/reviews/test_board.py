"""The stage board: GET /team/board/ and its CSV at /team/board.csv."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import Kol, Provenance, Stage
from engagements.models import Give, Touchpoint
from tests.conftest import HTMX, client_for
from tests.engagements.factories import AskFactory, GiveFactory, TouchpointFactory
from tests.factories import GoalFactory, KolFactory, TherapeuticAreaFactory

URL = reverse("reviews:board")
CSV_URL = reverse("reviews:board_csv")


def kol_met(owner, name: str, days_ago: int, **fields) -> Kol:
    """A KOL last met `days_ago` days ago, with the check-in clock kept as the services do."""
    kol = KolFactory(owner=owner, name=name, **fields)
    kol.last_interaction_at = timezone.now() - datetime.timedelta(days=days_ago)
    kol.next_check_in_on = kol.compute_next_check_in()
    kol.save()
    return kol


def column(page: str, stage: str) -> str:
    match = re.search(rf'id="column-{stage}".*?</section>', page, re.S)
    assert match, stage
    return match.group(0)


def names(page: str) -> set[str]:
    found = re.findall(r'class="board-card-name"[^>]*><a [^>]*>([^<]+)</a>', page)
    return {name.removesuffix(", MD") for name in found}


@pytest.fixture
def board_kols(owner, teammate):
    """Establishing, 30-day cadence: on track, due soon, overdue, long overdue, at risk."""
    return {
        "on_track": kol_met(owner, "Dr On Track", 5),
        "due_soon": kol_met(owner, "Dr Due Soon", 25),
        "overdue": kol_met(teammate, "Dr Overdue", 35),
        "long_overdue": kol_met(teammate, "Dr Long Overdue", 50),
        "at_risk": kol_met(teammate, "Dr At Risk", 70),
    }


def test_it_shows_a_column_per_stage_with_a_card_per_kol(manager_client, owner, kol):
    kol_met(owner, "Dr Dev", 3, stage=Stage.DEVELOPING)
    KolFactory(owner=owner, name="Dr Archived", is_archived=True)
    page = manager_client.get(URL).content.decode()
    assert "<h1>Stage board</h1>" in page and "css/board.css" in page
    establishing = column(page, "establishing")
    assert "Establishing" in establishing and "1 KOL<" in establishing
    assert "Dr Ada Lovelace" in establishing
    assert "Dr Dev" in column(page, "developing")
    assert "0 KOLs" in column(page, "maintaining") and "No KOLs at this stage" in page
    assert "Dr Archived" not in page
    assert f'href="{reverse("kol:kol_detail", args=[kol.pk])}"' in page


def test_a_card_leads_with_the_person_then_the_facts_and_the_suggestion(manager_client, owner, kol):
    now = timezone.now()
    for days in (3, 20, 40):
        TouchpointFactory(kol=kol, occurred_at=now - datetime.timedelta(days=days))
    GiveFactory(kol=kol)
    AskFactory(kol=kol)
    AskFactory(kol=kol)
    GoalFactory(kol=kol, text="Lead a registry study", provenance=Provenance.STATED)
    GoalFactory(kol=kol, text="Maybe write a book", provenance=Provenance.ASSUMED)
    page = manager_client.get(URL).content.decode()
    card = re.search(r'<article class="board-card".*?</article>', page, re.S).group(0)
    assert card.index("Dr Ada Lovelace") < card.index("Lead a registry study")
    assert "Maybe write a book" not in card  # assumed, not stated
    assert "Olivia Owner" in card
    assert (now - datetime.timedelta(days=3)).strftime("%-d %b %Y") in card
    assert "check-in-on_track" in card and "On track" in card
    assert "1 give, 2 asks" in card and "Ask-heavy" in card
    assert "Suggested: Developing" in card
    assert "Three two-way touchpoints and a give in 90 days" in card


def test_it_shows_only_the_managers_teams(other_manager, kol):
    page = client_for(other_manager).get(URL).content.decode()
    assert "Dr Ada Lovelace" not in page


def test_people_who_manage_no_team_get_404(owner_client, teammate_client):
    assert owner_client.get(URL).status_code == 404
    assert teammate_client.get(URL).status_code == 404
    assert owner_client.get(CSV_URL).status_code == 404


def test_anonymous_people_are_sent_to_sign_in(client):
    for url in (URL, CSV_URL):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_wrong_method_405(manager_client):
    assert manager_client.post(URL).status_code == 405
    assert manager_client.post(CSV_URL).status_code == 405


def test_htmx_gets_only_the_board(manager_client, kol):
    part = manager_client.get(URL, {"suggested": "on"}, **HTMX)
    html = part.content.decode()
    assert part.status_code == 200 and 'id="board"' in html
    assert "<h1>" not in html and "<form" not in html
    assert "HX-Request" in part["Vary"]


def test_it_filters_by_msl(manager_client, board_kols, teammate):
    page = manager_client.get(URL, {"msl": teammate.pk}).content.decode()
    assert names(page) == {"Dr Overdue", "Dr Long Overdue", "Dr At Risk"}
    assert f'<option value="{teammate.pk}" selected>Tom Teammate</option>' in page


def test_a_foreign_msl_id_is_404(manager_client, outsider, board_kols):
    assert manager_client.get(URL, {"msl": outsider.pk}).status_code == 404
    assert manager_client.get(CSV_URL, {"msl": outsider.pk}).status_code == 404
    assert manager_client.get(URL, {"msl": 999999}).status_code == 404


def test_it_filters_by_area(manager_client, board_kols):
    cardio = TherapeuticAreaFactory(name="Cardiology")
    board_kols["due_soon"].therapeutic_areas.add(cardio)
    page = manager_client.get(URL, {"area": cardio.pk}).content.decode()
    assert names(page) == {"Dr Due Soon"}


@pytest.mark.parametrize(
    "status, expected",
    [
        ("on_track", {"Dr On Track"}),
        ("due_soon", {"Dr Due Soon"}),
        ("overdue", {"Dr Overdue"}),
        ("long_overdue", {"Dr Long Overdue", "Dr At Risk"}),
    ],
)
def test_it_filters_by_check_in_status(manager_client, board_kols, status, expected):
    page = manager_client.get(URL, {"check_in": status}).content.decode()
    assert names(page) == expected


def test_a_kol_without_a_stored_check_in_date_is_still_filtered_right(manager_client, owner):
    KolFactory(owner=owner, name="Dr Never Refreshed", next_check_in_on=None)
    assert names(manager_client.get(URL, {"check_in": "on_track"}).content.decode()) == {
        "Dr Never Refreshed"
    }
    assert names(manager_client.get(URL, {"check_in": "overdue"}).content.decode()) == set()


def test_it_filters_to_kols_with_a_suggestion(manager_client, board_kols):
    page = manager_client.get(URL, {"suggested": "on"}).content.decode()
    assert names(page) == {"Dr At Risk"}
    assert "Suggested: At risk" in page and "No contact in 2 cadences: at risk" in page


def test_garbage_filters_are_ignored_with_a_notice(manager_client, board_kols):
    response = manager_client.get(URL, {"msl": "abc", "area": "x", "check_in": "soonish"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Some filters were not understood and were ignored" in page
    assert "MSL" in page and "Therapeutic area" in page
    assert len(names(page)) == 5


def test_the_csv_has_the_filtered_board(manager_client, board_kols, teammate):
    response = manager_client.get(CSV_URL, {"msl": teammate.pk, "check_in": "long_overdue"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["KOL", "Owner", "Stage"]
    assert [row[0] for row in rows[1:]] == ["Dr At Risk, MD", "Dr Long Overdue, MD"]
    at_risk = dict(zip(rows[0], rows[1], strict=True))
    assert at_risk["Owner"] == "Tom Teammate" and at_risk["Check-in"] == "Long overdue"
    assert at_risk["Suggestion"] == "At risk"
    assert at_risk["Why"] == "no contact in 2 cadences: at risk"


def test_the_csv_neutralises_formulas(manager_client, owner):
    kol = KolFactory(owner=owner, name='=HYPERLINK("http://evil")', credentials="")
    GoalFactory(kol=kol, text="+1 cell")
    KolFactory(owner=owner, name="@SUM(A1)", credentials="")
    KolFactory(owner=owner, name="-2+3", credentials="")
    rows = list(csv.reader(io.StringIO(manager_client.get(CSV_URL).content.decode())))
    cells = {row[0]: row for row in rows[1:]}
    assert set(cells) == {'\'=HYPERLINK("http://evil")', "'@SUM(A1)", "'-2+3"}
    assert cells['\'=HYPERLINK("http://evil")'][3] == "'+1 cell"


def test_the_page_links_to_the_csv_with_the_filters(manager_client, board_kols):
    page = manager_client.get(URL, {"check_in": "overdue"}).content.decode()
    assert f'href="{CSV_URL}?check_in=overdue"' in page


@pytest.mark.parametrize("count", [10, 500])
def test_the_query_count_does_not_grow_with_the_kols(
    count, manager_client, owner, teammate, django_assert_max_num_queries
):
    owners = [owner, teammate]
    kols = Kol.objects.bulk_create(
        [Kol(name=f"Dr Bulk {n:04d}", owner=owners[n % 2]) for n in range(count)]
    )
    now = timezone.now()
    Touchpoint.objects.bulk_create(
        [Touchpoint(kol=k, by=k.owner, occurred_at=now, kind="meeting") for k in kols]
    )
    Give.objects.bulk_create([Give(kol=k, by=k.owner, kind="literature") for k in kols])
    # The KOLs' stages, then their cards with the evidence: five grouped queries.
    for params in ({}, {"check_in": "on_track"}, {"suggested": "on"}):
        with django_assert_max_num_queries(13):
            page = manager_client.get(URL, params).content.decode()
        if "suggested" not in params:  # just met: no suggestion for anyone
            assert page.count('class="board-card"') == min(count, 10)
            assert f"{count} KOLs" in page
    with django_assert_max_num_queries(13):
        response = manager_client.get(CSV_URL)
    assert len(response.content.decode().splitlines()) == count + 1


def test_a_column_shows_10_cards_then_more_on_request(manager_client, owner):
    Kol.objects.bulk_create(
        [Kol(name=f"Dr Many {n:02d}", owner=owner, stage=Stage.DEVELOPING) for n in range(25)]
    )
    page = manager_client.get(URL, {"msl": owner.pk}).content.decode()
    developing = column(page, "developing")
    assert "25 KOLs" in developing and "Showing 10 of 25 by name." in developing
    assert "Dr Many 09" in developing and "Dr Many 10" not in developing
    assert f'href="?msl={owner.pk}&amp;show_developing=20#column-developing"' in developing

    # htmx swaps that column alone, keeping the filters.
    more = manager_client.get(
        URL, {"msl": owner.pk, "show_developing": 20, "column": "developing"}, **HTMX
    )
    part = more.content.decode()
    assert part.lstrip().startswith('<section class="board-column"') and "<html" not in part
    assert "Dr Many 19" in part and "Dr Many 20" not in part and "Showing 20 of 25" in part

    # Without JavaScript: the whole board, that column longer; 30 shows everything.
    plain = manager_client.get(URL, {"show_developing": 30}).content.decode()
    assert "<html" in plain and "Dr Many 24" in column(plain, "developing")
    assert "Show more" not in column(plain, "developing")
    # The CSV has every card whatever is shown.
    csv_rows = manager_client.get(CSV_URL).content.decode().splitlines()
    assert len(csv_rows) == 26


@pytest.mark.parametrize("value", ["x", "-3", "0", "99999"])
def test_an_odd_show_more_value_is_clamped(manager_client, owner, value):
    Kol.objects.bulk_create([Kol(name=f"Dr Odd {n:02d}", owner=owner) for n in range(15)])
    response = manager_client.get(URL, {"show_establishing": value})
    assert response.status_code == 200
    shown = column(response.content.decode(), "establishing").count('class="board-card"')
    assert shown == (15 if value == "99999" else 10)
