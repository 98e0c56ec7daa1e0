"""Writes for the question bank: an MSL adds and removes their own questions."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import User
from engagements.models import Question, Touchpoint
from engagements.selectors.questions import question_duplicate


def duplicate_message(existing: Question) -> str:
    whose = "one of the shared questions" if existing.owner_id is None else "one of yours"
    return (
        f"That question is already in the bank ({whose}, under "
        f"“{existing.get_purpose_display()}”): “{existing.text}”"
    )


@transaction.atomic
def question_add(*, owner: User, purpose: str, text: str) -> Question:
    """Add `owner`'s own question; a duplicate of a default or of theirs is refused."""
    text = " ".join(text.split())
    existing = question_duplicate(user=owner, text=text)
    if existing is not None:
        raise ValidationError({"text": duplicate_message(existing)})
    try:
        with transaction.atomic():
            return Question.objects.create(owner=owner, purpose=purpose, text=text)
    except IntegrityError as error:  # the same words saved a moment ago, e.g. a double submit
        raise ValidationError({"text": "That question is already in the bank."}) from error


@transaction.atomic
def question_remove(*, question: Question) -> None:
    """Remove an own question. Touchpoints that asked it keep its words in their notes."""
    touchpoints = list(Touchpoint.objects.filter(questions=question).select_for_update())
    for touchpoint in touchpoints:
        touchpoint.questions_text = "\n".join(
            line for line in (touchpoint.questions_text.rstrip(), question.text) if line
        )
        touchpoint.version += 1  # an open edit form of this touchpoint is now stale
    Touchpoint.objects.bulk_update(touchpoints, ["questions_text", "version"])
    question.delete()
