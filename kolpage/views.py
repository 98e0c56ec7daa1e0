"""The KOL page, composed from the parts its apps own (contacts, engagements, reviews).

The page is the only thing that knows all of them: it sits above them. A part's own view
answers htmx from that part's context alone (contacts.kol_page.answer_part); `compose`
wraps every view of the page's URLconf and, when a part's answer must be the whole page
(a plain GET of a part, a plain form post with errors), fills in the rest of it.
"""

import functools

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from common.parts import PageNeeded
from common.rendering import OPEN, wants_part
from contacts import kol_page as contacts_part
from contacts import selectors
from contacts.models import Kol
from contacts.selectors import KolAccess
from engagements import kol_page as engagements_part
from reviews import kol_page as reviews_part
from voice import kol_page as voice_part

TEMPLATE = "kolpage/kol_page.html"

# The page's collapsed add-forms (common/rendering.py: OPEN): ?open=<name> renders the
# page with that form open; htmx asks for the form alone, from its partial. Each: the
# template and partial of the form, what the user must be allowed to do (None: whoever may
# see the KOL), and the context of the part it belongs to.
LAZY_FORMS = {
    "interest": (contacts_part.TEMPLATE, "interest_form", "log", contacts_part.interests_context),
    "kolgoal": (contacts_part.TEMPLATE, "kol_goal_form", "edit", contacts_part.goals_context),
    "oursgoal": (contacts_part.TEMPLATE, "our_goal_form", "edit", contacts_part.goals_context),
    "collaborator": (
        contacts_part.TEMPLATE,
        "collaborator_form",
        "edit",
        contacts_part.collaborators_context,
    ),
    "history": ("contacts/_history.html", "entries", None, contacts_part.history_context),
    **engagements_part.LAZY_FORMS,
}


def kol_page_context(request: HttpRequest, kol: Kol, access: KolAccess | None = None) -> dict:
    """Everything the page shows. Values are lazy: what is not rendered is not queried."""
    access = access or selectors.kol_access(request.user, kol)
    stage_history = selectors.kol_stage_history(kol)  # the stage panel's and the timeline's
    return {
        "kol": kol,
        "access": access,
        **contacts_part.kol_page_extras(request, kol, access, stage_history=stage_history),
        **engagements_part.kol_page_extras(request, kol, access, stage_history=stage_history),
        **reviews_part.kol_page_extras(request, kol, access),
        **voice_part.kol_page_extras(request, kol, access),
    }


@require_GET
def kol_detail(request: HttpRequest, pk: int) -> HttpResponse:
    kol = selectors.get_kol_for_user(request.user, pk)
    lazy = LAZY_FORMS.get(request.GET.get(OPEN, ""))
    if lazy and wants_part(request):
        template, part, action, context_of = lazy
        access = selectors.kol_access(request.user, kol)
        if action:
            access.require(action)
        return contacts_part.answer_part(
            request, kol, part, template=template, context_of=context_of, access=access
        )
    return TemplateResponse(request, TEMPLATE, kol_page_context(request, kol))


def compose(view):
    """Complete a part's answer with the whole page when it must be shown in it."""

    @functools.wraps(view)
    def composed(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, PageNeeded):
            part_context = response.context_data
            page = kol_page_context(request, part_context["kol"], part_context["access"])
            response.context_data = page | part_context
            response.template_name = TEMPLATE
        return response

    return composed
