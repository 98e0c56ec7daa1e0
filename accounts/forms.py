import datetime
import zoneinfo

from django import forms

from accounts.models import User


def time_zone_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The ~600 zones in <optgroup>s by region ("Europe": "Paris", ...), "Other" last."""
    regions: dict[str, list[tuple[str, str]]] = {}
    for name in sorted(zoneinfo.available_timezones()):
        region, _, place = name.partition("/")
        if not place or region in {"Etc", "SystemV", "US", "Canada", "Brazil", "Mexico", "Chile"}:
            region, place = "Other", name
        regions.setdefault(region, []).append((name, place.replace("_", " ")))
    other = regions.pop("Other", [])
    return [*sorted(regions.items()), ("Other", other)]


# Who has never picked a zone still has the model's default: the browser's zone is offered.
UNCHOSEN_ZONE = User._meta.get_field("time_zone").default
# Settings only a team's manager receives (the weekly team summary): hidden from an MSL.
MANAGER_ONLY = ["manager_summary_enabled"]


class PreferencesForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        choices=time_zone_choices,
        help_text="Dates and times are shown in this zone.",
    )

    digest_time = forms.TypedChoiceField(
        choices=[
            (t.strftime("%H:%M"), t.strftime("%H:%M"))
            for t in (datetime.time(h, m) for h in range(24) for m in range(0, 60, 5))
        ],
        coerce=lambda value: datetime.time.fromisoformat(value),
        label="Digest time",
        help_text="In your own time zone, in 5-minute steps.",
    )

    class Meta:
        model = User
        fields = [
            "display_name",
            "time_zone",
            "digest_enabled",
            "digest_time",
            "immediate_follow_ups",
            "manager_summary_enabled",
            "thank_you_after_days",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["digest_time"] = self.instance.digest_time.strftime("%H:%M")
        if self.instance.time_zone == UNCHOSEN_ZONE:
            # static/js/timezone.js preselects the browser's zone (not saved until submitted).
            self.fields["time_zone"].widget.attrs["data-suggest-browser-zone"] = ""
        if not self.instance.is_manager:
            for name in MANAGER_ONLY:
                del self.fields[name]

    def clean_thank_you_after_days(self) -> int:
        days = self.cleaned_data["thank_you_after_days"]
        if days > 14:
            raise forms.ValidationError("Send the thank-you within two weeks: pick 0 to 14 days.")
        return days
