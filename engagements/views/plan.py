"""The engagement plan on the KOL page: read by all who see the KOL, edited by its owner.

The part is `plan` of engagements/_plan.html. Edit swaps the form in; Save swaps the plan
back. A save from a stale form answers 409 with the saved plan and keeps the user's input.
"""

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET, require_http_methods

from common.locking import StaleEdit
from common.rendering import CONFLICT, INVALID
from contacts import selectors
from contacts.kol_page import part_answerer
from contacts.models import Kol
from contacts.selectors import KolAccess
from engagements.forms.plan import EngagementPlanForm
from engagements.models import EngagementPlan
from engagements.services import plan as services

TEMPLATE = "engagements/_plan.html"
PART = "plan"


def _saved_plan(kol: Kol) -> EngagementPlan | None:
    return EngagementPlan.objects.select_related("updated_by").filter(kol=kol).first()


def kol_page_context(request: HttpRequest, kol: Kol, access: KolAccess) -> dict:
    return {
        # Lazy: only the plan part runs its query. Wraps None when there is no plan yet.
        "plan_saved": SimpleLazyObject(lambda: _saved_plan(kol)),
        "plan_today": timezone.localdate(),
        "plan_form": None,
        "plan_conflict": None,
    }


_answer = part_answerer(template=TEMPLATE, context_of=kol_page_context, part=PART)


@require_GET
def kol_plan_part(request: HttpRequest, pk: int) -> HttpResponse:
    kol = selectors.get_kol_for_user(request.user, pk)
    return _answer(request, kol)


@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    kol = selectors.get_kol_for_user(request.user, pk)
    selectors.kol_access(request.user, kol).require("edit")
    if request.method == "GET":
        saved = _saved_plan(kol)
        return _answer(request, kol, plan_saved=saved, plan_form=EngagementPlanForm(instance=saved))

    # No instance: validating must not write the user's input onto the saved plan.
    form = EngagementPlanForm(request.POST)
    if not form.is_valid():
        return _answer(request, kol, status=INVALID, plan_form=form)
    try:
        plan = services.plan_save(
            kol=kol,
            by=request.user,
            data=form.cleaned_data,
            expected_version=form.cleaned_data["version"],
        )
    except StaleEdit as conflict:
        current = conflict.current
        # Keep what this user typed; the saved version lets them save it over the other change.
        data = request.POST.copy()
        data["version"] = str(current.version)
        form = EngagementPlanForm(data)
        form.is_valid()
        return _answer(
            request,
            kol,
            status=CONFLICT,
            plan_saved=current,
            plan_form=form,
            plan_conflict=current,
        )
    return _answer(request, kol, plan_saved=plan)
