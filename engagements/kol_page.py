"""What the engagements app adds to the KOL page (composed by kolpage/, above the apps).

Each area returns lazy values (querysets, forms), so rendering one partial runs only its
own queries.
"""

from collections.abc import Iterable

from django.http import HttpRequest

from contacts.models import Kol
from contacts.selectors import KolAccess
from engagements.views import followups, ledger, plan, timeline

# The collapsed add-forms of these parts (kolpage.views: LAZY_FORMS): the template and
# partial of the form, what the user must be allowed to do, and the part's context.
LAZY_FORMS = {
    "followup": (followups.TEMPLATE, "followup_form", "log", followups.kol_page_context),
    "touchpoint": (timeline.PART_TEMPLATE, "touchpoint_form", "log", timeline.kol_page_context),
    "give": (ledger.TEMPLATE, "give_form", "log", ledger.kol_page_context),
    "ask": (ledger.TEMPLATE, "ask_form", "log", ledger.kol_page_context),
}


def kol_page_extras(
    request: HttpRequest, kol: Kol, access: KolAccess, *, stage_history: Iterable | None = None
) -> dict:
    """`stage_history`: the KOL's stage changes as the stage panel reads them (newest
    first), for the timeline to show without querying them again."""
    return {
        **timeline.kol_page_context(request, kol, access, stage_history=stage_history),
        **followups.kol_page_context(request, kol, access),
        **ledger.kol_page_context(request, kol, access),
        **plan.kol_page_context(request, kol, access),
    }
