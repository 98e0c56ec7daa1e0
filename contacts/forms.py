"""Forms only validate; services write."""

import datetime

import django_filters
from django import forms
from django.db.models import Count, F, Q
from django.utils import timezone

from accounts.models import User, teammates_of
from common.locking import VersionedFormMixin, version_field
from common.text import TEXT_MAX_CHARS, clean_text
from contacts.models import (
    DUE_SOON_DAYS,
    AssumptionStatus,
    Collaborator,
    Goal,
    Interest,
    Kol,
    Provenance,
    Stage,
    TherapeuticArea,
    Topic,
    check_in_due_by,
)
from contacts.services import KOL_PROFILE_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None, format=None):
        # <input type=date> takes ISO dates only, whatever the locale's display format.
        super().__init__(attrs, format=format or "%Y-%m-%d")


# Free text (notes, what they said, goals, plans): room for a long meeting's notes (about
# 3,000 words), while a pasted document or a runaway script gets an error, not a saved row.


def validate_text_length(value: str) -> None:
    if len(value) > TEXT_MAX_CHARS:
        raise forms.ValidationError(
            f"Notes are limited to {TEXT_MAX_CHARS:,} characters; this has {len(value):,}. "
            "Keep the key points here and the full text where your team files documents.",
            code="max_length",
        )


def _cleaned_first(to_python):
    def to_python_clean(value):
        return to_python(clean_text(value) if isinstance(value, str) else value)

    return to_python_clean


class CleanTextMixin:
    """Every text field of the form drops control characters before it is validated
    (common.text.clean_text): a NUL fails on PostgreSQL, `\\x01=...` is a formula in exports."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.to_python = _cleaned_first(field.to_python)


class LimitedTextMixin(CleanTextMixin):
    """Every plain text field of the form without a max_length gets TEXT_MAX_CHARS (and,
    like every text field here, loses its control characters).

    No maxlength attribute in the HTML: a browser would cut a pasted note silently; the
    error says what happened instead.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if type(field) is forms.CharField and field.max_length is None:
                field.max_length = TEXT_MAX_CHARS
                field.validators.append(validate_text_length)


class KolForm(VersionedFormMixin, LimitedTextMixin, forms.ModelForm):
    version_required = True  # a profile edit is always checked (a new KOL has no version)

    class Meta:
        model = Kol
        # KOL_PROFILE_FIELDS ends with "email_consent", "email_consent_on".
        fields = [*KOL_PROFILE_FIELDS[:9], "therapeutic_areas", *KOL_PROFILE_FIELDS[9:]]
        widgets = {
            "therapeutic_areas": forms.CheckboxSelectMultiple,
            "passions": forms.Textarea(attrs={"rows": 3}),
            "email_consent_on": DateInput,
        }
        error_messages = {"name": {"required": "Give the KOL's name."}}

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Give the KOL's name.")
        return name

    def clean(self) -> dict:
        cleaned = super().clean()
        if not cleaned.get("email_consent"):
            cleaned["email_consent_on"] = None
        elif not cleaned.get("email_consent_on") and "email_consent_on" not in self.errors:
            self.add_error("email_consent_on", "Give the day they agreed to be emailed.")
        return cleaned


class KolCreateForm(KolForm):
    stage = forms.ChoiceField(
        choices=Stage.choices,
        initial=Stage.ESTABLISHING,
        label="Starting stage",
        help_text="Most relationships start at establishing.",
    )


class ProvenanceFormMixin:
    """Stated (with the day they said it) or assumed (open, confirmed or refuted)."""

    def clean_provenance_fields(self, cleaned: dict) -> None:
        if cleaned.get("provenance") == Provenance.ASSUMED:
            if not cleaned.get("assumption_status"):
                cleaned["assumption_status"] = AssumptionStatus.OPEN
        else:
            cleaned["assumption_status"] = ""


PROVENANCE_WIDGETS = {
    "provenance": forms.RadioSelect,
    "stated_on": DateInput,
}


class InterestForm(VersionedFormMixin, CleanTextMixin, ProvenanceFormMixin, forms.ModelForm):
    new_topic_name = forms.CharField(
        label="…or add a topic",
        max_length=120,
        required=False,
        help_text="Adds it to the shared vocabulary.",
    )
    new_topic_area = forms.ModelChoiceField(
        TherapeuticArea.objects.all(), label="in area", required=False
    )

    class Meta:
        model = Interest
        fields = [
            "kind",
            "topic",
            "provenance",
            "stated_on",
            "assumption_status",
            "note",
            "give_cadence_days",
        ]
        widgets = PROVENANCE_WIDGETS
        labels = {"assumption_status": "If assumed: status", "stated_on": "Stated on"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = Topic.objects.select_related("area")
        self.fields["topic"].required = False

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("new_topic_name") and not cleaned.get("new_topic_area"):
            self.add_error("new_topic_area", "Pick the therapeutic area the new topic belongs to.")
        if cleaned.get("new_topic_name") and cleaned.get("topic"):
            self.add_error("new_topic_name", "Pick a topic or add a new one, not both.")
        has_topic = cleaned.get("topic") or cleaned.get("new_topic_name")
        if cleaned.get("kind") == Interest.Kind.DISEASE_AREA and not has_topic:
            self.add_error("topic", "Name the disease area: pick a topic or add one.")
        self.clean_provenance_fields(cleaned)
        return cleaned


class GoalForm(VersionedFormMixin, LimitedTextMixin, ProvenanceFormMixin, forms.ModelForm):
    class Meta:
        model = Goal
        fields = [
            "whose",
            "area",
            "text",
            "status",
            "in_it_for_kol",
            "provenance",
            "stated_on",
            "assumption_status",
        ]
        widgets = {
            **PROVENANCE_WIDGETS,
            "whose": forms.RadioSelect,
            "text": forms.Textarea(attrs={"rows": 2}),
            "in_it_for_kol": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {
            "text": "Goal",
            "assumption_status": "If assumed: status",
            "provenance": "For the KOL's own goals: how we know",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Provenance applies to the KOL's own goals only; ours leave it out.
        self.fields["provenance"].required = False

    def clean(self) -> dict:
        cleaned = super().clean()
        if not cleaned.get("provenance"):
            cleaned["provenance"] = Provenance.STATED
        if (
            cleaned.get("whose") == Goal.Whose.OURS
            and not (cleaned.get("in_it_for_kol") or "").strip()
        ):
            self.add_error(
                "in_it_for_kol", "Say what is in it for the KOL: our goals are stated openly."
            )
        self.clean_provenance_fields(cleaned)
        return cleaned


class StageChangeForm(CleanTextMixin, forms.Form):
    to_stage = forms.ChoiceField(
        choices=[("", "Choose a stage"), *Stage.choices], label="Move to stage"
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        help_text="Required when the relationship moves back a stage.",
    )
    version = version_field()

    def __init__(self, *args, kol: Kol, **kwargs):
        super().__init__(*args, **kwargs)
        self.kol = kol
        self.fields["version"].initial = kol.version
        # The next stage forward, never a move back by default (the last stage: nothing).
        following = Stage.values[Stage.rank(kol.stage) + 1 :]
        self.fields["to_stage"].initial = following[0] if following else ""

    def clean(self) -> dict:
        cleaned = super().clean()
        to_stage = cleaned.get("to_stage")
        if to_stage and to_stage == self.kol.stage:
            self.add_error(
                "to_stage", f"The relationship is already {self.kol.get_stage_display()}."
            )
        elif (
            to_stage
            and Stage.rank(to_stage) < Stage.rank(self.kol.stage)
            and not (cleaned.get("reason") or "").strip()
        ):
            self.add_error("reason", "Say why the relationship moves back a stage.")
        return cleaned


class CollaboratorForm(forms.ModelForm):
    class Meta:
        model = Collaborator
        fields = ["user", "role"]
        labels = {"user": "Colleague"}

    def __init__(self, *args, kol: Kol, **kwargs):
        super().__init__(*args, **kwargs)
        self.kol = kol
        # Only the owner's teammates: sharing a KOL is not a way to reach outside the team.
        self.fields["user"].queryset = (
            teammates_of(kol.owner).exclude(pk=kol.owner_id).exclude(collaborations__kol=kol)
        )

    def validate_unique(self) -> None:
        # The form has no `kol` field; the service reports a duplicate clearly.
        pass


class KolFilter(django_filters.FilterSet):
    """The KOL list: search as you type, filter, sort."""

    q = django_filters.CharFilter(method="search", label="Search")
    stage = django_filters.ChoiceFilter(choices=Stage.choices, empty_label="Any stage")
    area = django_filters.ModelChoiceFilter(
        field_name="therapeutic_areas",
        queryset=TherapeuticArea.objects.all(),
        label="Therapeutic area",
        empty_label="Any area",
    )
    owner = django_filters.ModelChoiceFilter(
        queryset=User.objects.none(), label="Owner", empty_label="Anyone"
    )
    check_in = django_filters.ChoiceFilter(
        choices=[("due", "Check-in due (this week or overdue)"), ("overdue", "Overdue")],
        method="filter_check_in",
        label="Check-in",
        empty_label="Any",
    )
    ask_heavy = django_filters.BooleanFilter(
        method="filter_ask_heavy",
        label="Ask-heavy only",
        widget=forms.CheckboxInput,
    )
    sort = django_filters.OrderingFilter(
        fields=(
            ("name", "name"),
            ("institution", "institution"),
            ("stage_rank", "stage"),
            ("last_interaction_at", "last_touchpoint"),
            ("next_check_in_on", "next_check_in"),
        ),
        field_labels={
            "stage_rank": "Stage",
            "last_interaction_at": "Last touchpoint",
            "next_check_in_on": "Next check-in",
        },
        label="Sort by",
        empty_label="Name",
    )

    class Meta:
        model = Kol
        fields: list[str] = []

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        if owners is None:
            del self.filters["owner"]
        else:
            self.filters["owner"].queryset = owners

    def filter_check_in(self, queryset, name, value):
        today = timezone.localdate()
        if value == "overdue":
            return queryset.filter(check_in_due_by(today - datetime.timedelta(days=1)))
        return queryset.filter(check_in_due_by(today + datetime.timedelta(days=DUE_SOON_DAYS)))

    def filter_ask_heavy(self, queryset, name, value):
        """More asks than gives in the last 12 months (the ledger's warning)."""
        if not value:
            return queryset
        since = timezone.localdate() - datetime.timedelta(days=365)
        return queryset.annotate(
            gives_12m=Count("gives", filter=Q(gives__given_on__gte=since), distinct=True),
            asks_12m=Count("asks", filter=Q(asks__asked_on__gte=since), distinct=True),
        ).filter(asks_12m__gt=F("gives_12m"))

    def search(self, queryset, name, value):
        for word in value.split()[:6]:
            queryset = queryset.filter(
                Q(name__icontains=word)
                | Q(institution__icontains=word)
                | Q(specialty__icontains=word)
            )
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not queryset.query.order_by:
            queryset = queryset.order_by("name", "pk")
        # Nulls last: a KOL never met sorts after every met one.
        order = [
            F(o.lstrip("-")).desc(nulls_last=True)
            if o.startswith("-")
            else F(o).asc(nulls_last=True)
            for o in queryset.query.order_by
            if isinstance(o, str)
        ]
        return queryset.order_by(*order, "pk") if order else queryset
