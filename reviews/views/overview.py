"""Manager page: the team overview, one row per MSL, and its CSV export."""

import csv
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from common.rendering import render_page_or_part
from contacts.exports import neutralise
from reviews.access import require_manager
from reviews.charts import Series, trend_chart
from reviews.forms.filters import PeriodFilter, PeriodFilterForm
from reviews.selectors.overview import (
    MslOverview,
    overview_totals,
    team_overview,
    useful_by_topic,
)
from reviews.selectors.trend import Trend, team_trend


def _rows(request: HttpRequest) -> tuple[PeriodFilterForm, PeriodFilter, list[MslOverview]]:
    teams = require_manager(request)
    form = PeriodFilterForm(request.GET, teams=teams)
    chosen = form.selection
    rows = team_overview(teams=chosen.teams, days=chosen.days, area=chosen.area)
    return form, chosen, rows


def _trend_words(trend: Trend, days: int) -> str:
    """The chart's description: every line's total and busiest week, and the moves."""
    span = f"{len(trend.weeks)} weeks from the week of {trend.weeks[0]:%-d %b %Y}"
    lines = [f"Touchpoints per week for each MSL over the last {days} days, {span}."]
    for series in trend.series:
        busiest = max(series.touchpoints, default=0)
        week = trend.weeks[series.touchpoints.index(busiest)] if busiest else None
        lines.append(
            f"{series.msl.display_name}: {series.total} in all"
            + (f", most in the week of {week:%-d %b} ({busiest})." if week else ".")
        )
    lines.append(f"Stage moves: {sum(trend.moves_forward)} forward, {sum(trend.moves_back)} back.")
    return " ".join(lines)


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    form, chosen, rows = _rows(request)
    trend = team_trend(msls=[row.msl for row in rows], days=chosen.days, area=chosen.area)
    chart = trend_chart(
        trend.weeks,
        [Series(s.msl.display_name, s.touchpoints) for s in trend.series],
        up=trend.moves_forward,
        down=trend.moves_back,
        title="Touchpoints per week for each MSL, and the team's stage moves",
        desc=_trend_words(trend, chosen.days),
        chart_id="trend-chart",
    )
    context = {
        "form": form,
        "chosen": chosen,
        "rows": rows,
        "totals": overview_totals(rows),
        "useful_topics": useful_by_topic(
            msls=[row.msl for row in rows], days=chosen.days, area=chosen.area
        ),
        "chart": chart,
        "trend": trend,
        # The CSV link carries the filters as shown (a bad value already replaced by its default).
        "query": urlencode({name: value for name, value in form.data.items() if value != ""}),
    }
    return render_page_or_part(request, "reviews/overview.html", "results", context)


CSV_COLUMNS = [
    ("MSL", lambda row: row.msl.display_name),
    ("Email", lambda row: row.msl.email),
    ("Establishing", lambda row: row.establishing),
    ("Developing", lambda row: row.developing),
    ("Maintaining", lambda row: row.maintaining),
    ("Overdue check-ins", lambda row: row.overdue),
    ("Touchpoints, last 30 days", lambda row: row.touchpoints_30),
    ("Touchpoints, last 90 days", lambda row: row.touchpoints_90),
    ("Gives, last 30 days", lambda row: row.gives_30),
    ("Gives, last 90 days", lambda row: row.gives_90),
    ("Gives in period", lambda row: row.gives_in_period),
    ("Asks in period", lambda row: row.asks_in_period),
    ("Stage moves forward in period", lambda row: row.moves_forward),
    ("Stage moves back in period", lambda row: row.moves_back),
    ("Gives in period rated by the KOL", lambda row: row.gives_rated),
    ("Gives in period rated useful", lambda row: row.gives_useful),
]


@require_GET
def overview_csv(request: HttpRequest) -> HttpResponse:
    _form, chosen, rows = _rows(request)
    filename = f"team-overview-{timezone.localdate():%Y-%m-%d}-{chosen.days}d.csv"
    response = HttpResponse(
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
    writer = csv.writer(response)
    # The filters go in every row, so the file still says what it shows once re-sorted.
    scope = [chosen.days, chosen.area.name if chosen.area else "", chosen.team or ""]
    writer.writerow([name for name, _ in CSV_COLUMNS] + ["Period (days)", "Area", "Team"])
    for row in rows:
        cells = [value(row) for _, value in CSV_COLUMNS] + scope
        writer.writerow([neutralise(cell) for cell in cells])
    return response


urlpatterns = [
    path("", overview, name="overview"),
    path("overview.csv", overview_csv, name="overview_csv"),
]
