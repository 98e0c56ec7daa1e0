import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from contacts.models import Kol, Stage
from reviews.charts import BarRow, stacked_bar_chart
from reviews.selectors.overview import team_overview
from tests.conftest import HTMX, client_for
from tests.engagements.factories import AskFactory, GiveFactory, TouchpointFactory
from tests.factories import (
    KolFactory,
    MembershipFactory,
    StageChangeFactory,
    TeamFactory,
    TherapeuticAreaFactory,
    UserFactory,
)

URL = reverse("reviews:overview")
CSV_URL = reverse("reviews:overview_csv")


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def at_days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def cardio(db):
    return TherapeuticAreaFactory(name="Cardiology")


@pytest.fixture
def known(owner, teammate, cardio):
    """Olivia's small, known book of relationships (Tom has one KOL)."""
    oncology = TherapeuticAreaFactory(name="Oncology")
    k1 = KolFactory(
        owner=owner, name="Dr One", stage=Stage.ESTABLISHING, next_check_in_on=days_ago(5)
    )
    k2 = KolFactory(
        owner=owner, name="Dr Two", stage=Stage.DEVELOPING, next_check_in_on=days_ago(-10)
    )
    k3 = KolFactory(
        owner=owner, name="Dr Three", stage=Stage.MAINTAINING, next_check_in_on=days_ago(1)
    )
    KolFactory(
        owner=owner,
        name="Dr Archived",
        stage=Stage.MAINTAINING,
        is_archived=True,
        next_check_in_on=days_ago(30),
    )
    KolFactory(owner=teammate, name="Dr Tom's", stage=Stage.DEVELOPING)
    k1.therapeutic_areas.add(cardio)
    k3.therapeutic_areas.add(cardio)
    k2.therapeutic_areas.add(oncology)

    TouchpointFactory(kol=k1, occurred_at=at_days_ago(10))
    TouchpointFactory(kol=k2, occurred_at=at_days_ago(40))
    TouchpointFactory(kol=k3, occurred_at=at_days_ago(100))

    GiveFactory(kol=k1, given_on=days_ago(5))
    GiveFactory(kol=k2, given_on=days_ago(60))
    GiveFactory(kol=k3, given_on=days_ago(200))
    AskFactory.create_batch(3, kol=k1, asked_on=days_ago(10))
    AskFactory(kol=k2, asked_on=days_ago(300))

    StageChangeFactory(kol=k1, from_stage="", to_stage=Stage.DEVELOPING, changed_at=at_days_ago(80))
    StageChangeFactory(
        kol=k1, from_stage=Stage.DEVELOPING, to_stage=Stage.ESTABLISHING, changed_at=at_days_ago(10)
    )
    StageChangeFactory(
        kol=k2, from_stage=Stage.ESTABLISHING, to_stage=Stage.DEVELOPING, changed_at=at_days_ago(20)
    )
    StageChangeFactory(
        kol=k3, from_stage=Stage.DEVELOPING, to_stage=Stage.MAINTAINING, changed_at=at_days_ago(50)
    )
    StageChangeFactory(
        kol=k3,
        from_stage=Stage.ESTABLISHING,
        to_stage=Stage.DEVELOPING,
        changed_at=at_days_ago(200),
    )
    return k1, k2, k3


def _olivia(team, **filters):
    rows = {row.msl.display_name: row for row in team_overview(teams=[team], **filters)}
    return rows


# Numbers


def test_it_counts_each_msls_relationships(team, known, manager):
    rows = _olivia(team, days=90)
    assert list(rows) == ["Olivia Owner", "Tom Teammate"]  # MSLs only, the manager is no row
    olivia = rows["Olivia Owner"]
    assert (olivia.establishing, olivia.developing, olivia.maintaining) == (1, 1, 1)
    assert olivia.overdue == 2  # the archived KOL's overdue check-in does not count
    assert (olivia.touchpoints_30, olivia.touchpoints_90) == (1, 2)
    assert (olivia.gives_30, olivia.gives_90, olivia.gives_in_period) == (1, 2, 2)
    assert olivia.asks_in_period == 3 and olivia.ask_heavy
    assert (olivia.moves_forward, olivia.moves_back) == (2, 1)
    tom = rows["Tom Teammate"]
    assert (tom.developing, tom.kols, tom.touchpoints_90, tom.moves_forward) == (1, 1, 0, 0)


def test_the_period_changes_the_period_numbers(team, known):
    year = _olivia(team, days=365)["Olivia Owner"]
    assert (year.gives_in_period, year.asks_in_period) == (3, 4)
    assert (year.moves_forward, year.moves_back) == (3, 1)
    month = _olivia(team, days=30)["Olivia Owner"]
    assert (month.gives_in_period, month.asks_in_period) == (1, 3)
    assert (month.moves_forward, month.moves_back) == (1, 1)
    # The 30 and 90 day columns stay what they say.
    assert (month.touchpoints_30, month.touchpoints_90, month.gives_90) == (1, 2, 2)


def test_the_area_keeps_kols_of_that_area(team, known, cardio):
    olivia = _olivia(team, days=90, area=cardio)["Olivia Owner"]
    assert (olivia.establishing, olivia.developing, olivia.maintaining) == (1, 0, 1)
    assert olivia.overdue == 2
    assert (olivia.touchpoints_30, olivia.touchpoints_90) == (1, 1)
    assert (olivia.gives_30, olivia.gives_90, olivia.asks_in_period) == (1, 1, 3)
    assert (olivia.moves_forward, olivia.moves_back) == (1, 1)


# The page


def test_it_leads_with_the_people(manager_client, known):
    response = manager_client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("Olivia Owner") < page.index("Tom Teammate")
    assert "Dr One" not in page and "Dr Two" not in page  # no KOL rows here
    assert "3 active KOLs" in page
    assert "2 overdue" in page
    assert "2 gives · 3 asks" in page and "ask-heavy" in page
    assert "2 forward · 1 back" in page
    assert 'aria-label="Manager pages"' in page
    assert f'href="{URL}" aria-current="page"' in page
    assert reverse("reviews:board") in page
    assert "style=" not in page and "<script>" not in page.split("</head>")[1]


def test_the_filters_change_what_the_page_shows(manager_client, known, cardio):
    page = manager_client.get(URL, {"period": "365"}).content.decode()
    assert "3 gives · 4 asks" in page and "3 forward · 1 back" in page
    assert '<option value="365" selected>' in page
    page = manager_client.get(URL, {"area": cardio.pk}).content.decode()
    assert "2 active KOLs" in page and "KOLs in Cardiology" in page
    assert f"{CSV_URL}?period=90&amp;area={cardio.pk}" in page


@pytest.mark.parametrize(
    "query", [{"period": "banana"}, {"period": "45"}, {"area": "999999"}, {"area": "x"}]
)
def test_bad_filter_values_show_a_notice_and_the_defaults(manager_client, known, query):
    response = manager_client.get(URL, query)
    assert response.status_code == 200
    page = response.content.decode()
    assert "not understood" in page and "Showing 90 days, every area" in page
    assert "2 gives · 3 asks" in page  # the 90-day defaults
    assert '<option value="90" selected>' in page


def test_a_team_filter_narrows_to_one_of_my_teams(manager, manager_client, known):
    second = TeamFactory(name="Team C")
    MembershipFactory(team=second, user=manager, role=Membership.Role.MANAGER)
    MembershipFactory(team=second, user=UserFactory(display_name="Cleo Second"))
    page = manager_client.get(URL).content.decode()
    assert "Cleo Second" in page and "Olivia Owner" in page
    page = manager_client.get(URL, {"team": second.pk}).content.decode()
    assert "Cleo Second" in page and "Olivia Owner" not in page


@pytest.mark.parametrize("url", [URL, CSV_URL])
def test_a_team_of_another_manager_is_not_found(manager_client, other_team, url):
    assert manager_client.get(url, {"team": other_team.pk}).status_code == 404


def test_a_garbage_team_is_a_notice(manager_client, known):
    page = manager_client.get(URL, {"team": "abc"}).content.decode()
    assert "not understood" in page and "Olivia Owner" in page


@pytest.mark.parametrize("url", [URL, CSV_URL])
def test_an_msl_who_manages_nobody_gets_404(owner_client, url):
    assert owner_client.get(url).status_code == 404


def test_another_manager_never_sees_team_a(other_manager, outsider, known, team):
    client = client_for(other_manager)
    page = client.get(URL).content.decode()
    assert "Otto Outsider" in page and "Olivia Owner" not in page
    assert client.get(URL, {"team": team.pk}).status_code == 404
    assert "Olivia Owner" not in client.get(CSV_URL).content.decode()


@pytest.mark.parametrize("url", [URL, CSV_URL])
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("url", [URL, CSV_URL])
def test_it_only_answers_get(manager_client, url):
    assert manager_client.post(url).status_code == 405


def test_htmx_gets_only_the_results(manager_client, known):
    response = manager_client.get(URL, {"period": "30"}, **HTMX)
    part = response.content.decode()
    assert part.lstrip().startswith('<section id="results"')
    assert "Olivia Owner" in part and "<html" not in part and "Manager pages" not in part
    assert "HX-Request" in response["Vary"]


def test_the_page_says_when_there_are_no_msls(manager_client):
    assert "No MSLs in your teams yet" in manager_client.get(URL).content.decode()


# The chart


def test_the_page_draws_the_stage_chart(manager_client, known):
    page = manager_client.get(URL).content.decode()
    assert 'role="img"' in page and "<title id=" in page and "<desc id=" in page
    # Issue 17: the chart shows the weeks (tests/reviews/test_overview_trend.py); the
    # stage counts are in the table.
    assert "Olivia Owner: 2 in all" in page
    assert "1 / 1 / 1" in page


def test_the_chart_is_accessible_and_escapes_labels():
    svg = stacked_bar_chart(
        [BarRow('<b>"Eve"</b>', (2, 1, 1)), BarRow("Al & Bo", (0, 0, 0))],
        series=["Establishing", "Developing", "Maintaining"],
        title="KOLs <by> stage",
        chart_id="c1",
    )
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert 'aria-labelledby="c1-title c1-desc"' in svg
    assert '<title id="c1-title">KOLs &lt;by&gt; stage</title>' in svg
    assert "&lt;b&gt;&quot;Eve&quot;&lt;/b&gt;: 2 establishing, 1 developing, 1 maintaining." in svg
    assert "Al &amp; Bo: 0 establishing" in svg
    assert "<b>" not in svg and "style=" not in svg
    # Widths are computed here: the longest bar takes the whole bar area, split by count.
    assert 'width="180"' in svg and 'width="90"' in svg
    assert "2 / 1 / 1" in svg and "0 / 0 / 0" in svg
    for n in range(3):
        assert f'id="c1-p{n}"' in svg and f'fill="url(#c1-p{n})"' in svg


def test_the_chart_shortens_long_names_but_keeps_them_in_the_description():
    name = "Professor Maximiliane Von Habsburg-Lothringen"
    svg = stacked_bar_chart([BarRow(name, (1, 0, 0))], series=["A", "B", "C"], title="t")
    assert f"{name}: 1 a" in svg and ">Professor Maximiliane V…<" in svg


# The CSV


def test_the_csv_has_the_numbers_with_the_current_filters(manager_client, known, cardio):
    response = manager_client.get(CSV_URL, {"period": "365", "area": cardio.pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'attachment; filename="team-overview-' in response["Content-Disposition"]
    assert '-365d.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header, olivia = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert header[0] == "MSL" and olivia["MSL"] == "Olivia Owner"
    assert (olivia["Establishing"], olivia["Developing"], olivia["Maintaining"]) == ("1", "0", "1")
    assert olivia["Gives in period"] == "2" and olivia["Asks in period"] == "3"
    assert olivia["Period (days)"] == "365" and olivia["Area"] == "Cardiology"
    assert [row[0] for row in rows[1:]] == ["Olivia Owner", "Tom Teammate"]


def test_the_csv_neutralises_formulas(manager_client, team):
    for name in ["=cmd()", "+1", "-2", "@SUM(A1)"]:
        MembershipFactory(team=team, user=UserFactory(display_name=name))
    response = manager_client.get(CSV_URL)
    names = [row[0] for row in csv.reader(io.StringIO(response.content.decode()))][1:]
    assert sorted(names) == sorted(["'=cmd()", "'+1", "'-2", "'@SUM(A1)"])


def test_bad_csv_filters_fall_back_to_the_defaults(manager_client, known):
    response = manager_client.get(CSV_URL, {"period": "nope"})
    assert response.status_code == 200 and '-90d.csv"' in response["Content-Disposition"]


# Queries


def _book(owner, teammate, count: int) -> None:
    for user in (owner, teammate):
        kols = KolFactory.create_batch(count // 2, owner=user, next_check_in_on=days_ago(3))
        for kol in kols[:5]:
            TouchpointFactory(kol=kol)
            GiveFactory(kol=kol)
            AskFactory(kol=kol)
            StageChangeFactory(kol=kol, from_stage=Stage.ESTABLISHING, to_stage=Stage.DEVELOPING)


def test_the_query_count_does_not_grow_with_the_kols(
    manager_client, owner, teammate, django_assert_max_num_queries
):
    _book(owner, teammate, 10)
    with CaptureQueriesContext(connection) as small:
        assert manager_client.get(URL).status_code == 200
    _book(owner, teammate, 490)
    assert Kol.objects.count() == 500
    with django_assert_max_num_queries(len(small)):
        page = manager_client.get(URL).content.decode()
    assert "250 active KOLs" in page
    with django_assert_max_num_queries(len(small)):
        manager_client.get(CSV_URL)
