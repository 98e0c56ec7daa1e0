"""The inline parts of the KOL page: stage, interests, goals, collaborators.

Each part is a partial of contacts/_kol_parts.html, answered from its own context
(contacts/kol_page.py): htmx gets the part back; a plain form post gets a redirect, or the
whole page with the errors (composed by kolpage/).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.locking import StaleEdit
from common.rendering import CONFLICT, INVALID
from contacts import kol_page, selectors, services
from contacts.forms import CollaboratorForm, GoalForm, InterestForm, StageChangeForm
from contacts.models import Collaborator, Goal, Interest, Kol

# Each part of the page this module answers, and the context that part needs.
PARTS = {
    "stage": kol_page.stage_context,
    "interests": kol_page.interests_context,
    "kol_goals": kol_page.goals_context,
    "our_goals": kol_page.goals_context,
    "collaborators": kol_page.collaborators_context,
}


def _answer(request: HttpRequest, kol: Kol, part: str, *, status: int = 200, **overrides):
    return kol_page.answer_part(
        request,
        kol,
        part,
        template=kol_page.TEMPLATE,
        context_of=PARTS[part],
        status=status,
        **overrides,
    )


def _apply_errors(form, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        for message in messages_:
            form.add_error(field if field in form.fields else None, message)


# Stage ---------------------------------------------------------------------------------


@require_POST
def kol_stage_change(request: HttpRequest, pk: int) -> HttpResponse:
    kol = selectors.get_kol_for_user(request.user, pk)
    selectors.kol_access(request.user, kol).require("edit")
    form = StageChangeForm(request.POST, kol=kol)
    if not form.is_valid():
        return _answer(request, kol, "stage", status=INVALID, stage_form=form)
    try:
        change = services.kol_change_stage(
            kol=kol,
            by=request.user,
            to_stage=form.cleaned_data["to_stage"],
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
    except StaleEdit as conflict:
        current = conflict.current
        message = (
            f"Someone else changed this KOL while you were looking: the stage is now "
            f"{current.get_stage_display()}. Check the history, then try again."
        )
        return _answer(
            request,
            current,
            "stage",
            status=CONFLICT,
            stage_form=StageChangeForm(kol=current),
            stage_conflict=message,
        )
    except ValidationError as error:
        _apply_errors(form, error)
        return _answer(request, kol, "stage", status=INVALID, stage_form=form)
    if not request.htmx:
        messages.success(request, f"Stage changed to {change.get_to_stage_display()}.")
    return _answer(request, kol, "stage")


@require_GET
def kol_stage_part(request: HttpRequest, pk: int) -> HttpResponse:
    kol = selectors.get_kol_for_user(request.user, pk)
    return _answer(request, kol, "stage")


# Interests -----------------------------------------------------------------------------


def _get_interest(kol: Kol, interest_pk: int) -> Interest:
    return get_object_or_404(Interest.objects.select_related("topic"), kol=kol, pk=interest_pk)


def _require_interest_edit(request: HttpRequest, kol: Kol, interest: Interest) -> None:
    access = selectors.kol_access(request.user, kol)
    if access.can_edit or (access.can_log and interest.created_by_id == request.user.pk):
        return
    access.require("edit")


@require_GET
def kol_interests_part(request: HttpRequest, pk: int) -> HttpResponse:
    kol = selectors.get_kol_for_user(request.user, pk)
    return _answer(request, kol, "interests")


@require_POST
def interest_add(request: HttpRequest, pk: int) -> HttpResponse:
    kol = selectors.get_kol_for_user(request.user, pk)
    selectors.kol_access(request.user, kol).require("log")
    form = InterestForm(request.POST)
    if not form.is_valid():
        return _answer(request, kol, "interests", status=INVALID, interest_form=form)
    services.interest_add(kol=kol, by=request.user, data=form.cleaned_data)
    return _answer(request, kol, "interests")


@require_http_methods(["GET", "POST"])
def interest_edit(request: HttpRequest, pk: int, interest_pk: int) -> HttpResponse:
    kol = selectors.get_kol_for_user(request.user, pk)
    interest = _get_interest(kol, interest_pk)
    _require_interest_edit(request, kol, interest)
    prefix = f"interest{interest.pk}"
    form = InterestForm(
        request.POST if request.method == "POST" else None, instance=interest, prefix=prefix
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                services.interest_update(interest=interest, data=form.cleaned_data, by=request.user)
            except StaleEdit as conflict:
                return _conflict(
                    request,
                    kol,
                    "interests",
                    InterestForm,
                    prefix,
                    conflict.current,
                    editing_interest=interest.pk,
                    form_name="interest_edit_form",
                )
            return _answer(request, kol, "interests")
        status = INVALID
    else:
        status = 200
    return _answer(
        request,
        kol,
        "interests",
        status=status,
        editing_interest=interest.pk,
        interest_edit_form=form,
    )


@require_POST
def interest_delete(request: HttpRequest, pk: int, interest_pk: int) -> HttpResponse:
    kol = selectors.get_kol_for_user(request.user, pk)
    interest = _get_interest(kol, interest_pk)
    _require_interest_edit(request, kol, interest)
    services.interest_delete(interest=interest, by=request.user)
    return _answer(request, kol, "interests")


def _conflict(request, kol, part, form_class, prefix, current, *, form_name, **editing):
    """A stale inline edit: the part again, 409, with what is saved now and what the user
    typed, based on the saved version so that saving again keeps it on purpose."""
    data = request.POST.copy()
    data[f"{prefix}-version"] = current.version
    form = form_class(data, instance=current, prefix=prefix)
    return _answer(
        request,
        kol,
        part,
        status=CONFLICT,
        item_conflict=current,
        **{form_name: form},
        **editing,
    )


# Goals ---------------------------------------------------------------------------------


def _goal_part(whose: str) -> str:
    return "kol_goals" if whose == Goal.Whose.KOL else "our_goals"


def _whose(value: str) -> str:
    if value not in Goal.Whose.values:
        raise Http404("No such goal list.")
    return value


@require_GET
def kol_goals_part(request: HttpRequest, pk: int, whose: str) -> HttpResponse:
    kol = selectors.get_kol_for_user(request.user, pk)
    return _answer(request, kol, _goal_part(_whose(whose)))


@require_POST
def goal_add(request: HttpRequest, pk: int, whose: str) -> HttpResponse:
    kol = selectors.get_kol_for_user(request.user, pk)
    selectors.kol_access(request.user, kol).require("edit")
    whose = _whose(whose)
    prefix = "kolgoal" if whose == Goal.Whose.KOL else "ourgoal"
    # The list posted to decides whose goal it is; fields its form does not show are dropped.
    data = request.POST.copy()
    data[f"{prefix}-whose"] = whose
    hidden = ("provenance", "stated_on", "assumption_status") if whose == "ours" else ()
    for name in hidden or ("in_it_for_kol",):
        data.pop(f"{prefix}-{name}", None)
    form = GoalForm(data, prefix=prefix)
    part = _goal_part(whose)
    if not form.is_valid():
        form_name = "kol_goal_form" if whose == Goal.Whose.KOL else "our_goal_form"
        return _answer(request, kol, part, status=INVALID, **{form_name: form})
    services.goal_add(kol=kol, by=request.user, data=form.cleaned_data | {"whose": whose})
    return _answer(request, kol, part)


@require_http_methods(["GET", "POST"])
def goal_edit(request: HttpRequest, pk: int, goal_pk: int) -> HttpResponse:
    kol = selectors.get_kol_for_user(request.user, pk)
    goal = get_object_or_404(Goal, kol=kol, pk=goal_pk)
    selectors.kol_access(request.user, kol).require("edit")
    prefix = f"goal{goal.pk}"
    form = GoalForm(
        request.POST if request.method == "POST" else None, instance=goal, prefix=prefix
    )
    part = _goal_part(goal.whose)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.goal_update(goal=goal, data=form.cleaned_data, by=request.user)
            except StaleEdit as conflict:
                return _conflict(
                    request,
                    kol,
                    part,
                    GoalForm,
                    prefix,
                    conflict.current,
                    editing_goal=goal.pk,
                    form_name="goal_edit_form",
                )
            return _answer(request, kol, _goal_part(form.cleaned_data["whose"]))
        status = INVALID
    return _answer(request, kol, part, status=status, editing_goal=goal.pk, goal_edit_form=form)


@require_POST
def goal_delete(request: HttpRequest, pk: int, goal_pk: int) -> HttpResponse:
    kol = selectors.get_kol_for_user(request.user, pk)
    goal = get_object_or_404(Goal, kol=kol, pk=goal_pk)
    selectors.kol_access(request.user, kol).require("edit")
    services.goal_delete(goal=goal, by=request.user)
    return _answer(request, kol, _goal_part(goal.whose))


# Collaborators -------------------------------------------------------------------------


@require_POST
def collaborator_add(request: HttpRequest, pk: int) -> HttpResponse:
    kol = selectors.get_kol_for_user(request.user, pk)
    selectors.kol_access(request.user, kol).require("edit")
    form = CollaboratorForm(request.POST, kol=kol)
    if form.is_valid():
        try:
            services.collaborator_add(
                kol=kol,
                user=form.cleaned_data["user"],
                role=form.cleaned_data["role"],
                by=request.user,
            )
        except ValidationError as error:
            _apply_errors(form, error)
    if form.errors:
        return _answer(request, kol, "collaborators", status=INVALID, collaborator_form=form)
    return _answer(request, kol, "collaborators")


@require_POST
def collaborator_remove(request: HttpRequest, pk: int, collaborator_pk: int) -> HttpResponse:
    kol = selectors.get_kol_for_user(request.user, pk)
    collaborator = get_object_or_404(Collaborator, kol=kol, pk=collaborator_pk)
    selectors.kol_access(request.user, kol).require("edit")
    services.collaborator_remove(collaborator=collaborator, by=request.user)
    return _answer(request, kol, "collaborators")
