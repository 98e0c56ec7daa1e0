"""The engagement plan form. It only validates; engagements.services.plan writes."""

from django import forms

from common.locking import version_field
from contacts.forms import LimitedTextMixin
from engagements.forms.ledger import IsoDateInput
from engagements.models import EngagementPlan
from engagements.services.plan import PLAN_FIELDS


class EngagementPlanForm(LimitedTextMixin, forms.ModelForm):
    # 0 means "no plan saved yet"; otherwise the version the user started from.
    version = version_field(min_value=0)

    class Meta:
        model = EngagementPlan
        fields = PLAN_FIELDS
        widgets = {
            "objectives": forms.Textarea(attrs={"rows": 3}),
            "kol_input": forms.Textarea(attrs={"rows": 2}),
            "who_interacts": forms.Textarea(attrs={"rows": 2}),
            "outcome_measures": forms.Textarea(attrs={"rows": 2}),
            "next_review_on": IsoDateInput,
        }
        help_texts = {
            "objectives": "What we aim for together, and what each side can expect.",
            "kol_input": "Their words: what they want from working with us.",
            "who_interacts": "e.g. Sam Okafor, MSL: quarterly check-ins; "
            "Dr Li, medical director: advisory boards.",
            "outcome_measures": "e.g. an investigator-initiated study submitted; two talks a year.",
            "next_review_on": "A past date is fine: the plan then shows it is due for review.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["version"].initial = self.instance.version if self.instance.pk else 0

    def clean_objectives(self) -> str:
        text = self.cleaned_data.get("objectives", "").strip()
        if not text:
            raise forms.ValidationError(
                "State the objectives and expectations: what we aim for together."
            )
        return text

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("built_with_kol") and not (cleaned.get("kol_input") or "").strip():
            self.add_error("kol_input", "Note what they said, so the plan keeps their words.")
        return cleaned
