"""Forms only validate; services write."""

from django import forms

from accounts.models import User
from engagements.models import Question
from engagements.selectors.questions import question_duplicate
from engagements.services.questions import duplicate_message


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["purpose", "text"]
        labels = {"purpose": "What the question is for", "text": "Your question"}
        help_texts = {"text": "Open-ended works best: start with what, how or which."}
        error_messages = {"text": {"required": "Write the question you want to ask."}}

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["purpose"].choices = Question.Purpose.choices

    def clean_text(self) -> str:
        text = " ".join(self.cleaned_data["text"].split())
        if not text:
            raise forms.ValidationError("Write the question you want to ask.")
        existing = question_duplicate(user=self.user, text=text)
        if existing is not None:
            raise forms.ValidationError(duplicate_message(existing))
        return text
