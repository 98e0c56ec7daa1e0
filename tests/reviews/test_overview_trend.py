"""Issue 17: the overview's chart shows change over time (touchpoints per week per MSL and
the team's stage moves), with its numbers in a table, and the table fits a laptop."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import Stage
from reviews.charts import Series, trend_chart
from reviews.selectors.trend import monday_of, team_trend
from tests.engagements.factories import TouchpointFactory
from tests.factories import KolFactory, StageChangeFactory

URL = reverse("reviews:overview")


def ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def weeks_of_work(owner, teammate, outsider):
    olivia = KolFactory(owner=owner, name="Dr Weekly")
    tom = KolFactory(owner=teammate, name="Dr Tom's")
    elsewhere = KolFactory(owner=outsider, name="Dr Elsewhere")
    for days in (0, 1, 8, 15, 15, 15, 200):
        TouchpointFactory(kol=olivia, occurred_at=ago(days))
    TouchpointFactory(kol=tom, occurred_at=ago(8))
    TouchpointFactory.create_batch(4, kol=elsewhere, occurred_at=ago(1))
    StageChangeFactory(kol=olivia, from_stage="", to_stage=Stage.ESTABLISHING, changed_at=ago(9))
    StageChangeFactory(
        kol=olivia, from_stage=Stage.ESTABLISHING, to_stage=Stage.DEVELOPING, changed_at=ago(8)
    )
    StageChangeFactory(
        kol=tom, from_stage=Stage.DEVELOPING, to_stage=Stage.ESTABLISHING, changed_at=ago(1)
    )
    return olivia, tom


def week_index(trend, moment: datetime.datetime) -> int:
    return trend.weeks.index(monday_of(timezone.localdate(moment)))


def test_the_weeks_run_monday_to_monday_over_the_period(owner):
    today = timezone.localdate()
    trend = team_trend(msls=[owner], days=90)
    assert trend.weeks[0] == monday_of(today - datetime.timedelta(days=90))
    assert trend.weeks[-1] == monday_of(today)
    assert all(week.weekday() == 0 for week in trend.weeks)
    assert all((b - a).days == 7 for a, b in zip(trend.weeks, trend.weeks[1:], strict=False))
    assert trend.series[0].touchpoints == [0] * len(trend.weeks)


def test_it_counts_touchpoints_per_week_for_each_msl(owner, teammate, weeks_of_work):
    trend = team_trend(msls=[owner, teammate], days=30)
    olivia, tom = trend.series
    assert olivia.msl == owner and tom.msl == teammate
    expected = [0] * len(trend.weeks)
    for days in (0, 1, 8, 15, 15, 15):  # the touchpoint 200 days ago is outside the period
        expected[week_index(trend, ago(days))] += 1
    assert olivia.touchpoints == expected and olivia.total == 6
    assert tom.total == 1 and tom.touchpoints[week_index(trend, ago(8))] == 1


def test_it_counts_stage_moves_per_week_forward_and_back(owner, teammate, weeks_of_work):
    trend = team_trend(msls=[owner, teammate], days=30)
    assert sum(trend.moves_forward) == 1 and sum(trend.moves_back) == 1  # not the first row
    assert trend.moves_forward[week_index(trend, ago(8))] == 1
    assert trend.moves_back[week_index(trend, ago(1))] == 1


def test_other_teams_work_never_counts(owner, teammate, weeks_of_work):
    trend = team_trend(msls=[owner, teammate], days=30)
    assert sum(s.total for s in trend.series) == 7


def test_the_page_draws_the_trend_and_its_numbers(manager_client, weeks_of_work):
    page = manager_client.get(URL, {"period": "30"}).content.decode()
    assert 'class="chart trend-chart" role="img"' in page
    assert 'aria-labelledby="trend-chart-title trend-chart-desc"' in page
    assert "Touchpoints per week for each MSL, and the team&#x27;s stage moves" in page
    assert "Olivia Owner: 6 in all, most in the week of" in page
    assert "Stage moves: 1 forward, 1 back." in page
    assert "<polyline" in page and page.count("<polyline") == 2  # a line per MSL
    # The numbers behind it, a table a screen reader can walk.
    assert "The chart's numbers, week by week" in page
    assert '<th scope="col">Olivia Owner</th>' in page
    assert "Dr Elsewhere" not in page and "Otto Outsider" not in page
    assert "style=" not in page


def test_the_table_is_narrow_enough_for_a_laptop(manager_client, weeks_of_work):
    """Seven columns: the stages, and the 30 / 90 day counts, share a column each."""
    page = manager_client.get(URL).content.decode()
    head = page[page.index("<thead>") : page.index("</thead>")]
    assert head.count('<th scope="col">') == 7
    assert '<abbr title="establishing / developing / maintaining">' in head


def test_the_chart_escapes_labels_and_marks_lines_by_more_than_colour():
    weeks = [datetime.date(2026, 11, 2) + datetime.timedelta(weeks=n) for n in range(3)]
    svg = trend_chart(
        weeks,
        [Series('<b>"Eve"</b>', [1, 0, 2]), Series("Al & Bo", [0, 0, 0])],
        up=[1, 0, 0],
        down=[0, 0, 2],
        title="Trend <x>",
        desc="Words & numbers",
        chart_id="t1",
    )
    assert svg.startswith("<svg") and 'role="img"' in svg and "<b>" not in svg
    assert '<title id="t1-title">Trend &lt;x&gt;</title>' in svg
    assert '<desc id="t1-desc">Words &amp; numbers</desc>' in svg
    assert "&lt;b&gt;&quot;Eve&quot;&lt;/b&gt;, week of 16 Nov: 2 touchpoints" in svg
    assert 'stroke-dasharray="8 4"' in svg  # the second line is dashed
    assert "Week of 16 Nov: 0 forward, 2 back" in svg
    assert "style=" not in svg


def test_the_query_count_does_not_grow_with_the_weeks(
    manager_client, owner, teammate, assert_same_query_counts
):
    kols = [KolFactory(owner=owner), KolFactory(owner=teammate)]

    def add(n):
        for i in range(n):
            for kol in kols:
                TouchpointFactory(kol=kol, occurred_at=ago(7 * i))
                StageChangeFactory(
                    kol=kol,
                    from_stage=Stage.ESTABLISHING,
                    to_stage=Stage.DEVELOPING,
                    changed_at=ago(7 * i),
                )

    counts = assert_same_query_counts(manager_client, URL, add)
    assert "<polyline" in counts.large_page
