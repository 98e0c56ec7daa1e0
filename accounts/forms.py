import datetime
import zoneinfo

from django import forms

from accounts.models import User


class PreferencesForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        choices=[(name, name) for name in sorted(zoneinfo.available_timezones())],
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

    def clean_thank_you_after_days(self) -> int:
        days = self.cleaned_data["thank_you_after_days"]
        if days > 14:
            raise forms.ValidationError("Send the thank-you within two weeks: pick 0 to 14 days.")
        return days
