"""Reads for the question bank and the prep brief built around it.

Ask, don't assume: the bank holds open-ended questions; the brief turns every open
assumption about a KOL into a question to ask at the next meeting.
"""

from dataclasses import dataclass

from django.db.models import Max, Q, QuerySet

from accounts.models import User
from contacts.models import Kol
from engagements.models import Question

# Question bank ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionGroup:
    purpose: str
    label: str
    questions: list[Question]


def question_bank(*, user: User) -> QuerySet[Question]:
    """The shared defaults plus `user`'s own questions."""
    return Question.objects.filter(Q(owner=None) | Q(owner=user))


def question_bank_groups(*, user: User) -> list[QuestionGroup]:
    """The bank grouped by purpose, in the order of Question.Purpose (one query)."""
    by_purpose: dict[str, list[Question]] = {purpose: [] for purpose in Question.Purpose.values}
    for question in question_bank(user=user).order_by("pk"):
        by_purpose.setdefault(question.purpose, []).append(question)
    return [
        QuestionGroup(purpose=purpose, label=label, questions=by_purpose[purpose])
        for purpose, label in Question.Purpose.choices
    ]


def normalise_text(text: str) -> str:
    return " ".join(text.split())


def question_duplicate(*, user: User, text: str) -> Question | None:
    """A default or own question with the same words (case and a final "?" aside)."""
    base = normalise_text(text).rstrip("?").rstrip()
    if not base:
        return None
    return (
        question_bank(user=user)
        .filter(Q(text__iexact=base) | Q(text__iexact=f"{base}?"))
        .order_by("pk")
        .first()
    )


def suggested_questions(*, kol: Kol, user: User, limit: int = 5) -> list[Question]:
    """Bank questions for the next meeting with `kol`, in one query.

    Questions never asked of this KOL come first, taken in turn from each purpose so the
    conversation covers challenges, gaps, resources, goals and feedback; then those asked
    longest ago. Within a purpose the user's own questions come before the defaults.
    Each question carries `last_asked_at` (None when never asked of this KOL).
    """
    questions = list(
        question_bank(user=user)
        .annotate(last_asked_at=Max("touchpoints__occurred_at", filter=Q(touchpoints__kol=kol)))
        .order_by("pk")
    )
    never_asked: dict[str, list[Question]] = {purpose: [] for purpose in Question.Purpose.values}
    for question in sorted(questions, key=lambda q: (q.owner_id is None, q.pk)):
        if question.last_asked_at is None:
            never_asked.setdefault(question.purpose, []).append(question)

    chosen: list[Question] = []
    while len(chosen) < limit and any(never_asked.values()):
        for purpose_questions in never_asked.values():
            if purpose_questions and len(chosen) < limit:
                chosen.append(purpose_questions.pop(0))

    asked = sorted(
        (q for q in questions if q.last_asked_at is not None),
        key=lambda q: (q.last_asked_at, q.pk),
    )
    chosen.extend(asked[: max(limit - len(chosen), 0)])
    return chosen


# Prep brief ------------------------------------------------------------------------------

# For an assumed interest: what we assume, then an open question that lets them correct us.
