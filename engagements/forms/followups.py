"""Forms for follow-ups: they validate; engagements.services.followups writes."""

import datetime
import uuid

from django import forms
from django.utils import timezone

from contacts.forms import LimitedTextMixin
from engagements.models import FollowUp
from engagements.services.followups import PAST_DATE

SNOOZE_DAYS = [(1, "1 day"), (7, "1 week")]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class FollowUpForm(LimitedTextMixin, forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["kind", "text", "due_on"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2}), "due_on": DateInput}
        labels = {"text": "What to do", "due_on": "Due on"}
        error_messages = {
            "text": {"required": "Say what to do."},
            "due_on": {"required": "Pick the day it is due."},
        }

    # One-time: the same form sent twice adds one follow-up (services.followups.followup_add).
    form_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "followup")
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("form_token", uuid.uuid4())
        today = timezone.localdate()
        self.fields["due_on"].widget.attrs["min"] = today.isoformat()
        if not self.is_bound:
            self.initial.setdefault("due_on", today + datetime.timedelta(days=7))

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError("Say what to do.")
        return text

    def clean_due_on(self) -> datetime.date:
        due_on = self.cleaned_data["due_on"]
        if due_on < timezone.localdate():
            raise forms.ValidationError(PAST_DATE)
        return due_on


class FollowUpSnoozeForm(forms.Form):
    """Snooze by a number of days (from today, or from the due date if that is later) or
    until a given date."""

    days = forms.TypedChoiceField(choices=SNOOZE_DAYS, coerce=int, required=False)
    until = forms.DateField(label="Snooze until", required=False, widget=DateInput)

    def __init__(self, *args, followup: FollowUp, **kwargs):
        super().__init__(*args, **kwargs)
        self.followup = followup

    def clean(self) -> dict:
        cleaned = super().clean()
        today = timezone.localdate()
        days, until = cleaned.get("days"), cleaned.get("until")
        if "until" in self.errors:
            return cleaned
        if days:
            cleaned["until"] = max(today, self.followup.due_on) + datetime.timedelta(days=days)
        elif until is None:
            self.add_error("until", "Pick a date to snooze until.")
        elif until < today:
            self.add_error("until", PAST_DATE)
        return cleaned


class FollowUpReopenForm(FollowUpForm):
    """Reopen a done or skipped follow-up: its text and due date, as they should be now."""

    form_token = None  # reopening is no add: it changes the one follow-up it names

    class Meta(FollowUpForm.Meta):
        fields = ["text", "due_on"]

    def __init__(self, *args, instance: FollowUp, **kwargs):
        kwargs.setdefault("prefix", f"reopen-{instance.pk}")
        super().__init__(*args, instance=instance, **kwargs)
        if not self.is_bound:
            self.initial["due_on"] = max(instance.due_on, timezone.localdate())
