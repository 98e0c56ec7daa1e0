"""Logging a touchpoint: what happened, what they said, what we promised."""

import uuid

from django import forms
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from common.locking import STALE_FORM, VersionedFormMixin
from contacts.forms import LimitedTextMixin
from contacts.models import AssumptionStatus, Interest, Kol, Provenance, Topic
from engagements.models import Question, Touchpoint

LEAVE = ""
ASSUMPTION_CHOICES = [
    (LEAVE, "Not discussed"),
    (AssumptionStatus.CONFIRMED, "They confirmed it"),
    (AssumptionStatus.REFUTED, "They said no"),
]


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value):
        if hasattr(value, "strftime"):
            value = timezone.localtime(value) if timezone.is_aware(value) else value
            return value.strftime("%Y-%m-%dT%H:%M")
        return value


class TouchpointForm(VersionedFormMixin, LimitedTextMixin, forms.ModelForm):
    """The touchpoint itself, plus a stated interest and the fate of open assumptions."""

    form_token = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={"required": STALE_FORM, "invalid": STALE_FORM},
    )
    stated_interest_kind = forms.ChoiceField(
        choices=[("", "—")] + list(Interest.Kind.choices),
        required=False,
        label="They told us they are interested in",
    )
    stated_interest_topic = forms.ModelChoiceField(
        Topic.objects.select_related("area"), required=False, label="Topic"
    )
    stated_interest_note = forms.CharField(max_length=300, required=False, label="In their words")

    class Meta:
        model = Touchpoint
        fields = [
            "occurred_at",
            "kind",
            "where",
            "topics",
            "summary",
            "they_said",
            "feedback",
            "is_criticism",
            "questions",
            "questions_text",
            "next_steps",
        ]
        widgets = {
            "occurred_at": DateTimeInput,
            "summary": forms.Textarea(attrs={"rows": 2}),
            "they_said": forms.Textarea(attrs={"rows": 3}),
            "feedback": forms.Textarea(attrs={"rows": 2}),
            "questions_text": forms.Textarea(attrs={"rows": 2}),
            "next_steps": forms.Textarea(attrs={"rows": 2}),
            "questions": forms.CheckboxSelectMultiple,
            "topics": forms.CheckboxSelectMultiple,
        }
        labels = {"questions": "Open-ended questions you asked"}

    def __init__(self, *args, kol: Kol, user: User, suggested=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kol = kol
        self.fields["occurred_at"].initial = timezone.now
        self.fields["occurred_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        self.fields["topics"].queryset = Topic.objects.select_related("area")
        self.fields["topics"].required = False
        bank = Question.objects.filter(Q(owner=None) | Q(owner=user))
        self.fields["questions"].queryset = bank
        if suggested is not None and not self.is_bound:
            # Show the suggestions (and whatever this touchpoint already had) as checkboxes.
            chosen = {q.pk for q in suggested}
            if self.instance.pk:
                chosen |= set(self.instance.questions.values_list("pk", flat=True))
            self.fields["questions"].queryset = bank.filter(pk__in=chosen)
        if not self.is_bound and not self.instance.pk:
            self.initial.setdefault("form_token", uuid.uuid4())
        if self.instance.pk:
            self.fields["form_token"].required = False
        self.assumptions = list(
            kol.interests.filter(
                provenance=Provenance.ASSUMED, assumption_status=AssumptionStatus.OPEN
            ).select_related("topic")
        )
        for interest in self.assumptions:
            label = interest.get_kind_display()
            if interest.topic:
                label = f"{label}: {interest.topic.name}"
            self.fields[f"assumption_{interest.pk}"] = forms.ChoiceField(
                choices=ASSUMPTION_CHOICES, required=False, label=f"We assume: {label}"
            )

    @property
    def assumption_fields(self):
        return [self[f"assumption_{interest.pk}"] for interest in self.assumptions]

    def clean_occurred_at(self):
        occurred_at = self.cleaned_data["occurred_at"]
        if occurred_at > timezone.now() + timezone.timedelta(minutes=5):
            raise forms.ValidationError(
                "That is in the future. Plan it as a follow-up instead, and log it once it "
                "has happened."
            )
        return occurred_at

    def clean(self):
        cleaned = super().clean()
        written = [cleaned.get(f) for f in ("summary", "they_said", "feedback", "next_steps")]
        if not any((text or "").strip() for text in written):
            raise forms.ValidationError(
                "Write what happened: a summary, what they said, their feedback or what you "
                "promised."
            )
        if cleaned.get("stated_interest_topic") and not cleaned.get("stated_interest_kind"):
            self.add_error("stated_interest_kind", "Say what kind of interest they stated.")
        if cleaned.get("stated_interest_kind") == Interest.Kind.DISEASE_AREA and not cleaned.get(
            "stated_interest_topic"
        ):
            self.add_error("stated_interest_topic", "Name the disease area they care about.")
        if cleaned.get("is_criticism") and not (cleaned.get("feedback") or "").strip():
            self.add_error("feedback", "Write down the criticism: it is why we engage them.")
        cleaned["assumption_outcomes"] = {
            interest: cleaned.get(f"assumption_{interest.pk}")
            for interest in self.assumptions
            if cleaned.get(f"assumption_{interest.pk}")
        }
        return cleaned


class KolPickForm(forms.Form):
    """The KOL picker of the "Log a touchpoint" page."""

    q = forms.CharField(required=False, max_length=100, label="Find the KOL")
