"""The question bank: the shared open-ended questions plus each MSL's own."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from common.rendering import INVALID, render_page_or_part
from engagements.forms.questions import QuestionForm
from engagements.models import Question
from engagements.selectors.questions import question_bank_groups
from engagements.services import questions as services

TEMPLATE = "engagements/questions.html"


def _answer(
    request: HttpRequest,
    *,
    form: QuestionForm | None = None,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "groups": question_bank_groups(user=request.user),
        "form": form or QuestionForm(user=request.user),
        "notice": notice,
    }
    return render_page_or_part(request, TEMPLATE, "bank", context, status=status)


def _done(request: HttpRequest, notice: str) -> HttpResponse:
    """htmx gets the bank back with the notice; a plain post goes back to the page."""
    if request.htmx:
        return _answer(request, notice=notice)
    messages.success(request, notice)
    return redirect("engagements:questions")


@require_GET
def question_list(request: HttpRequest) -> HttpResponse:
    return _answer(request)


@require_POST
def question_add(request: HttpRequest) -> HttpResponse:
    form = QuestionForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.question_add(
                owner=request.user,
                purpose=form.cleaned_data["purpose"],
                text=form.cleaned_data["text"],
            )
        except ValidationError as error:
            for message in error.message_dict.get("text", []):
                form.add_error("text", message)
    if form.errors:
        return _answer(request, form=form, status=INVALID)
    return _done(request, "Your question is in the bank.")


@require_POST
def question_remove(request: HttpRequest, question_pk: int) -> HttpResponse:
    # Only the user's own: a default or someone else's question is a 404.
    question = get_object_or_404(Question, pk=question_pk, owner=request.user)
    services.question_remove(question=question)
    return _done(request, f"Removed “{question.text}”.")


urlpatterns = [
    path("questions/", question_list, name="questions"),
    path("questions/add/", question_add, name="question_add"),
    path("questions/<int:question_pk>/remove/", question_remove, name="question_remove"),
]
