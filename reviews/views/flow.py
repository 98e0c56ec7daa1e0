"""Manager page: stage flow, how the team's relationships moved between stages."""

from django import forms
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from accounts.models import Team
from reviews.access import get_team_for_manager, require_manager
from reviews.selectors.flow import stage_flow

PERIOD_CHOICES = [(30, "Last 30 days"), (90, "Last 90 days"), (365, "Last 12 months")]
DEFAULT_PERIOD = 90


class FlowFilterForm(forms.Form):
    period = forms.TypedChoiceField(
        label="Period", choices=PERIOD_CHOICES, coerce=int, empty_value=DEFAULT_PERIOD
    )
    team = forms.IntegerField(label="Team", required=False, min_value=1)

    def __init__(self, *args, teams: list[Team], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "All my teams"), *((team.pk, team.name) for team in teams)]
        self.fields["team"].widget = forms.Select(choices=choices)


def _read_filters(request: HttpRequest, teams: list[Team]) -> tuple[FlowFilterForm, list[str]]:
    """The filters to apply; values not understood fall back to the defaults, named."""
    data: QueryDict = request.GET.copy()
    if not data.get("period"):
        data["period"] = str(DEFAULT_PERIOD)
    form = FlowFilterForm(data, teams=teams)
    if form.is_valid():
        return form, []
    ignored = [str(form.fields[name].label) for name in form.errors]
    data["period"] = data["period"] if "period" not in form.errors else str(DEFAULT_PERIOD)
    if "team" in form.errors:
        data.pop("team")
    form = FlowFilterForm(data, teams=teams)
    form.is_valid()
    return form, ignored


@require_GET
def flow(request: HttpRequest) -> HttpResponse:
    teams = require_manager(request)
    form, ignored = _read_filters(request, teams)
    team_id = form.cleaned_data.get("team")
    chosen = teams
    if team_id is not None:
        # A team the user does not manage is 404, like any object they may not see.
        chosen = [t for t in teams if t.pk == team_id] or [
            get_team_for_manager(request.user, team_id)
        ]
    days = form.cleaned_data["period"]
    context = {
        "teams": teams,
        "chosen_teams": chosen,
        "form": form,
        "ignored": ignored,
        "days": days,
        "flow": stage_flow(team_ids=[team.pk for team in chosen], days=days),
    }
    return render(request, "reviews/flow.html", context)


urlpatterns = [path("flow/", flow, name="flow")]
