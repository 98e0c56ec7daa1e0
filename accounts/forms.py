import zoneinfo

from django import forms

from accounts.models import User


class PreferencesForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        choices=[(name, name) for name in sorted(zoneinfo.available_timezones())],
        help_text="Dates and times are shown in this zone.",
    )

    class Meta:
        model = User
        fields = ["display_name", "time_zone", "thank_you_after_days"]

    def clean_thank_you_after_days(self) -> int:
        days = self.cleaned_data["thank_you_after_days"]
        if days > 14:
            raise forms.ValidationError("Send the thank-you within two weeks: pick 0 to 14 days.")
        return days
