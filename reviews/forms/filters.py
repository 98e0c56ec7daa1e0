"""The period / area / team filter shared by the manager pages (a GET form)."""

import datetime
from dataclasses import dataclass

from django import forms
from django.http import Http404
from django.utils import timezone
from django.utils.functional import cached_property

from accounts.models import Team
from contacts.models import TherapeuticArea, Topic

PERIOD_CHOICES = [(30, "Last 30 days"), (90, "Last 90 days"), (365, "Last 12 months")]
DEFAULT_PERIOD = 90


@dataclass(frozen=True)
class PeriodFilter:
    """What a manager page shows: the period in days, and optionally one area or one team."""

    days: int
    area: TherapeuticArea | None
    team: Team | None
    teams: list[Team]

    @property
    def since(self) -> datetime.date:
        return timezone.localdate() - datetime.timedelta(days=self.days)


class PeriodFilterForm(forms.Form):
    """The one filter of the manager pages (overview, flow, hearing): period, area, team.

    Bind it to request.GET. Values that are not understood fall back to the defaults and
    leave a `notice` to show; a team id that is not one of the user's teams is a 404. A page
    without an area filter passes `area=False`."""

    period = forms.TypedChoiceField(
        choices=PERIOD_CHOICES,
        coerce=int,
        empty_value=DEFAULT_PERIOD,
        required=False,
        initial=DEFAULT_PERIOD,
        label="Period",
    )
    area = forms.ModelChoiceField(
        TherapeuticArea.objects.all(),
        required=False,
        empty_label="All areas",
        label="Therapeutic area",
    )
    team = forms.ModelChoiceField(
        Team.objects.none(), required=False, empty_label="All my teams", label="Team"
    )

    def __init__(self, data=None, *, teams: list[Team], area: bool = True):
        super().__init__(data)
        self.teams = teams
        self.fields["team"].queryset = Team.objects.filter(pk__in=[t.pk for t in teams])
        if not area:
            del self.fields["area"]
        self.notice = ""

    @cached_property
    def selection(self) -> PeriodFilter:
        """The validated choice, with defaults in place of anything not understood."""
        errors = self.errors
        raw_team = str(self.data.get("team", "")).strip()
        # A well-formed id of somebody else's team is probing, not a typo: same 404 as the URL.
        if "team" in errors and raw_team.isdigit():
            raise Http404("Not one of your teams.")
        if errors:
            labels = ", ".join(str(self.fields[name].label).lower() for name in errors)
            self.notice = f"Some filters were not understood and were ignored ({labels})."
        cleaned = getattr(self, "cleaned_data", {})  # an unbound form has none
        days = cleaned.get("period") or DEFAULT_PERIOD
        area, team = cleaned.get("area"), cleaned.get("team")
        # Redisplay what is shown, not what was typed (a bad value shows the default).
        self.data = {
            name: getattr(value, "pk", value)
            for name, value in [("period", days), *self._shown(cleaned)]
            if name in self.fields
        }
        return PeriodFilter(
            days=days, area=area, team=team, teams=[team] if team else list(self.teams)
        )

    def _shown(self, cleaned: dict) -> list[tuple[str, object]]:
        """The other fields' values as shown: empty for anything not chosen or understood."""
        return [(name, cleaned.get(name) or "") for name in self.fields if name != "period"]

    @property
    def showing(self) -> str:
        """What the page shows, in words, for the notice ("90 days, every area")."""
        chosen = self.selection
        if "area" not in self.fields:
            return f"{chosen.days} days"
        return f"{chosen.days} days, {chosen.area or 'every area'}"


class TopicChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Topic) -> str:
        return f"{obj.area.name}: {obj.name}"


class HearingFilterForm(PeriodFilterForm):
    """The period filter, and what the hearing page narrows further: topic, criticism."""

    topic = TopicChoiceField(
        label="Topic",
        queryset=Topic.objects.select_related("area").order_by("area__name", "name"),
        required=False,
        empty_label="All topics",
    )
    criticism = forms.BooleanField(label="Criticism only", required=False)
