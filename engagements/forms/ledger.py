"""Forms of the give and ask ledger. They only validate; engagements.services.ledger writes."""

import datetime

from django import forms
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue
from django.utils import timezone

from common.locking import VersionedFormMixin, version_field
from contacts.forms import DateInput, LimitedTextMixin
from contacts.models import Kol
from engagements.models import Ask, Give
from engagements.selectors.ledger import topics_for_give


class IsoDateInput(DateInput):
    """A date picker needs ISO dates whatever the locale's display format."""

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _not_in_future(day: datetime.date | None, what: str) -> datetime.date | None:
    if day and day > timezone.localdate():
        raise forms.ValidationError(
            f"The date of {what} cannot be in the future: log it once it has happened."
        )
    return day


class TheirInterestsFirst(ModelChoiceIterator):
    """Topic options in two groups: the KOL's interests first, then every other topic."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        theirs, others = [], []
        for topic in self.queryset:
            (theirs if topic.is_theirs else others).append(self.choice(topic))
        if theirs:
            yield ("Their interests", theirs)
        if others:
            yield ("All other topics" if theirs else "All topics", others)

    def choice(self, obj):
        return (ModelChoiceIteratorValue(self.field.prepare_value(obj), obj), str(obj))


class TopicChoiceField(forms.ModelChoiceField):
    iterator = TheirInterestsFirst


class GiveForm(VersionedFormMixin, LimitedTextMixin, forms.ModelForm):
    class Meta:
        model = Give
        fields = ["kind", "topic", "given_on", "note", "response"]
        widgets = {
            "given_on": IsoDateInput,
            "note": forms.Textarea(attrs={"rows": 2}),
            "response": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"note": "What you gave", "response": "Their response (optional)"}
        help_texts = {
            "topic": "Ideally one of their interests.",
            "response": "You can add it later by editing.",
        }
        field_classes = {"topic": TopicChoiceField}
        error_messages = {"kind": {"required": "Say what kind of give it was."}}

    def __init__(self, *args, kol: Kol, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = topics_for_give(kol)
        self.fields["topic"].empty_label = "No particular topic"
        self.fields["given_on"].initial = timezone.localdate
        self.fields["given_on"].show_hidden_initial = False
        self.fields["given_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["given_on"].error_messages["required"] = "Give the date of the give."

    def clean_given_on(self) -> datetime.date | None:
        return _not_in_future(self.cleaned_data.get("given_on"), "a give")


class AskForm(VersionedFormMixin, LimitedTextMixin, forms.ModelForm):
    class Meta:
        model = Ask
        fields = ["kind", "in_it_for_kol", "asked_on", "outcome"]
        widgets = {
            "asked_on": IsoDateInput,
            "in_it_for_kol": forms.Textarea(attrs={"rows": 2}),
            "outcome": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"outcome": "Outcome (optional)"}
        help_texts = {"in_it_for_kol": "We state openly what the KOL gains from saying yes."}
        error_messages = {
            "kind": {"required": "Say what we asked for."},
            "in_it_for_kol": {
                "required": "Say what is in it for the KOL: we never ask without stating it."
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["asked_on"].initial = timezone.localdate
        self.fields["asked_on"].show_hidden_initial = False
        self.fields["asked_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["asked_on"].error_messages["required"] = "Give the date of the ask."

    def clean_in_it_for_kol(self) -> str:
        text = self.cleaned_data.get("in_it_for_kol", "").strip()
        if not text:
            raise forms.ValidationError(
                "Say what is in it for the KOL: we never ask without stating it."
            )
        return text

    def clean_asked_on(self) -> datetime.date | None:
        return _not_in_future(self.cleaned_data.get("asked_on"), "an ask")


class EntryDeleteForm(forms.Form):
    """A give's or an ask's Delete button sends the version the page showed (a page served
    before entries had one sends none, and is not checked)."""

    version = version_field(required=False)
