"""The manager's stage review: agree, or suggest another stage and say why."""

from django import forms

from contacts.models import Kol, Stage
from reviews.models import StageReview


class StageReviewForm(forms.Form):
    verdict = forms.ChoiceField(
        choices=StageReview.Verdict.choices,
        widget=forms.RadioSelect,
        label="Your verdict",
        initial=StageReview.Verdict.AGREE,
    )
    suggested_stage = forms.ChoiceField(
        choices=[("", "—"), *Stage.choices],
        required=False,
        label="Suggested stage",
        help_text="Required when you suggest another stage.",
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        label="Comment for the MSL",
        help_text="What you see, and what would move the relationship on.",
    )

    def __init__(self, *args, kol: Kol, **kwargs):
        super().__init__(*args, **kwargs)
        self.kol = kol

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("verdict") != StageReview.Verdict.SUGGEST:
            cleaned["suggested_stage"] = ""
            return cleaned
        suggested = cleaned.get("suggested_stage")
        if not suggested:
            self.add_error("suggested_stage", "Pick the stage you suggest.")
        elif suggested == self.kol.stage:
            self.add_error(
                "suggested_stage",
                f"The relationship is already {self.kol.get_stage_display()}: "
                "pick another stage, or agree.",
            )
        if not (cleaned.get("comment") or "").strip():
            self.add_error("comment", "Say why")
        return cleaned
