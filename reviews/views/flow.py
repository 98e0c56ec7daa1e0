"""Manager page: stage flow, how the team's relationships moved between stages."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from reviews.access import require_manager
from reviews.forms.filters import PeriodFilterForm
from reviews.selectors.flow import stage_flow


@require_GET
def flow(request: HttpRequest) -> HttpResponse:
    teams = require_manager(request)
    form = PeriodFilterForm(request.GET, teams=teams, area=False)
    chosen = form.selection
    context = {
        "form": form,
        "chosen": chosen,
        "flow": stage_flow(team_ids=[team.pk for team in chosen.teams], days=chosen.days),
    }
    return render(request, "reviews/flow.html", context)


urlpatterns = [path("flow/", flow, name="flow")]
