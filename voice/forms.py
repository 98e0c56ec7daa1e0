"""Forms of the KOL's link: the MSL's (which parts to ask) and the KOL's (their answers).
Every text the KOL sends is cleaned and size-limited; the templates escape it."""

from django import forms

from common.text import clean_text
from contacts.models import Interest, Kol, Topic
from engagements.models import Give, KolRating

# The KOL's answers are short by design: a few sentences, not a document.
GOALS_MAX_CHARS = 2000
COMMENT_MAX_CHARS = 2000
RATING_COMMENT_MAX_CHARS = 1000
MAX_TOPICS_OFFERED = 40

# What the survey asks about: professional interests in the KOL's words (PRODUCT.md, 2).
SURVEY_KINDS = [
    Interest.Kind.RESEARCH,
    Interest.Kind.CLINICAL_TRIALS,
    Interest.Kind.EDUCATION,
    Interest.Kind.SPEAKING,
    Interest.Kind.PUBLICATIONS,
    Interest.Kind.CONTENT,
    Interest.Kind.ADVISORY,
]
SURVEY_LABELS = {
    Interest.Kind.RESEARCH: "Research, such as investigator-initiated studies",
    Interest.Kind.CLINICAL_TRIALS: "Taking part in clinical trials",
    Interest.Kind.EDUCATION: "Educating fellows or physicians",
    Interest.Kind.SPEAKING: "Speaking at meetings and congresses",
    Interest.Kind.PUBLICATIONS: "Writing and publishing",
    Interest.Kind.CONTENT: "Creating content, such as white papers",
    Interest.Kind.ADVISORY: "Advisory work",
}


class CleanTextField(forms.CharField):
    def to_python(self, value):
        return super().to_python(clean_text(value) if isinstance(value, str) else value)


def gives_to_ask_about(kol: Kol):
    """The gives an MSL may ask the KOL to rate: the recent ones, newest first."""
    return Give.objects.filter(kol=kol).select_related("topic").order_by("-given_on", "-pk")[:20]


class LinkCreateForm(forms.Form):
    ask_interests = forms.BooleanField(
        label="What matters to you: a short survey of their interests and goals",
        required=False,
        initial=True,
    )
    share_plan = forms.BooleanField(
        label="Our plan together: the plan's objectives and what is in it for them, "
        "for their comments",
        required=False,
    )
    gives = forms.ModelMultipleChoiceField(
        label="Was this useful? The gives to ask about",
        queryset=Give.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, kol: Kol, has_plan: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_plan = has_plan
        ids = [give.pk for give in gives_to_ask_about(kol)]
        self.fields["gives"].queryset = (
            Give.objects.filter(pk__in=ids).select_related("topic").order_by("-given_on", "-pk")
        )
        self.fields["gives"].label_from_instance = lambda give: (
            f"{give.get_kind_display()}"
            + (f": {give.topic.name}" if give.topic else "")
            + f", {give.given_on:%-d %b %Y}"
        )
        if not has_plan:
            self.fields["share_plan"].disabled = True
            self.fields["share_plan"].help_text = "Write the engagement plan first."

    def clean(self):
        cleaned = super().clean()
        if self.has_plan is False:
            cleaned["share_plan"] = False
        if not (cleaned.get("ask_interests") or cleaned.get("share_plan") or cleaned.get("gives")):
            raise forms.ValidationError("Choose at least one part for the link.")
        return cleaned


class SurveyForm(forms.Form):
    interest_kinds = forms.MultipleChoiceField(
        label="Which of these matter to you professionally?",
        choices=[(kind.value, SURVEY_LABELS[kind]) for kind in SURVEY_KINDS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    topics = forms.ModelMultipleChoiceField(
        label="Which topics would you like to hear about?",
        queryset=Topic.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    goals = CleanTextField(
        label="Your goals, in your own words",
        help_text=f"Optional; up to {GOALS_MAX_CHARS} characters.",
        required=False,
        max_length=GOALS_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, topics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = topics
        self.fields["topics"].label_from_instance = lambda topic: topic.name

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("interest_kinds") or cleaned.get("topics") or cleaned.get("goals")):
            raise forms.ValidationError("Tick something or write a few words before sending.")
        return cleaned


class PlanCommentForm(forms.Form):
    comment = CleanTextField(
        label="Your comments or suggestions on our plan",
        help_text=f"Up to {COMMENT_MAX_CHARS} characters.",
        max_length=COMMENT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class GiveRatingForm(forms.Form):
    give = forms.IntegerField(widget=forms.HiddenInput)
    rating = forms.ChoiceField(choices=KolRating.choices)
    comment = CleanTextField(
        label="Anything to add? (optional)",
        required=False,
        max_length=RATING_COMMENT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
