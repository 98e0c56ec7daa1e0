"""What contacts shows on the KOL page (stage, interests, goals, collaborators, History),
and `answer_part`, the one way any app's part of the KOL page answers.

The page itself is composed above the apps (kolpage/); each part here builds only its own
context, so an htmx answer for one part runs only that part's queries.
"""

from collections.abc import Callable, Iterable

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from common.lazy import lazy_split
from common.parts import part_answer
from common.rendering import OPEN, opened
from contacts import selectors
from contacts.forms import CollaboratorForm, GoalForm, InterestForm, StageChangeForm
from contacts.models import Goal, Kol
from contacts.selectors import KolAccess

TEMPLATE = "contacts/_kol_parts.html"

PartContext = Callable[[HttpRequest, Kol, KolAccess], dict]


def kol_page_url(kol_pk: int) -> str:
    return reverse("kol:kol_detail", args=[kol_pk])


def answer_part(
    request: HttpRequest,
    kol: Kol,
    part: str,
    *,
    template: str,
    context_of: PartContext,
    status: int = 200,
    access: KolAccess | None = None,
    **overrides,
) -> HttpResponse:
    """Answer one part of the KOL page from that part's own context (common/parts.py)."""
    access = access or selectors.kol_access(request.user, kol)
    context = {"kol": kol, "access": access, **context_of(request, kol, access), **overrides}
    return part_answer(
        request,
        template=template,
        part=part,
        context=context,
        page_url=kol_page_url(kol.pk),
        status=status,
    )


def part_answerer(*, template: str, context_of: PartContext, part: str | None = None):
    """The `_answer` of a part's views: answer(request, kol, part=<the part>, *, status=200,
    access=None, **overrides), answer_part with this template and context."""

    def answer(
        request: HttpRequest, kol: Kol, part: str | None = part, *, status: int = 200, **overrides
    ) -> HttpResponse:
        return answer_part(
            request, kol, part, template=template, context_of=context_of, status=status, **overrides
        )

    return answer


def stage_context(
    request: HttpRequest, kol: Kol, access: KolAccess, *, stage_history: Iterable | None = None
) -> dict:
    return {
        "stage_history": (
            stage_history if stage_history is not None else selectors.kol_stage_history(kol)
        ),
        "stage_form": StageChangeForm(kol=kol),
    }


def interests_context(request: HttpRequest, kol: Kol, access: KolAccess) -> dict:
    return {
        "interests": selectors.kol_interests(kol),
        "interest_form": InterestForm() if opened(request, "interest") else None,
    }


def goals_context(request: HttpRequest, kol: Kol, access: KolAccess) -> dict:
    kol_goals, our_goals = lazy_split(
        lambda: selectors.kol_goals(kol), Goal.Whose.KOL, Goal.Whose.OURS
    )
    return {
        "kol_goals": kol_goals,
        "our_goals": our_goals,
        "kol_goal_form": (
            GoalForm(initial={"whose": Goal.Whose.KOL}, prefix="kolgoal")
            if opened(request, "kolgoal")
            else None
        ),
        "our_goal_form": (
            GoalForm(initial={"whose": Goal.Whose.OURS}, prefix="ourgoal")
            if opened(request, "oursgoal")
            else None
        ),
    }


def collaborators_context(request: HttpRequest, kol: Kol, access: KolAccess) -> dict:
    return {
        "collaborators": selectors.kol_collaborators(kol),
        "collaborator_form": (
            CollaboratorForm(kol=kol)
            if access.can_edit and opened(request, "collaborator")
            else None
        ),
    }


def history_context(request: HttpRequest, kol: Kol, access: KolAccess) -> dict:
    # The History is collapsed: its entries are read when it is opened (?open=history).
    return {
        "history_entries": (
            selectors.kol_audit_entries(kol) if opened(request, "history") else None
        ),
        "history_url": kol_page_url(kol.pk) + f"?{OPEN}=history",
    }


def kol_page_extras(
    request: HttpRequest, kol: Kol, access: KolAccess, *, stage_history: Iterable
) -> dict:
    """All of contacts' parts, for the whole page (kolpage.views)."""
    return {
        **stage_context(request, kol, access, stage_history=stage_history),
        **interests_context(request, kol, access),
        **goals_context(request, kol, access),
        **collaborators_context(request, kol, access),
        **history_context(request, kol, access),
    }
