"""Manager page: what the team is hearing, in the KOLs' own words."""

from django import forms
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import path
from django.views.decorators.http import require_GET

from common.rendering import render_page_or_part
from contacts.models import TherapeuticArea, Topic
from reviews.access import require_manager
from reviews.selectors.hearing import HEARD_LIMIT, what_the_team_is_hearing

PERIOD_CHOICES = [(30, "Last 30 days"), (90, "Last 90 days"), (365, "Last 12 months")]
DEFAULT_PERIOD = 90


class TopicChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Topic) -> str:
        return f"{obj.area.name}: {obj.name}"


class HearingFilterForm(forms.Form):
    period = forms.TypedChoiceField(
        label="Period", choices=PERIOD_CHOICES, coerce=int, empty_value=DEFAULT_PERIOD
    )
    area = forms.ModelChoiceField(
        label="Therapeutic area",
        queryset=TherapeuticArea.objects.order_by("name"),
        required=False,
        empty_label="All areas",
    )
    topic = TopicChoiceField(
        label="Topic",
        queryset=Topic.objects.select_related("area").order_by("area__name", "name"),
        required=False,
        empty_label="All topics",
    )
    criticism = forms.BooleanField(label="Criticism only", required=False)


def _read_filters(request: HttpRequest) -> tuple[HearingFilterForm, list[str]]:
    """The filters to apply; values not understood fall back to the defaults, named."""
    data: QueryDict = request.GET.copy()
    if not data.get("period"):
        data["period"] = str(DEFAULT_PERIOD)
    form = HearingFilterForm(data)
    if form.is_valid():
        return form, []
    ignored = [str(form.fields[name].label) for name in form.errors]
    for name in form.errors:
        data.pop(name, None)
    if "period" in form.errors:
        data["period"] = str(DEFAULT_PERIOD)
    form = HearingFilterForm(data)
    form.is_valid()
    return form, ignored


@require_GET
def hearing(request: HttpRequest) -> HttpResponse:
    teams = require_manager(request)
    form, ignored = _read_filters(request)
    filters = form.cleaned_data
    heard = what_the_team_is_hearing(
        team_ids=[team.pk for team in teams],
        days=filters["period"],
        area=filters.get("area"),
        topic=filters.get("topic"),
        criticism_only=bool(filters.get("criticism")),
    )
    context = {
        "teams": teams,
        "form": form,
        "ignored": ignored,
        "days": filters["period"],
        "criticism_only": bool(filters.get("criticism")),
        "heard": heard,
        "limit": HEARD_LIMIT,
    }
    return render_page_or_part(request, "reviews/hearing.html", "results", context)


urlpatterns = [path("hearing/", hearing, name="hearing")]
