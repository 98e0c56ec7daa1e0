"""Forms for events and opportunities. They only validate; events.services writes."""

import datetime

import django_filters
from django import forms
from django.utils import timezone

from accounts.models import User
from contacts.forms import DateInput, LimitedTextMixin
from contacts.models import Kol, TherapeuticArea, Topic
from events.models import Event, Opportunity
from events.selectors import attendee_choices


def _squash(text: str) -> str:
    return " ".join(text.split())


class KolChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Kol) -> str:
        return f"{obj.display_name} · {obj.institution}" if obj.institution else obj.display_name


class EventForm(forms.ModelForm):
    attendees = KolChoiceField(
        queryset=Kol.objects.none(),
        required=False,
        label="Your KOLs who attended",
        help_text="Only the KOLs you can see are listed; colleagues' attendees are kept. "
        "Hold Ctrl (Cmd on a Mac) to pick more than one.",
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    class Meta:
        model = Event
        fields = ["name", "starts_on", "ends_on", "location", "areas", "topics", "attendees"]
        widgets = {
            "starts_on": DateInput,
            "ends_on": DateInput,
            "areas": forms.CheckboxSelectMultiple,
            "topics": forms.CheckboxSelectMultiple,
        }
        labels = {
            "starts_on": "Starts on",
            "ends_on": "Ends on",
            "areas": "Therapeutic areas",
        }
        help_texts = {
            "topics": "After the event, KOLs who told you they care about one of these topics "
            "and missed it are suggested for a congress overview. Hold Ctrl (Cmd) for several.",
        }
        error_messages = {
            "name": {"required": "Give the event's name."},
            "starts_on": {"required": "Give the day the event starts."},
            "ends_on": {"required": "Give the day the event ends."},
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["areas"].queryset = TherapeuticArea.objects.all()
        self.fields["topics"].queryset = Topic.objects.select_related("area")
        self.fields["attendees"].queryset = attendee_choices(user, self.instance)
        if self.instance.pk:
            # Only the attendees this user can see are shown as chosen.
            self.initial["attendees"] = list(
                self.fields["attendees"].queryset.filter(
                    pk__in=self.instance.attendees.values("pk")
                )
            )

    def clean_name(self) -> str:
        name = _squash(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError("Give the event's name.")
        return name

    def clean(self) -> dict:
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "The event cannot end before it starts.")
        return cleaned


class EventFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search by name")

    class Meta:
        model = Event
        fields: list[str] = []

    def search(self, queryset, name, value):
        for word in value.split()[:6]:
            queryset = queryset.filter(name__icontains=word)
        return queryset


class OpportunityForm(LimitedTextMixin, forms.ModelForm):
    class Meta:
        model = Opportunity
        fields = ["kind", "title", "description", "topics", "deadline"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "topics": forms.CheckboxSelectMultiple,
            "deadline": DateInput,
        }
        labels = {"kind": "What kind of opportunity"}
        help_texts = {
            "topics": "KOLs who told you they care about one of these topics are suggested. "
            "No topic: anyone interested in this kind of opportunity. "
            "Hold Ctrl (Cmd) for several.",
            "deadline": "Optional.",
        }
        error_messages = {
            "kind": {"required": "Say what kind of opportunity it is."},
            "title": {"required": "Give the opportunity a title."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = Topic.objects.select_related("area")
        self.saved_deadline = self.instance.deadline if self.instance.pk else None

    def clean_title(self) -> str:
        title = _squash(self.cleaned_data["title"])
        if not title:
            raise forms.ValidationError("Give the opportunity a title.")
        return title

    def clean_deadline(self) -> datetime.date | None:
        deadline = self.cleaned_data.get("deadline")
        # A deadline that passed may stay on an old opportunity, but none is set in the past.
        if deadline and deadline < timezone.localdate() and deadline != self.saved_deadline:
            raise forms.ValidationError(
                "The deadline has already passed: pick today or a later day, or leave it empty."
            )
        return deadline
