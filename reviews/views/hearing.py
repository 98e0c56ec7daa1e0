"""Manager page: what the team is hearing, in the KOLs' own words."""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

from common.rendering import render_page_or_part
from reviews.access import require_manager
from reviews.forms.filters import HearingFilterForm
from reviews.selectors.hearing import HEARD_LIMIT, QUOTES_PER_TOPIC, what_the_team_is_hearing


@require_GET
def hearing(request: HttpRequest) -> HttpResponse:
    teams = require_manager(request)
    form = HearingFilterForm(request.GET, teams=teams)
    chosen = form.selection
    filters = getattr(form, "cleaned_data", {})
    criticism_only = bool(filters.get("criticism"))
    heard = what_the_team_is_hearing(
        team_ids=[team.pk for team in chosen.teams],
        days=chosen.days,
        area=chosen.area,
        topic=filters.get("topic"),
        criticism_only=criticism_only,
    )
    context = {
        "form": form,
        "chosen": chosen,
        "criticism_only": criticism_only,
        "heard": heard,
        "limit": HEARD_LIMIT,
        "per_topic": QUOTES_PER_TOPIC,
    }
    return render_page_or_part(request, "reviews/hearing.html", "results", context)


urlpatterns = [path("hearing/", hearing, name="hearing")]
